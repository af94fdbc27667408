import { type RouteApi, readBody, requireScope } from "../engine/collection.ts";
import { invalid, jsonResponse } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { brands, imageRoutes } from "./catalog-brands.ts";
import { categories, categoryRoutes, categoryTrees, treeCategories } from "./catalog-categories.ts";
import {
  productBulkPricingRules,
  productChannels,
  productComplexRules,
  productCustomFields,
  productReviews,
  products,
  productVideos,
  setProductChannels,
} from "./catalog-products.ts";
import {
  productImage,
  productImageRoutes,
  productModifiers,
  productModifierValues,
  productOptions,
  productOptionValues,
  productVariant,
  storeVariantRoutes,
  storeVariants,
} from "./catalog-variants.ts";
import { metafieldResources } from "./metafields.ts";
import type { ResourceModule } from "./module.ts";

const SCOPE = "store_v2_products";

const productMetafields = metafieldResources({
  name: "product_metafields",
  ownerPath: "/catalog/products/:product_id",
  ownerParam: "product_id",
  ownerCollection: "products",
  batchPath: "/catalog/products/metafields",
  resourceType: "product",
  scope: SCOPE,
  webhookScope: "store/product/metafield",
});
const variantMetafields = metafieldResources({
  name: "variant_metafields",
  ownerPath: "/catalog/products/:product_id/variants/:variant_id",
  ownerParam: "variant_id",
  ownerCollection: "variants",
  batchPath: "/catalog/variants/metafields",
  resourceType: "variant",
  scope: SCOPE,
});
const categoryMetafields = metafieldResources({
  name: "category_metafields",
  ownerPath: "/catalog/categories/:category_id",
  ownerParam: "category_id",
  ownerCollection: "categories",
  batchPath: "/catalog/categories/metafields",
  resourceType: "category",
  scope: SCOPE,
  webhookScope: "store/category/metafield",
});
const brandMetafields = metafieldResources({
  name: "brand_metafields",
  ownerPath: "/catalog/brands/:brand_id",
  ownerParam: "brand_id",
  ownerCollection: "brands",
  batchPath: "/catalog/brands/metafields",
  resourceType: "brand",
  scope: SCOPE,
  webhookScope: "store/brand/metafield",
});
const metafieldSets = [productMetafields, variantMetafields, categoryMetafields, brandMetafields];

/** `/catalog/summary`, and category assignments (the products' `categories` seen as pairs). */
function catalogRoutes(api: RouteApi): void {
  api.on("GET", "v3", "/catalog/summary", (_c, ctx) => {
    requireScope(ctx, products, false);
    const all = ctx.store.table("products").all();
    const variants = ctx.store.table("variants").all();
    const inventory = variants.reduce((s, v) => s + (v.inventory_level ?? 0), 0);
    const prices = all.map((p) => p.price);
    const value = variants.reduce(
      (s, v) =>
        s + (v.inventory_level ?? 0) * (v.price ?? ctx.store.table("products").get(v.product_id)?.price ?? 0),
      0,
    );
    const byCategory = new Map<number, number>();
    for (const p of all) for (const c of p.categories) byCategory.set(c, (byCategory.get(c) ?? 0) + 1);
    const top = [...byCategory.entries()].sort((a, b) => b[1] - a[1])[0];
    return jsonResponse(200, {
      data: {
        inventory_count: inventory,
        variant_count: variants.length,
        inventory_value: Math.round(value * 100) / 100,
        highest_variant_price: prices.length ? Math.max(...prices) : 0,
        average_variant_price: prices.length
          ? Math.round((prices.reduce((a, b) => a + b, 0) / prices.length) * 100) / 100
          : 0,
        // The spec types this one (only) as a string.
        lowest_variant_price: String(prices.length ? Math.min(...prices) : 0),
        oldest_variant_date: all[0]?.date_created ?? "",
        newest_variant_date: all[all.length - 1]?.date_created ?? "",
        primary_category_id: top?.[0] ?? 0,
        primary_category_name: top ? (ctx.store.table("categories").get(top[0])?.name ?? "") : "",
      },
      meta: {},
    });
  });

  const ids = (v: string | null) => (v ?? "").split(",").filter(Boolean).map(Number);
  api.on("GET", "v3", "/catalog/products/category-assignments", (_c, ctx) => {
    requireScope(ctx, products, false);
    const pids = ids(ctx.query.get("product_id:in"));
    const cids = ids(ctx.query.get("category_id:in"));
    const rows: Rec[] = [];
    for (const p of ctx.store.table("products").all()) {
      if (pids.length && !pids.includes(p.id)) continue;
      for (const c of p.categories)
        if (!cids.length || cids.includes(c)) rows.push({ product_id: p.id, category_id: c });
    }
    const limit = Math.min(Number(ctx.query.get("limit") ?? 50) || 50, 250);
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const slice = rows.slice((page - 1) * limit, page * limit);
    return jsonResponse(200, {
      data: slice,
      meta: {
        pagination: {
          total: rows.length,
          count: slice.length,
          per_page: limit,
          current_page: page,
          total_pages: Math.ceil(rows.length / limit),
          links: { current: `?page=${page}&limit=${limit}` },
        },
      },
    });
  });
  api.on("PUT", "v3", "/catalog/products/category-assignments", async (c, ctx) => {
    requireScope(ctx, products, true);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    for (const [i, a] of body.entries()) {
      const p = ctx.store.table("products").get(a?.product_id);
      if (!p) throw invalid({ [`[${i}].product_id`]: "The product does not exist" });
      if (!ctx.store.table("categories").get(a.category_id))
        throw invalid({ [`[${i}].category_id`]: "The category does not exist" });
    }
    for (const a of body) {
      const p = ctx.store.table("products").get(a.product_id) as Rec;
      if (!p.categories.includes(a.category_id)) p.categories = [...p.categories, a.category_id];
    }
    return jsonResponse(204, null);
  });
  api.on("DELETE", "v3", "/catalog/products/category-assignments", (_c, ctx) => {
    requireScope(ctx, products, true);
    const pids = ids(ctx.query.get("product_id:in"));
    const cids = ids(ctx.query.get("category_id:in"));
    if (!pids.length && !cids.length)
      throw invalid({ filter: "error.path.missing" }, "At least one filter is required");
    for (const p of ctx.store.table("products").all()) {
      if (pids.length && !pids.includes(p.id)) continue;
      p.categories = p.categories.filter((cid: number) => cids.length && !cids.includes(cid));
    }
    return jsonResponse(204, null);
  });
}

