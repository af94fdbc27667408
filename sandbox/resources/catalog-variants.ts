import type { Context } from "hono";
import { cdnHas, loseWithRecord } from "../cdn.ts";
import type { RouteApi } from "../engine/collection.ts";
import {
  cascadeDelete,
  createRecord,
  defineResource,
  findRecord,
  listPage,
  type ResourceDef,
  readBody,
  requireScope,
  resolveParent,
  respond,
  runBatch,
  serializeAs,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, isoDate } from "../engine/http.ts";
import { type Rec, setModified } from "../engine/table.ts";

const SCOPE = "store_v2_products";
const PRODUCT_PARENT = {
  param: "product_id",
  field: "product_id",
  collection: "products",
  notFound: "Product not found",
};

const product = (ctx: Ctx, id: number): Rec | undefined => ctx.store.table("products").get(id);

export const VARIANT_DEFAULTS: Rec = {
  product_id: 0,
  sku: "",
  sku_id: null,
  cost_price: null,
  price: null,
  sale_price: null,
  retail_price: null,
  map_price: null,
  weight: null,
  width: null,
  height: null,
  depth: null,
  is_free_shipping: false,
  fixed_cost_shipping_price: null,
  purchasing_disabled: false,
  purchasing_disabled_message: "",
  image_url: "",
  upc: null,
  inventory_level: 0,
  inventory_warning_level: 0,
  bin_picking_number: "",
  mpn: null,
  gtin: null,
  option_values: [],
};

const VARIANT_TYPES = {
  sku_id: "number",
  cost_price: "number",
  price: "number",
  sale_price: "number",
  retail_price: "number",
  map_price: "number",
  weight: "number",
  width: "number",
  height: "number",
  depth: "number",
  fixed_cost_shipping_price: "number",
  upc: "string",
  mpn: "string",
  gtin: "string",
} as const;

/** Resolves `option_values` [{id, option_id}] against the product's options; 422 when they do not belong. */
function resolveOptionValues(input: Rec, ctx: Ctx, productId: number): Rec[] | Record<string, string> {
  const out: Rec[] = [];
  for (const [i, ov] of (input.option_values ?? []).entries()) {
    const value = ctx.store.table("product_option_values").get(ov?.id);
    const option = value ? ctx.store.table("product_options").get(value.option_id) : undefined;
    if (
      !value ||
      !option ||
      option.product_id !== productId ||
      (ov.option_id && ov.option_id !== option.id)
    ) {
      return { [`option_values[${i}]`]: "The option value does not exist on this product" };
    }
    out.push({
      id: value.id,
      label: value.label,
      option_id: option.id,
      option_display_name: option.display_name,
    });
  }
  return out;
}

