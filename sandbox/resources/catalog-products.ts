import {
  cascadeDelete,
  cleanInput,
  createRecord,
  defineResource,
  includeAs,
  type ResourceDef,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, isoDate } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import {
  priceVariant,
  productImage,
  productVariant,
  requireDownloadable,
  sumInventory,
} from "./catalog-variants.ts";

const SCOPE = "store_v2_products";

export const PRODUCT_DEFAULTS: Rec = {
  name: "",
  type: "physical",
  sku: "",
  description: "",
  weight: 0,
  width: 0,
  depth: 0,
  height: 0,
  price: 0,
  cost_price: 0,
  retail_price: 0,
  sale_price: 0,
  map_price: 0,
  tax_class_id: 0,
  product_tax_code: "",
  categories: [],
  brand_id: 0,
  inventory_level: 0,
  inventory_warning_level: 0,
  inventory_tracking: "none",
  fixed_cost_shipping_price: 0,
  is_free_shipping: false,
  is_visible: true,
  is_featured: false,
  related_products: [],
  warranty: "",
  bin_picking_number: "",
  layout_file: "",
  upc: "",
  search_keywords: "",
  availability_description: "",
  availability: "available",
  gift_wrapping_options_type: "any",
  gift_wrapping_options_list: [],
  sort_order: 0,
  condition: "New",
  is_condition_shown: false,
  order_quantity_minimum: 0,
  order_quantity_maximum: 0,
  page_title: "",
  meta_keywords: [],
  meta_description: "",
  view_count: 0,
  preorder_release_date: null,
  preorder_message: "",
  is_preorder_only: false,
  is_price_hidden: false,
  price_hidden_label: "",
  custom_url: { url: "", is_customized: false },
  open_graph_type: "product",
  open_graph_title: "",
  open_graph_description: "",
  open_graph_use_meta_description: true,
  open_graph_use_product_name: true,
  open_graph_use_image: true,
  gtin: "",
  mpn: "",
  date_last_imported: "",
  reviews_rating_sum: 0,
  reviews_count: 0,
  total_sold: 0,
  base_variant_id: null,
  calculated_price: 0,
  option_set_id: null,
  option_set_display: "right",
};

const slug = (s: string) =>
  `/${s
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")}/`;

const childrenOf = (ctx: Ctx, collection: string, productId: number) =>
  ctx.store.table(collection).by("product_id", productId);

/** The product's include= sub-resources, each in the shape its own endpoint returns. */
const includeList = (resource: string, collection: string) => (rec: Rec, ctx: Ctx) =>
  includeAs(resource, childrenOf(ctx, collection, rec.id), ctx);

const sortBySortOrder = (a: Rec, b: Rec) => a.sort_order - b.sort_order || a.id - b.id;

function primaryImage(rec: Rec, ctx: Ctx): unknown {
  const images = childrenOf(ctx, "product_images", rec.id);
  const img = images.find((i) => i.is_thumbnail) ?? images.slice().sort(sortBySortOrder)[0];
  return includeAs("product_images", img ?? null, ctx);
}

/**
 * Channel assignments of products. Kept beside the records (products are lean): a product with no entry is
 * listed on channel 1, the default storefront, as new products are in BigCommerce.
 */
export function productChannels(
  ctx: { store: { singletons: Map<string, Rec> } },
  productId: number,
): number[] {
  const map = ctx.store.singletons.get("product_channels") as Map<number, number[]> | undefined;
  return map?.get(productId) ?? [1];
}

export function setProductChannels(
  ctx: { store: { singletons: Map<string, Rec> } },
  productId: number,
  channels: number[],
): void {
  let map = ctx.store.singletons.get("product_channels") as Map<number, number[]> | undefined;
  if (!map) {
    map = new Map();
    ctx.store.singletons.set("product_channels", map as unknown as Rec);
  }
  map.set(productId, channels);
}