function channelAssignmentRoutes(api: RouteApi): void {
  const ids = (v: string | null) => (v ?? "").split(",").filter(Boolean).map(Number);
  api.on("GET", "v3", "/catalog/products/channel-assignments", (_c, ctx) => {
    requireScope(ctx, products, false);
    const pids = ids(ctx.query.get("product_id:in"));
    const cids = ids(ctx.query.get("channel_id:in"));
    const rows: Rec[] = [];
    const source = pids.length
      ? pids.map((id) => ctx.store.table("products").get(id)).filter(Boolean)
      : ctx.store.table("products").all();
    for (const p of source as Rec[]) {
      for (const c of productChannels(ctx, p.id))
        if (!cids.length || cids.includes(c)) rows.push({ product_id: p.id, channel_id: c });
    }
    const limit = Math.min(Number(ctx.query.get("limit") ?? 50) || 50, 250);
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const slice = rows.slice((page - 1) * limit, page * limit);
    return jsonResponse(200, {
      data: slice,
      meta: {
        pagination: {
          total: rows.length,
          count: slice.length,
          per_page: limit,
          current_page: page,
          total_pages: Math.ceil(rows.length / limit),
          links: { current: `?page=${page}&limit=${limit}` },
        },
      },
    });
  });
  api.on("PUT", "v3", "/catalog/products/channel-assignments", async (c, ctx) => {
    requireScope(ctx, products, true);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    for (const [i, a] of body.entries()) {
      if (!ctx.store.table("products").get(a?.product_id))
        throw invalid({ [`[${i}].product_id`]: "The product does not exist" });
      if (typeof a.channel_id !== "number")
        throw invalid({ [`[${i}].channel_id`]: "error.expected.jsnumber" });
    }
    for (const a of body) {
      const now = productChannels(ctx, a.product_id);
      if (!now.includes(a.channel_id)) setProductChannels(ctx, a.product_id, [...now, a.channel_id]);
    }
    return jsonResponse(204, null);
  });
  api.on("DELETE", "v3", "/catalog/products/channel-assignments", (_c, ctx) => {
    requireScope(ctx, products, true);
    const pids = ids(ctx.query.get("product_id:in"));
    const cids = ids(ctx.query.get("channel_id:in"));
    if (!pids.length) throw invalid({ "product_id:in": "error.path.missing" }, "product_id:in is required");
    for (const pid of pids) {
      if (!ctx.store.table("products").get(pid)) continue;
      setProductChannels(
        ctx,
        pid,
        cids.length ? productChannels(ctx, pid).filter((ch) => !cids.includes(ch)) : [],
      );
    }
    return jsonResponse(204, null);
  });
}

/** Every catalog content type: products and their sub-resources, variants, brands, categories and trees, metafields. */
export const catalog: ResourceModule = {
  name: "catalog",
  resources: [
    products,
    productVariant,
    storeVariants,
    productOptions,
    productOptionValues,
    productModifiers,
    productModifierValues,
    productImage,
    productVideos,
    productCustomFields,
    productBulkPricingRules,
    productComplexRules,
    productReviews,
    brands,
    categories,
    treeCategories,
    categoryTrees,
    ...metafieldSets.flatMap((m) => [m.perOwner, m.batch]),
  ],
  routes: (api) => {
    catalogRoutes(api);
    channelAssignmentRoutes(api);
    storeVariantRoutes(api);
    productImageRoutes(api);
    categoryRoutes(api);
    imageRoutes(api, "brands");
    imageRoutes(api, "categories");
    for (const m of metafieldSets) m.routes(api);
  },
};