const variantDef = (name: string, path: string, nested: boolean): ResourceDef =>
  defineResource({
    name,
    collection: "variants",
    version: "v3",
    path,
    scope: SCOPE,
    parent: nested ? PRODUCT_PARENT : undefined,
    touchParent: true,
    lean: true,
    prerender: nested,
    ops: nested ? ["list", "get", "create", "update", "delete"] : ["list"],
    maxBatch: 50,
    defaults: VARIANT_DEFAULTS,
    types: VARIANT_TYPES,
    readOnly: ["sku_id", "calculated_price", "calculated_weight", "product_id"],
    indexes: ["product_id", "sku"],
    filters: ["sku", "product_id", "upc", "inventory_level", "mpn", "gtin"],
    unique: [{ fields: ["sku"], title: "The SKU is already in use" }],
    validate: (input, ctx, existing) => {
      // The base variant of a simple product may have no SKU; any other variant needs one.
      if (!existing && !input._base && !input.sku) return { sku: "error.path.missing" };
      const pid = existing?.product_id ?? ctx.parent?.id;
      if (input.option_values !== undefined) {
        if (!Array.isArray(input.option_values)) return { option_values: "error.expected.jsarray" };
        const r = resolveOptionValues(input, ctx, pid);
        if (!Array.isArray(r)) return r;
      }
      if (typeof input.sku === "string" && input.sku.length > 255) return { sku: "error.maxLength (255)" };
      const p = product(ctx, pid);
      if (!existing && p && ctx.store.table("variants").by("product_id", pid).length >= 600) {
        return { product_id: "A product can have at most 600 SKUs" };
      }
      if (typeof input.sku === "string" && input.sku && p) {
        const owner = ctx.store
          .table("products")
          .by("sku", input.sku)
          .find((x) => x.id !== pid);
        if (owner) return { sku: "The SKU is already used by another product" };
      }
      return undefined;
    },
    build: (rec, input, ctx) => {
      if (input.option_values !== undefined)
        rec.option_values = resolveOptionValues(input, ctx, rec.product_id);
      rec.sku_id = rec.id;
      const p = product(ctx, rec.product_id);
      if (p) priceVariant(rec, p);
    },
    afterWrite: (rec, _input, ctx, kind) => {
      const p = product(ctx, rec.product_id);
      if (p) sumInventory(p, ctx);
      // Variants made from options replace the base variant of a simple product.
      if (kind === "create" && p && rec.option_values.length && p.base_variant_id) {
        const base = ctx.store.table("variants").get(p.base_variant_id);
        p.base_variant_id = null;
        if (base) ctx.store.table("variants").delete(base.id);
      }
    },
    onDelete: (rec, ctx) => {
      cascadeDelete(ctx, "variant_metafields", "resource_id", rec.id);
      loseWithRecord(ctx.store, [rec.image_url]);
      const p = product(ctx, rec.product_id);
      if (p) sumInventory(p, ctx, rec.id);
    },
    webhooks: {
      scope: "store/sku",
      type: "sku",
      data: (rec) => ({ sku: { product_id: rec.product_id, variant_id: rec.id } }),
    },
    // Everyday stock changes; once (the store-wide resource shares the table).
    churn: nested ? (_rec, rng) => ({ inventory_level: rng.int(0, 200) }) : undefined,
  });

/** The variant's storefront price and weight, inherited from the product where the variant has none. */
export function priceVariant(v: Rec, p: Rec): void {
  const price = v.price ?? p.price ?? 0;
  const sale = v.sale_price ?? p.sale_price ?? 0;
  v.calculated_price = sale > 0 ? sale : price;
  v.calculated_weight = v.weight ?? p.weight ?? 0;
}

/** Products tracking inventory by variant report the sum of their variants' levels. */
export function sumInventory(p: Rec, ctx: Ctx, without?: number): void {
  if (p.inventory_tracking !== "variant") return;
  let sum = 0;
  for (const v of ctx.store.table("variants").by("product_id", p.id))
    if (v.id !== without) sum += v.inventory_level ?? 0;
  p.inventory_level = sum;
}

export const productVariant = variantDef("product_variants", "/catalog/products/:product_id/variants", true);
/** Store-wide `/catalog/variants`: list and batch PUT (≤ 50) of variants of any product. */
export const storeVariants = variantDef("variants", "/catalog/variants", false);

/** `PUT /catalog/variants` may also create variants (items without `id` but with `product_id`). */
export function storeVariantRoutes(api: RouteApi): void {
  api.on("PUT", "v3", "/catalog/variants", async (c, ctx) => {
    requireScope(ctx, storeVariants, true);
    const body = await readBody(c);
    const r = runBatch(storeVariants, ctx, body, (item) => {
      if (item?.id !== undefined)
        return updateRecord(storeVariants, findRecord(storeVariants, ctx, String(item.id)), item, ctx);
      const parent = product(ctx, Number(item?.product_id));
      if (!parent) throw invalid({ product_id: "error.path.missing" });
      return createRecord(productVariant, item, { ...ctx, parent });
    });
    return respond(storeVariants, r.status, r.body);
  });
}

const CONFIG_DEFAULT = {};