const EMBEDDED: Record<string, string> = {
  variants: "product_variants",
  images: "product_images",
  custom_fields: "product_custom_fields",
  bulk_pricing_rules: "product_bulk_pricing_rules",
  videos: "product_videos",
};

/** Errors of embedded children, keyed like BigCommerce (`variants[0].sku`). */
function validateEmbedded(input: Rec, ctx: Ctx): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [field, resource] of Object.entries(EMBEDDED)) {
    const items = input[field];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      errors[field] = "error.expected.jsarray";
      continue;
    }
    const def = ctx.state.resources.get(resource) as ResourceDef;
    items.forEach((item, i) => {
      if (!item || typeof item !== "object") {
        errors[`${field}[${i}]`] = "error.expected.jsobject";
        return;
      }
      const { errors: e } = cleanInput(def, item, true);
      if (field === "variants" && !item.sku) e.sku = "error.path.missing";
      // Refused before the product exists, as BigCommerce refuses the whole request.
      if (field === "images" && typeof item.image_url === "string") requireDownloadable(ctx, item.image_url);
      for (const [k, v] of Object.entries(e)) {
        if (field === "variants" && k === "option_values") continue;
        errors[`${field}[${i}].${k}`] = v;
      }
    });
  }
  const skus = (Array.isArray(input.variants) ? input.variants : []).map((v: Rec) => v?.sku).filter(Boolean);
  const variants = ctx.store.table("variants");
  variants.ensureIndex("sku");
  for (const sku of skus) {
    if (variants.by("sku", sku).length) errors.sku = `The SKU "${sku}" is already in use`;
  }
  if (new Set(skus).size !== skus.length) errors.variants = "Variant SKUs must be unique";
  return errors;
}

/** Product SKUs share one namespace with variant SKUs (409 on a clash with another product's variant). */
function skuTaken(ctx: Ctx, sku: string, productId?: number): boolean {
  if (!sku) return false;
  const variants = ctx.store.table("variants");
  variants.ensureIndex("sku");
  return variants.by("sku", sku).some((v) => v.product_id !== productId);
}

