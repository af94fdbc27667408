import { loseWithRecord } from "../cdn.ts";
import {
  buildFilters,
  cascadeDelete,
  createRecord,
  defineResource,
  deleteRecord,
  findRecord,
  listRecords,
  type ResourceDef,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  runBatch,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, jsonResponse, notFound } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";

const SCOPE = "store_v2_products";
export const DEFAULT_TREE_ID = 1;
const MAX_DEPTH = 8;

const CATEGORY_FIELDS: Rec = {
  parent_id: 0,
  name: "",
  description: "",
  views: 0,
  sort_order: 0,
  page_title: "",
  meta_keywords: [],
  meta_description: "",
  layout_file: "category.html",
  image_url: "",
  is_visible: true,
  search_keywords: "",
  default_product_sort: "use_store_settings",
};

const SORTS = [
  "use_store_settings",
  "featured",
  "newest",
  "best_selling",
  "alpha_asc",
  "alpha_desc",
  "avg_customer_review",
  "price_asc",
  "price_desc",
];

const slugPath = (ctx: Ctx, rec: Rec): string => {
  const names: string[] = [];
  let cur: Rec | undefined = rec;
  let guard = 0;
  while (cur && guard++ < 10) {
    names.unshift(
      String(cur.name)
        .normalize("NFKD")
        .replace(/[^\w\s-]/g, "")
        .trim()
        .toLowerCase()
        .replace(/\s+/g, "-"),
    );
    cur = cur.parent_id ? ctx.store.table("categories").get(cur.parent_id) : undefined;
  }
  return `/${names.join("/")}/`;
};

function depthOf(ctx: Ctx, parentId: number): number {
  let d = 1;
  let cur = parentId ? ctx.store.table("categories").get(parentId) : undefined;
  while (cur && d <= MAX_DEPTH + 1) {
    d++;
    cur = cur.parent_id ? ctx.store.table("categories").get(cur.parent_id) : undefined;
  }
  return d;
}

/** Checks shared by both category APIs: parent in the same tree, depth ≤ 8, unique name among siblings. */
function checkCategory(rec: Rec, ctx: Ctx): void {
  if (rec.parent_id) {
    const parent = ctx.store.table("categories").get(rec.parent_id);
    if (!parent) throw invalid({ parent_id: "The parent category does not exist" });
    if (parent.tree_id !== rec.tree_id)
      throw invalid({ parent_id: "The parent category belongs to another tree" });
    if (rec.parent_id === rec.id) throw invalid({ parent_id: "A category cannot be its own parent" });
  }
  if (depthOf(ctx, rec.parent_id) > MAX_DEPTH)
    throw invalid({ parent_id: "Categories can be at most 8 levels deep" });
  const clash = ctx.store
    .table("categories")
    .by("parent_id", rec.parent_id)
    .find(
      (c) =>
        c.id !== rec.id &&
        c.tree_id === rec.tree_id &&
        c.name.toLowerCase() === String(rec.name).toLowerCase(),
    );
  if (clash) throw new ApiError(409, "Category name already exists under this parent", { name: rec.name });
  if (!rec.custom_url?.url) rec.custom_url = { url: slugPath(ctx, rec), is_customized: false };
}

function productsIn(ctx: Ctx, categoryId: number): Rec[] {
  return ctx.store
    .table("products")
    .all()
    .filter((p) => p.categories.includes(categoryId));
}

/** Deleting a category deletes its subcategories and unassigns it from products (no product date change). */
function onCategoryDelete(rec: Rec, ctx: Ctx): void {
  loseWithRecord(ctx.store, [rec.image_url]);
  for (const child of ctx.store.table("categories").by("parent_id", rec.id)) {
    deleteRecord(ctx.state.resources.get("categories") as ResourceDef, child, ctx);
  }
  for (const p of productsIn(ctx, rec.id)) p.categories = p.categories.filter((c: number) => c !== rec.id);
  cascadeDelete(ctx, "category_metafields", "resource_id", rec.id);
  const sort = ctx.store.table("category_product_sort");
  for (const s of sort.by("category_id", rec.id)) sort.delete(s.id);
}