export const productOptions = defineResource({
  name: "product_options",
  version: "v3",
  path: "/catalog/products/:product_id/options",
  scope: SCOPE,
  parent: PRODUCT_PARENT,
  touchParent: true,
  defaults: {
    product_id: 0,
    name: "",
    display_name: "",
    type: "dropdown",
    config: CONFIG_DEFAULT,
    sort_order: 0,
  },
  readOnly: ["product_id", "name"],
  embedded: ["option_values"],
  required: ["display_name", "type"],
  enums: {
    type: ["radio_buttons", "rectangles", "dropdown", "product_list", "product_list_with_images", "swatch"],
  },
  unique: [
    { fields: ["display_name"], title: "An option with this display name already exists", perParent: true },
  ],
  build: (rec) => {
    rec.name = `${rec.display_name}${rec.id}`;
  },
  afterWrite: (rec, input, ctx, kind) => {
    if (kind !== "create" || !Array.isArray(input.option_values)) return;
    const def = ctx.state.resources.get("product_option_values") as ResourceDef;
    input.option_values.forEach((v: Rec, i: number) => {
      createRecord(def, { sort_order: i, ...v }, { ...ctx, parent: rec });
    });
  },
  onDelete: (rec, ctx) => {
    cascadeDelete(ctx, "product_option_values", "option_id", rec.id);
    // Variants built on this option go with it.
    for (const v of ctx.store.table("variants").by("product_id", rec.product_id)) {
      if (v.option_values.some((ov: Rec) => ov.option_id === rec.id))
        ctx.store.table("variants").delete(v.id);
    }
  },
  serialize: (out, ctx) => {
    out.option_values = ctx.store
      .table("product_option_values")
      .by("option_id", out.id)
      .map((v) => serializeAs("product_option_values", v, ctx));
    return out;
  },
});

export const productOptionValues = defineResource({
  name: "product_option_values",
  version: "v3",
  hidden: ["option_id"],
  path: "/catalog/products/:product_id/options/:option_id/values",
  scope: SCOPE,
  parent: {
    param: "option_id",
    field: "option_id",
    collection: "product_options",
    notFound: "Option not found",
  },
  defaults: { option_id: 0, label: "", sort_order: 0, value_data: null, is_default: false },
  types: { value_data: "object" },
  readOnly: ["option_id"],
  required: ["label"],
  unique: [{ fields: ["label"], title: "An option value with this label already exists", perParent: true }],
  validate: (_input, ctx) =>
    ctx.parent && ctx.params.product_id && Number(ctx.params.product_id) !== ctx.parent.product_id
      ? { option_id: "The option does not belong to this product" }
      : undefined,
  afterWrite: (rec, _input, ctx) => touchProductOf(ctx, "product_options", rec.option_id),
  onDelete: (rec, ctx) => touchProductOf(ctx, "product_options", rec.option_id),
});

const MODIFIER_TYPES = [
  "date",
  "checkbox",
  "file",
  "text",
  "multi_line_text",
  "numbers_only_text",
  "radio_buttons",
  "rectangles",
  "dropdown",
  "product_list",
  "product_list_with_images",
  "swatch",
];

export const productModifiers = defineResource({
  name: "product_modifiers",
  version: "v3",
  path: "/catalog/products/:product_id/modifiers",
  scope: SCOPE,
  parent: PRODUCT_PARENT,
  touchParent: true,
  defaults: {
    product_id: 0,
    name: "",
    display_name: "",
    type: "text",
    required: false,
    sort_order: 0,
    config: CONFIG_DEFAULT,
  },
  readOnly: ["product_id", "name"],
  embedded: ["option_values"],
  required: ["display_name", "type", "required"],
  enums: { type: MODIFIER_TYPES },
  build: (rec) => {
    rec.name = `${rec.display_name}${rec.id}`;
  },
  afterWrite: (rec, input, ctx, kind) => {
    if (kind !== "create") return;
    const def = ctx.state.resources.get("product_modifier_values") as ResourceDef;
    const values: Rec[] =
      rec.type === "checkbox" && !Array.isArray(input.option_values)
        ? [
            { label: "Yes", sort_order: 0, value_data: { checked_value: true } },
            { label: "No", sort_order: 1, value_data: { checked_value: false }, is_default: true },
          ]
        : (input.option_values ?? []);
    values.forEach((v, i) => {
      createRecord(def, { sort_order: i, ...v }, { ...ctx, parent: rec });
    });
  },
  onDelete: (rec, ctx) => {
    cascadeDelete(ctx, "product_modifier_values", "option_id", rec.id);
  },
  serialize: (out, ctx) => {
    out.option_values = ctx.store
      .table("product_modifier_values")
      .by("option_id", out.id)
      .map((v) => serializeAs("product_modifier_values", v, ctx));
    return out;
  },
});