export const products: ResourceDef = defineResource({
  name: "products",
  prerender: true,
  version: "v3",
  path: "/catalog/products",
  scope: SCOPE,
  lean: true,
  ops: ["list", "get", "create", "update", "delete", "batchUpdate", "batchDelete"],
  maxBatch: 10,
  defaults: PRODUCT_DEFAULTS,
  types: { preorder_release_date: "string", option_set_id: "number", base_variant_id: "number" },
  readOnly: [
    "date_created",
    "date_modified",
    "calculated_price",
    "base_variant_id",
    "reviews_rating_sum",
    "reviews_count",
    "total_sold",
    "view_count",
    "date_last_imported",
    "option_set_id",
  ],
  embedded: Object.keys(EMBEDDED),
  required: ["name", "type", "weight", "price"],
  enums: {
    type: ["physical", "digital"],
    inventory_tracking: ["none", "product", "variant"],
    availability: ["available", "disabled", "preorder"],
    condition: ["New", "Used", "Refurbished"],
    gift_wrapping_options_type: ["any", "none", "list"],
    open_graph_type: ["product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show"],
  },
  unique: [{ fields: ["name"], title: "The product name is a duplicate" }],
  filters: [
    "name",
    "upc",
    "price",
    "weight",
    "condition",
    "brand_id",
    "is_visible",
    "is_featured",
    "is_free_shipping",
    "inventory_level",
    "total_sold",
    "type",
    "categories",
    "availability",
    "mpn",
    "gtin",
  ],
  customFilters: {
    sku: (rec, v, ctx) => rec.sku === v || childrenOf(ctx, "variants", rec.id).some((x) => x.sku === v),
    "sku:in": (rec, v) => v.split(",").includes(rec.sku),
    keyword: (rec, v) => {
      const n = v.toLowerCase();
      return [rec.name, rec.sku, rec.description, rec.search_keywords].some((s) =>
        String(s).toLowerCase().includes(n),
      );
    },
    inventory_low: (rec, v) =>
      (v === "1" || v === "true") === rec.inventory_level <= rec.inventory_warning_level,
    out_of_stock: (rec, v) =>
      (v === "1" || v === "true") === (rec.inventory_tracking !== "none" && rec.inventory_level <= 0),
    status: (rec, v) => (v === "1") === rec.is_visible,
  },
  sortable: [
    "id",
    "name",
    "sku",
    "price",
    "date_modified",
    "date_last_imported",
    "inventory_level",
    "is_visible",
    "total_sold",
  ],
  indexes: ["sku", "brand_id"],
  dates: { created: "date_created", modified: "date_modified" },
  // BigCommerce caps pages at 10 products when options or modifiers are included.
  pageLimit: (limit, ctx) => {
    const inc = (ctx.query.get("include") ?? "").split(",");
    return inc.includes("options") || inc.includes("modifiers") ? Math.min(limit, 10) : limit;
  },
  includes: {
    variants: (rec, ctx) => includeAs("product_variants", childrenOf(ctx, "variants", rec.id), ctx),
    images: (rec, ctx) =>
      includeAs("product_images", childrenOf(ctx, "product_images", rec.id).sort(sortBySortOrder), ctx),
    custom_fields: includeList("product_custom_fields", "product_custom_fields"),
    bulk_pricing_rules: includeList("product_bulk_pricing_rules", "product_bulk_pricing_rules"),
    videos: includeList("product_videos", "product_videos"),
    options: includeList("product_options", "product_options"),
    modifiers: includeList("product_modifiers", "product_modifiers"),
    primary_image: primaryImage,
    channels: (rec, ctx) => productChannels(ctx, rec.id),
    reviews: includeList("product_reviews", "product_reviews"),
    parent_relations: () => [],
  },
  validate: (input, ctx, existing) => {
    const errors = existing ? {} : validateEmbedded(input, ctx);
    if (typeof input.name === "string" && (input.name.length < 1 || input.name.length > 250)) {
      errors.name = "error.maxLength (1-250 characters)";
    }
    for (const f of ["price", "weight", "cost_price", "sale_price", "retail_price"]) {
      if (typeof input[f] === "number" && input[f] < 0) errors[f] = "error.min (must be >= 0)";
    }
    if (typeof input.sku === "string" && skuTaken(ctx, input.sku, existing?.id)) {
      throw conflict("The product sku is a duplicate", { sku: input.sku });
    }
    return errors;
  },
  build: (rec, input) => {
    rec.calculated_price = rec.sale_price > 0 ? rec.sale_price : rec.price;
    if (
      !rec.custom_url?.url ||
      (input.name !== undefined && !input.custom_url && !rec.custom_url.is_customized)
    ) {
      rec.custom_url = { url: slug(rec.name), is_customized: false };
    }
  },
  afterWrite: (rec, input, ctx, kind) => {
    const pctx: Ctx = { ...ctx, parent: rec };
    if (kind === "create") {
      for (const [field, resource] of Object.entries(EMBEDDED)) {
        if (field === "variants") continue;
        for (const item of input[field] ?? [])
          createRecord(ctx.state.resources.get(resource) as ResourceDef, item, pctx);
      }
      const variants: Rec[] = input.variants ?? [];
      if (variants.length) {
        for (const v of variants) createVariantWithOptions(v, pctx);
      } else {
        const base = createRecord(productVariant, { sku: rec.sku, option_values: [], _base: true }, pctx);
        rec.base_variant_id = base.id;
      }
      ctx.events.splice(
        0,
        ctx.events.length,
        ...ctx.events.filter((e) => !e.scope.startsWith("store/product/updated")),
      );
    } else {
      // Variants inherit price and weight: keep their calculated fields in step; likewise the stock sum.
      for (const v of childrenOf(ctx, "variants", rec.id)) priceVariant(v, rec);
      sumInventory(rec, ctx);
      // The base variant carries the product's SKU.
      const base = rec.base_variant_id ? ctx.store.table("variants").get(rec.base_variant_id) : undefined;
      if (base && input.sku !== undefined && base.sku !== rec.sku) {
        ctx.store.table("variants").replace({ ...base, sku: rec.sku });
      }
    }
  },
  onDelete: (rec, ctx) => {
    for (const v of childrenOf(ctx, "variants", rec.id))
      cascadeDelete(ctx, "variant_metafields", "resource_id", v.id);
    for (const c of [
      "product_variants",
      "product_options",
      "product_modifiers",
      "product_images",
      "product_videos",
      "product_custom_fields",
      "product_bulk_pricing_rules",
      "product_complex_rules",
      "product_reviews",
    ]) {
      cascadeDelete(ctx, c, "product_id", rec.id);
    }
    cascadeDelete(ctx, "product_metafields", "resource_id", rec.id);
  },
  webhooks: { scope: "store/product", type: "product" },
  churn: (rec, rng) =>
    rng.chance(0.5)
      ? { price: Math.round(rec.price * (0.9 + rng.next() * 0.2) * 100) / 100 }
      : { inventory_level: rng.int(0, 500), is_visible: rng.chance(0.95) },
  badImport: (rec, rng) => ({
    name: `${rec.name} - IMPORT ${rng.int(1000, 9999)}`,
    price: Math.round(rec.price * 0.1 * 100) / 100,
    sale_price: 0,
  }),
});