/** Legacy `/catalog/categories`: the default channel's tree only. */
export const categories = defineResource({
  name: "categories",
  version: "v3",
  path: "/catalog/categories",
  scope: SCOPE,
  ops: ["list", "get", "create", "update", "delete"],
  defaults: {
    ...CATEGORY_FIELDS,
    custom_url: { url: "", is_customized: false },
    tree_id: DEFAULT_TREE_ID,
    category_uuid: "",
  },
  readOnly: ["tree_id", "category_uuid"],
  required: ["parent_id", "name"],
  enums: { default_product_sort: SORTS },
  filters: ["name", "parent_id", "page_title", "is_visible"],
  customFilters: {
    keyword: (r, v) => String(r.name).toLowerCase().includes(v.toLowerCase()),
  },
  indexes: ["parent_id"],
  visible: (r) => r.tree_id === DEFAULT_TREE_ID,
  validate: (input) =>
    typeof input.name === "string" && input.name.length > 50 ? { name: "error.maxLength (50)" } : undefined,
  build: (rec, _input, ctx, existing) => {
    if (!existing) rec.category_uuid = ctx.store.rng.uuid();
    checkCategory(rec, ctx);
  },
  onDelete: onCategoryDelete,
  serialize: (out) => {
    const { tree_id: _t, category_uuid: _u, ...rest } = out;
    return rest;
  },
  webhooks: { scope: "store/category", type: "category" },
  churn: (rec, rng) => ({ sort_order: rng.int(0, 20), is_visible: rec.is_visible || rng.chance(0.5) }),
});

/** `/catalog/trees/categories`: categories of every tree, keyed by `category_id`, written in arrays. */
export const treeCategories = defineResource({
  name: "tree_categories",
  collection: "categories",
  version: "v3",
  path: "/catalog/trees/categories",
  scope: SCOPE,
  ops: ["list"],
  maxBatch: 50,
  defaults: { ...CATEGORY_FIELDS, url: null, tree_id: DEFAULT_TREE_ID, category_uuid: "" },
  types: { url: "object" },
  readOnly: ["category_uuid"],
  required: ["name"],
  enums: { default_product_sort: SORTS },
  filters: ["name", "parent_id", "tree_id", "page_title", "is_visible", "category_uuid"],
  customFilters: {
    "category_id:in": (r, v) => v.split(",").map(Number).includes(r.id),
    "category_id:not_in": (r, v) => !v.split(",").map(Number).includes(r.id),
    keyword: (r, v) => String(r.name).toLowerCase().includes(v.toLowerCase()),
  },
  validate: (input, ctx, existing) => {
    if (!existing && input.tree_id === undefined && input.parent_id === undefined) {
      return { tree_id: "tree_id or parent_id is required" };
    }
    const tree = input.tree_id ?? existing?.tree_id;
    if (tree !== undefined && !ctx.store.table("category_trees").get(tree))
      return { tree_id: "The tree does not exist" };
    return typeof input.name === "string" && input.name.length > 50
      ? { name: "error.maxLength (50)" }
      : undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (!existing) rec.category_uuid = ctx.store.rng.uuid();
    if (input.tree_id === undefined && input.parent_id && !existing) {
      rec.tree_id = ctx.store.table("categories").get(input.parent_id)?.tree_id ?? DEFAULT_TREE_ID;
    }
    if (rec.url) rec.custom_url = { url: rec.url.path ?? "", is_customized: !!rec.url.is_customized };
    else if (!rec.custom_url) rec.custom_url = { url: "", is_customized: false };
    delete rec.url;
    checkCategory(rec, ctx);
  },
  onDelete: onCategoryDelete,
  serialize: (out) => {
    const { id, custom_url, ...rest } = out;
    return {
      category_id: id,
      ...rest,
      url: { path: custom_url?.url ?? "", is_customized: !!custom_url?.is_customized },
    };
  },
  webhooks: { scope: "store/category", type: "category" },
});