const NO_ADJUSTER = { adjuster: null, adjuster_value: 0 };
const ADJUSTERS_DEFAULT = {
  price: NO_ADJUSTER,
  weight: NO_ADJUSTER,
  image_url: "",
  purchasing_disabled: { status: false, message: "" },
};

export const productModifierValues = defineResource({
  name: "product_modifier_values",
  version: "v3",
  lean: true,
  path: "/catalog/products/:product_id/modifiers/:modifier_id/values",
  scope: SCOPE,
  parent: {
    param: "modifier_id",
    field: "option_id",
    collection: "product_modifiers",
    notFound: "Modifier not found",
  },
  defaults: {
    option_id: 0,
    label: "",
    sort_order: 0,
    value_data: null,
    is_default: false,
    adjusters: ADJUSTERS_DEFAULT,
  },
  types: { value_data: "object" },
  readOnly: ["option_id"],
  required: ["label"],
  build: (rec) => {
    rec.adjusters = { ...ADJUSTERS_DEFAULT, ...rec.adjusters };
    rec.adjusters.price ??= NO_ADJUSTER;
    rec.adjusters.weight ??= NO_ADJUSTER;
  },
  afterWrite: (rec, _input, ctx) => touchProductOf(ctx, "product_modifiers", rec.option_id),
  onDelete: (rec, ctx) => {
    loseWithRecord(ctx.store, [rec.adjusters?.image_url]);
    touchProductOf(ctx, "product_modifiers", rec.option_id);
  },
});

/** Option/modifier values are two levels down: their change moves the product's date_modified too. */
function touchProductOf(ctx: Ctx, collection: string, id: number): void {
  if (!ctx.live) return;
  const owner = ctx.store.table(collection).get(id);
  const p = owner ? product(ctx, owner.product_id) : undefined;
  if (!p) return;
  setModified(p, ctx.now);
  p.date_modified = isoDate(ctx.now);
  ctx.events.push({ scope: "store/product/updated", data: { type: "product", id: p.id } });
}

/** `/catalog/products/{id}/images`: by URL (`image_url`); the sandbox derives the CDN sizes from it. */
export const productImage = defineResource({
  name: "product_images",
  prerender: true,
  version: "v3",
  lean: true,
  path: "/catalog/products/:product_id/images",
  scope: SCOPE,
  parent: PRODUCT_PARENT,
  touchParent: true,
  defaults: {
    product_id: 0,
    is_thumbnail: false,
    sort_order: 0,
    description: "",
    image_file: "",
    image_url: "",
    url_zoom: "",
    url_standard: "",
    url_thumbnail: "",
    url_tiny: "",
  },
  readOnly: ["product_id", "image_file", "url_zoom", "url_standard", "url_thumbnail", "url_tiny"],
  dates: { modified: "date_modified" },
  validate: (input, ctx, existing) => {
    if (!existing && !input.image_url) return { image_url: "error.path.missing" };
    if (typeof input.image_url === "string" && input.image_url.length > 255)
      return { image_url: "error.maxLength (255)" };
    if (typeof input.image_url === "string") requireDownloadable(ctx, input.image_url);
    return undefined;
  },
  build: (rec, input, ctx) => {
    if (input.image_url !== undefined || !rec.image_file) {
      const file = `${String(rec.image_url).split("/").pop()?.split("?")[0] || "image.jpg"}`;
      rec.image_file = `${file.slice(0, 1)}/${rec.id}/${file}`;
      const base = rec.image_url;
      rec.url_zoom = base;
      rec.url_standard = base.replace(/(\.\w+)?$/, (ext: string) => `.standard${ext || ""}`);
      rec.url_thumbnail = base.replace(/(\.\w+)?$/, (ext: string) => `.thumbnail${ext || ""}`);
      rec.url_tiny = base.replace(/(\.\w+)?$/, (ext: string) => `.tiny${ext || ""}`);
    }
    // One thumbnail per product.
    if (input.is_thumbnail === true) {
      for (const other of ctx.store.table("product_images").by("product_id", rec.product_id)) {
        if (other.id !== rec.id && other.is_thumbnail) other.is_thumbnail = false;
      }
    }
  },
  onDelete: (rec, ctx) => loseWithRecord(ctx.store, [rec.url_zoom]),
});