const conflict = (title: string, errors: Record<string, string>) => new ApiError(409, title, errors);

/**
 * A variant given in a product POST: option values may be `{option_display_name, label}`, in which case
 * the options and values are created (or reused) for the product, as BigCommerce does.
 */
export function createVariantWithOptions(input: Rec, pctx: Ctx): Rec {
  const product = pctx.parent as Rec;
  const optionValues: Rec[] = [];
  for (const ov of input.option_values ?? []) {
    if (ov.option_display_name && ov.label) {
      const options = pctx.store.table("product_options").by("product_id", product.id);
      let option = options.find((o) => o.display_name === ov.option_display_name);
      if (!option) {
        option = createRecord(
          pctx.state.resources.get("product_options") as ResourceDef,
          {
            display_name: ov.option_display_name,
            type: "dropdown",
            sort_order: options.length,
            option_values: [],
          },
          pctx,
        );
      }
      const values = pctx.store.table("product_option_values").by("option_id", option.id);
      let value = values.find((v) => v.label === ov.label);
      if (!value) {
        value = createRecord(
          pctx.state.resources.get("product_option_values") as ResourceDef,
          { label: ov.label, sort_order: values.length },
          { ...pctx, parent: option },
        );
      }
      optionValues.push({ id: value.id, option_id: option.id });
    } else optionValues.push(ov);
  }
  return createRecord(productVariant, { ...input, option_values: optionValues }, pctx);
}

const productChild = (
  def: Omit<ResourceDef, "version" | "scope" | "parent" | "touchParent"> & { hideProductId?: boolean },
): ResourceDef => {
  const { hideProductId, ...rest } = def;
  return defineResource({
    version: "v3",
    scope: SCOPE,
    parent: {
      param: "product_id",
      field: "product_id",
      collection: "products",
      notFound: "Product not found",
    },
    touchParent: true,
    lean: !hideProductId,
    hidden: hideProductId ? ["product_id"] : [],
    ...rest,
    defaults: { product_id: 0, ...rest.defaults },
    readOnly: ["product_id", ...(rest.readOnly ?? [])],
  });
};

export const productVideos = productChild({
  name: "product_videos",
  prerender: true,
  path: "/catalog/products/:product_id/videos",
  defaults: { title: "", description: "", sort_order: 0, type: "youtube", video_id: "", length: "" },
  readOnly: ["length"],
  required: ["video_id"],
  enums: { type: ["youtube"] },
  build: (rec) => {
    if (!rec.title) rec.title = `Video ${rec.video_id}`;
    if (!rec.length) rec.length = "01:30";
  },
});