export const categoryTrees = defineResource({
  name: "category_trees",
  version: "v3",
  path: "/catalog/trees",
  scope: SCOPE,
  ops: ["list"],
  maxBatch: 50,
  defaults: { name: "", channels: [] },
  required: ["name"],
  customFilters: {
    "channel_id:in": (r, v) => v.split(",").some((c) => r.channels.includes(Number(c))),
  },
  validate: (input, ctx, existing) => {
    if (
      existing &&
      input.channels !== undefined &&
      JSON.stringify(input.channels) !== JSON.stringify(existing.channels)
    ) {
      return { channels: "Channels can only be set when the tree is created" };
    }
    if (!existing && (!Array.isArray(input.channels) || input.channels.length !== 1)) {
      return { channels: "A tree is created with exactly one channel" };
    }
    if (!existing) {
      const taken = ctx.store
        .table("category_trees")
        .all()
        .find((t) => t.channels.includes(input.channels[0]));
      if (taken) return { channels: "The channel already has a category tree" };
    }
    return undefined;
  },
});

function nestedTree(ctx: Ctx, treeId: number, maxDepth: number): Rec[] {
  const all = ctx.store
    .table("categories")
    .all()
    .filter((c) => c.tree_id === treeId);
  const byParent = new Map<number, Rec[]>();
  for (const c of all) {
    const list = byParent.get(c.parent_id) ?? [];
    list.push(c);
    byParent.set(c.parent_id, list);
  }
  const build = (parentId: number, depth: number, path: number[]): Rec[] =>
    (byParent.get(parentId) ?? [])
      .slice()
      .sort((a, b) => a.sort_order - b.sort_order || a.id - b.id)
      .map((c) => ({
        id: c.id,
        parent_id: c.parent_id,
        depth,
        path,
        name: c.name,
        is_visible: c.is_visible,
        children: depth < maxDepth ? build(c.id, depth + 1, [...path, c.id]) : [],
        url: c.custom_url?.url ?? "",
      }));
  return build(0, 1, []);
}