export const variantPath = "/catalog/products/:product_id/variants";
export { listPage };

/**
 * BigCommerce downloads an image given by URL and answers 400 when it cannot. The sandbox can tell only
 * for its own CDN: a lost (or non-image) file there is refused; other hosts are taken on trust.
 */
export function requireDownloadable(ctx: Ctx, url: string): void {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return;
  }
  if (!path.startsWith(`/__sandbox/cdn/${ctx.store.hash}/`) || cdnHas(ctx.store, path)) return;
  throw new ApiError(
    400,
    "The requested resource could not be downloaded and may be invalid. Possible reasons include malformed request syntax or the file host blocking requests.",
    { image_url: url },
  );
}

const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Variant (and modifier value) image files: "Files larger than 1 MB are not accepted". */
export const MAX_VARIANT_IMAGE_BYTES = 1024 * 1024;

/** The image format of uploaded bytes, from their signature (BigCommerce checks the file, not its name). */
function sniffImage(bytes: Uint8Array): { ext: string; type: string } | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { ext: "jpg", type: "image/jpeg" };
  if (bytes[0] === 0x89 && ascii(1, 4) === "PNG") return { ext: "png", type: "image/png" };
  if (ascii(0, 4) === "GIF8") return { ext: "gif", type: "image/gif" };
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return { ext: "webp", type: "image/webp" };
  return null;
}

/**
 * Keeps an uploaded image in the store's files; returns its URL under the sandbox CDN path, where it is
 * served back byte for byte (renditions included). 422 when the bytes are not a JPEG, PNG, GIF or WebP.
 */
export async function storeUpload(
  ctx: Ctx,
  origin: string,
  folder: string,
  file: File,
  maxBytes = MAX_IMAGE_BYTES,
): Promise<string> {
  if (file.size > maxBytes)
    throw new ApiError(413, `The image is larger than ${maxBytes / 1024 / 1024} MB`, {
      image_file: "too large",
    });
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = sniffImage(bytes);
  if (!kind)
    throw invalid({ image_file: "Only jpg, png, gif and webp images are accepted" }, "Image was not valid");
  const base = (file.name || "image").replace(/\.(jpe?g|png|gif|webp)$/i, "");
  const name = encodeURIComponent(`${base}.${kind.ext}`);
  const path = `/__sandbox/cdn/${ctx.store.hash}/${folder}/${ctx.store.rng.int(100000, 999999)}-${name}`;
  ctx.store.files.set(path, { bytes, type: kind.type });
  return `${origin}${path}`;
}

/** The uploaded `image_file` of a multipart body, or null when the body is not multipart. */
async function uploadedFile(c: Context): Promise<{ file: File; form: Record<string, unknown> } | null> {
  if (!(c.req.header("content-type") ?? "").includes("multipart/form-data")) return null;
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const file = form.image_file;
  if (!(file instanceof File)) throw invalid({ image_file: "error.path.missing" });
  return { file, form };
}

/** The image fields sent beside a multipart `image_file` (form fields are strings). */
function imageFormFields(form: Record<string, unknown>): Rec {
  const out: Rec = {};
  if (form.is_thumbnail !== undefined) out.is_thumbnail = form.is_thumbnail === "true";
  if (form.sort_order !== undefined) out.sort_order = Number(form.sort_order);
  if (typeof form.description === "string") out.description = form.description;
  return out;
}

/**
 * `POST /catalog/products/{id}/images` and `PUT .../images/{image_id}`: JSON with `image_url`, or multipart
 * with `image_file` (kept and served back byte for byte); `POST .../variants/{variant_id}/image` likewise
 * sets the variant's `image_url`.
 */