export const productCustomFields = productChild({
  name: "product_custom_fields",
  prerender: true,
  path: "/catalog/products/:product_id/custom-fields",
  hideProductId: true,
  defaults: { name: "", value: "" },
  required: ["name", "value"],
  validate: (input) => {
    const e: Record<string, string> = {};
    if (typeof input.name === "string" && input.name.length > 250) e.name = "error.maxLength (250)";
    if (typeof input.value === "string" && input.value.length > 250) e.value = "error.maxLength (250)";
    return e;
  },
});

export const productBulkPricingRules = productChild({
  name: "product_bulk_pricing_rules",
  prerender: true,
  path: "/catalog/products/:product_id/bulk-pricing-rules",
  hideProductId: true,
  defaults: { quantity_min: 0, quantity_max: 0, type: "price", amount: 0 },
  types: { amount: "any" },
  required: ["quantity_min", "quantity_max", "type", "amount"],
  enums: { type: ["price", "percent", "fixed"] },
  validate: (input) =>
    typeof input.amount === "number" || typeof input.amount === "string" || input.amount === undefined
      ? undefined
      : { amount: "error.expected.jsnumber" },
});

export const productComplexRules = productChild({
  name: "product_complex_rules",
  path: "/catalog/products/:product_id/complex-rules",
  defaults: {
    sort_order: 0,
    enabled: true,
    stop: false,
    purchasing_disabled: false,
    purchasing_disabled_message: "",
    purchasing_hidden: false,
    image_url: "",
    price_adjuster: null,
    weight_adjuster: null,
    conditions: [],
  },
  types: { price_adjuster: "object", weight_adjuster: "object" },
  validate: (input, ctx) => {
    if (input.conditions === undefined) return undefined;
    if (!Array.isArray(input.conditions)) return { conditions: "error.expected.jsarray" };
    const pid = ctx.parent?.id;
    for (const [i, c] of input.conditions.entries()) {
      if (c.variant_id && ctx.store.table("variants").get(c.variant_id)?.product_id !== pid) {
        return { [`conditions[${i}].variant_id`]: "The variant does not belong to this product" };
      }
      if (c.modifier_id && ctx.store.table("product_modifiers").get(c.modifier_id)?.product_id !== pid) {
        return { [`conditions[${i}].modifier_id`]: "The modifier does not belong to this product" };
      }
    }
    return undefined;
  },
  build: (rec) => {
    rec.conditions = (rec.conditions as Rec[]).map((c, i) => ({
      id: c.id ?? rec.id * 100 + i + 1,
      rule_id: rec.id,
      modifier_id: c.modifier_id ?? null,
      modifier_value_id: c.modifier_value_id ?? null,
      variant_id: c.variant_id ?? null,
      combination_id: c.combination_id ?? 0,
    }));
    if (rec.price_adjuster === null) rec.price_adjuster = { adjuster: null, adjuster_value: 0 };
    if (rec.weight_adjuster === null) rec.weight_adjuster = { adjuster: null, adjuster_value: 0 };
  },
});

export const productReviews = productChild({
  name: "product_reviews",
  path: "/catalog/products/:product_id/reviews",
  defaults: {
    title: "",
    text: "",
    status: "pending",
    rating: 0,
    email: "",
    name: "",
    date_reviewed: "",
  },
  required: ["title", "date_reviewed"],
  enums: { status: ["approved", "disapproved", "pending"] },
  dates: { created: "date_created", modified: "date_modified" },
  build: (rec) => {
    if (rec.date_reviewed && !Number.isNaN(Date.parse(rec.date_reviewed)))
      rec.date_reviewed = isoDate(Date.parse(rec.date_reviewed));
  },
});

export { productImage };