export function categoryRoutes(api: RouteApi): void {
  // Legacy bulk delete: a filter is required, and categories holding products answer 422.
  api.on("DELETE", "v3", "/catalog/categories", (_c, ctx) => {
    requireScope(ctx, categories, true);
    if (!buildFilters(categories, ctx).length)
      throw invalid({ filter: "error.path.missing" }, "At least one filter is required");
    const doomed = listRecords(categories, ctx);
    const busy = doomed.find((cat) => productsIn(ctx, cat.id).length);
    if (busy) throw invalid({ id: String(busy.id) }, "A category that contains products cannot be deleted");
    for (const rec of doomed)
      if (ctx.store.table("categories").get(rec.id)) deleteRecord(categories, rec, ctx);
    return respond(categories, 204, null);
  });
  // Tree categories: arrays in, keyed by category_id.
  api.on("POST", "v3", "/catalog/trees/categories", async (c, ctx) => {
    requireScope(ctx, treeCategories, true);
    const r = runBatch(treeCategories, ctx, await readBody(c), (item) =>
      createRecord(treeCategories, item, ctx),
    );
    return respond(treeCategories, r.status, r.body);
  });
  api.on("PUT", "v3", "/catalog/trees/categories", async (c, ctx) => {
    requireScope(ctx, treeCategories, true);
    const r = runBatch(treeCategories, ctx, await readBody(c), (item) => {
      if (item?.category_id === undefined) throw invalid({ category_id: "error.path.missing" });
      return updateRecord(
        treeCategories,
        findRecord(treeCategories, ctx, String(item.category_id)),
        item,
        ctx,
      );
    });
    return respond(treeCategories, r.status, r.body);
  });
  api.on("DELETE", "v3", "/catalog/trees/categories", (_c, ctx) => {
    requireScope(ctx, treeCategories, true);
    if (!buildFilters(treeCategories, ctx).length)
      throw invalid({ filter: "error.path.missing" }, "At least one filter is required");
    for (const rec of listRecords(treeCategories, ctx)) {
      if (ctx.store.table("categories").get(rec.id)) deleteRecord(treeCategories, rec, ctx);
    }
    return respond(treeCategories, 204, null);
  });

  // Trees: PUT upserts an array; DELETE by id:in.
  api.on("PUT", "v3", "/catalog/trees", async (c, ctx) => {
    requireScope(ctx, categoryTrees, true);
    const r = runBatch(categoryTrees, ctx, await readBody(c), (item) =>
      item?.id !== undefined
        ? updateRecord(categoryTrees, findRecord(categoryTrees, ctx, String(item.id)), item, ctx)
        : createRecord(categoryTrees, item, ctx),
    );
    return respond(categoryTrees, r.status, r.body);
  });
  api.on("DELETE", "v3", "/catalog/trees", (_c, ctx) => {
    requireScope(ctx, categoryTrees, true);
    const ids = (ctx.query.get("id:in") ?? "").split(",").filter(Boolean).map(Number);
    if (!ids.length) throw invalid({ "id:in": "error.path.missing" }, "At least one filter is required");
    for (const id of ids) {
      const tree = ctx.store.table("category_trees").get(id);
      if (!tree) continue;
      for (const cat of ctx.store
        .table("categories")
        .all()
        .filter((x) => x.tree_id === id && x.parent_id === 0)) {
        deleteRecord(treeCategories, cat, ctx);
      }
      deleteRecord(categoryTrees, tree, ctx);
    }
    return respond(categoryTrees, 204, null);
  });
  api.on("GET", "v3", "/catalog/trees/:tree_id{[0-9]+}/categories", (_c, ctx) => {
    requireScope(ctx, categoryTrees, false);
    const treeId = Number(ctx.params.tree_id);
    if (!ctx.store.table("category_trees").get(treeId)) throw notFound("The tree was not found.");
    const depth = Number(ctx.query.get("depth") ?? MAX_DEPTH) || MAX_DEPTH;
    return jsonResponse(200, { data: nestedTree(ctx, treeId, depth), meta: {} });
  });

  // Product sort order within a category.
  api.on("GET", "v3", "/catalog/categories/:category_id{[0-9]+}/products/sort-order", (_c, ctx) => {
    requireScope(ctx, categories, false);
    const cid = Number(ctx.params.category_id);
    if (!ctx.store.table("categories").get(cid)) throw notFound("Category not found");
    const explicit = new Map(
      ctx.store
        .table("category_product_sort")
        .by("category_id", cid)
        .map((s) => [s.product_id, s.sort_order]),
    );
    const data = productsIn(ctx, cid).map((p) => ({
      product_id: p.id,
      sort_order: explicit.get(p.id) ?? p.sort_order,
    }));
    const limit = Math.min(Number(ctx.query.get("limit") ?? 50) || 50, 250);
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const slice = data.slice((page - 1) * limit, page * limit);
    const totalPages = Math.ceil(data.length / limit);
    return jsonResponse(200, {
      data: slice,
      meta: {
        pagination: {
          total: data.length,
          count: slice.length,
          per_page: limit,
          current_page: page,
          total_pages: totalPages,
          links: { current: `?page=${page}&limit=${limit}` },
        },
      },
    });
  });
  api.on("PUT", "v3", "/catalog/categories/:category_id{[0-9]+}/products/sort-order", async (c, ctx) => {
    requireScope(ctx, categories, true);
    const cid = Number(ctx.params.category_id);
    if (!ctx.store.table("categories").get(cid)) throw notFound("Category not found");
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    const sort = ctx.store.table("category_product_sort");
    const inCategory = new Set(productsIn(ctx, cid).map((p) => p.id));
    for (const [i, item] of body.entries()) {
      if (!inCategory.has(item?.product_id))
        throw invalid({ [`[${i}].product_id`]: "The product is not in this category" });
      if (typeof item.sort_order !== "number")
        throw invalid({ [`[${i}].sort_order`]: "error.expected.jsnumber" });
    }
    for (const item of body) {
      const id = `${cid}:${item.product_id}`;
      const rec = { id, category_id: cid, product_id: item.product_id, sort_order: item.sort_order };
      if (sort.get(id)) sort.replace(rec);
      else sort.insert(rec);
    }
    // BigCommerce answers this PUT with a bare array.
    return jsonResponse(
      200,
      body.map((b: Rec) => ({ product_id: b.product_id, sort_order: b.sort_order })),
    );
  });
}

/** The default tree every store has (channel 1), created before any category. */
export function ensureDefaultTree(ctx: Ctx): void {
  if (!ctx.store.table("category_trees").get(DEFAULT_TREE_ID)) {
    createRecord(categoryTrees, { name: "Default", channels: [1] }, ctx, { key: DEFAULT_TREE_ID });
  }
}