export function productImageRoutes(api: RouteApi): void {
  const origin = (c: Context) => new URL(c.req.url).origin;
  api.on("POST", "v3", "/catalog/products/:product_id{[0-9]+}/images", async (c, ctx) => {
    requireScope(ctx, productImage, true);
    resolveParent(productImage, ctx);
    const upload = await uploadedFile(c);
    const input = upload
      ? {
          is_thumbnail: false,
          sort_order: 0,
          description: "",
          ...imageFormFields(upload.form),
          image_url: await storeUpload(ctx, origin(c), `products/${ctx.parent?.id}`, upload.file),
        }
      : ((await readBody(c)) as Rec);
    const rec = createRecord(productImage, input, ctx);
    return respond(productImage, 200, { data: serializeAs("product_images", rec, ctx), meta: {} });
  });
  api.on("PUT", "v3", "/catalog/products/:product_id{[0-9]+}/images/:image_id{[0-9]+}", async (c, ctx) => {
    requireScope(ctx, productImage, true);
    resolveParent(productImage, ctx);
    const rec = findRecord(productImage, ctx, ctx.params.image_id);
    const upload = await uploadedFile(c);
    const input = upload
      ? {
          ...imageFormFields(upload.form),
          image_url: await storeUpload(ctx, origin(c), `products/${ctx.parent?.id}`, upload.file),
        }
      : await readBody(c);
    const updated = updateRecord(productImage, rec, input, ctx);
    return respond(productImage, 200, { data: serializeAs("product_images", updated, ctx), meta: {} });
  });
  api.on(
    "POST",
    "v3",
    "/catalog/products/:product_id{[0-9]+}/variants/:variant_id{[0-9]+}/image",
    async (c, ctx) => {
      requireScope(ctx, productVariant, true);
      resolveParent(productVariant, ctx);
      const variant = findRecord(productVariant, ctx, ctx.params.variant_id);
      const upload = await uploadedFile(c);
      let imageUrl: string;
      if (upload) {
        const folder = `products/${variant.product_id}/variants/${variant.id}`;
        imageUrl = await storeUpload(ctx, origin(c), folder, upload.file, MAX_VARIANT_IMAGE_BYTES);
      } else {
        const body = (await readBody(c)) as Rec | undefined;
        if (typeof body?.image_url !== "string" || !body.image_url)
          throw invalid({ image_url: "error.path.missing" }, "Image was not valid");
        requireDownloadable(ctx, body.image_url);
        imageUrl = body.image_url;
      }
      updateRecord(productVariant, variant, { image_url: imageUrl }, ctx);
      return respond(productVariant, 200, { data: { image_url: imageUrl }, meta: {} });
    },
  );
  // The picture shown when a modifier value is picked: multipart only, kept in `adjusters.image_url`.
  api.on(
    "POST",
    "v3",
    "/catalog/products/:product_id{[0-9]+}/modifiers/:modifier_id{[0-9]+}/values/:value_id{[0-9]+}/image",
    async (c, ctx) => {
      requireScope(ctx, productModifierValues, true);
      const modifier = ctx.store.table("product_modifiers").get(Number(ctx.params.modifier_id));
      if (!modifier || modifier.product_id !== Number(ctx.params.product_id))
        throw new ApiError(404, "Modifier not found");
      ctx.parent = modifier;
      const value = findRecord(productModifierValues, ctx, ctx.params.value_id);
      const upload = await uploadedFile(c);
      if (!upload) throw invalid({ image_file: "error.path.missing" }, "Image was not valid");
      const folder = `products/${modifier.product_id}/modifiers/${value.id}`;
      const imageUrl = await storeUpload(ctx, origin(c), folder, upload.file, MAX_VARIANT_IMAGE_BYTES);
      updateRecord(
        productModifierValues,
        value,
        { adjusters: { ...value.adjusters, image_url: imageUrl } },
        ctx,
      );
      return respond(productModifierValues, 200, { data: { image_url: imageUrl }, meta: {} });
    },
  );
}
