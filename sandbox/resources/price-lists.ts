import {
  cascadeDelete,
  defineResource,
  type RouteApi,
  readBody,
  requireScope,
  resolveParent,
  respond,
  runBatch,
  serialize,
  tableOf,
} from "../engine/collection.ts";
import { type Ctx, emit } from "../engine/context.ts";
import { ApiError, invalid, isoDate, notFound } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { findVariant } from "./catalog-refs.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Price lists, records and assignments (price_lists.v3.yml). Records are keyed by (list, variant,
 * currency) and may name the variant by SKU; `PUT .../records` upserts up to 1000, `POST` creates up to
 * 100 and refuses existing ones (409), assignments are created 25 at a time.
 */

const SCOPE = "store_v2_products";
const MAX_UPSERT = 1000;
const MAX_CREATE = 100;

export const priceLists = defineResource({
  name: "price_lists",
  version: "v3",
  path: "/pricelists",
  scope: SCOPE,
  ops: ["list", "get", "create", "update", "delete", "batchDelete"],
  cursor: true,
  defaults: { name: "", active: true, date_created: "", date_modified: "" },
  readOnly: ["date_created", "date_modified"],
  required: ["name"],
  filters: ["name", "active"],
  dates: { created: "date_created", modified: "date_modified" },
  unique: [{ fields: ["name"], title: "A price list with this name already exists" }],
  onDelete: (rec, ctx) => {
    const records = ctx.store.table("price_list_records", "_key");
    for (const r of records.by("price_list_id", rec.id)) records.delete(r._key);
    cascadeDelete(ctx, "price_list_assignments", "price_list_id", rec.id);
  },
  webhooks: { scope: "store/priceList", type: "price_list" },
  churn: (rec, rng) => ({ name: `${String(rec.name).replace(/ #\d+$/, "")} #${rng.int(1, 999)}` }),
});

const RECORD_FIELDS = ["price", "sale_price", "retail_price", "map_price"] as const;

export const priceListRecords = defineResource({
  name: "price_list_records",
  version: "v3",
  path: "/pricelists/:price_list_id{[0-9]+}/records",
  key: "_key",
  keyType: "string",
  parent: {
    param: "price_list_id",
    field: "price_list_id",
    collection: "price_lists",
    notFound: "Price list not found.",
  },
  scope: SCOPE,
  ops: ["list"],
  cursor: true,
  maxLimit: 1000,
  defaults: {},
  filters: [
    "variant_id",
    "product_id",
    "currency",
    "sku",
    "price",
    "sale_price",
    "retail_price",
    "map_price",
    "calculated_price",
  ],
  indexes: ["variant_id"],
  serialize: (out, ctx) => {
    // The admin export (not a live request) keeps the whole record.
    const include = new Set((ctx.query.get("include") ?? "").split(","));
    if (ctx.live && !include.has("sku")) delete out.sku;
    if (ctx.live && !include.has("bulk_pricing_tiers")) delete out.bulk_pricing_tiers;
    for (const f of RECORD_FIELDS) if (out[f] === null) delete out[f];
    return out;
  },
});

export const priceListAssignments = defineResource({
  name: "price_list_assignments",
  version: "v3",
  path: "/pricelists/assignments",
  scope: SCOPE,
  ops: ["list", "batchCreate", "batchDelete"],
  cursor: true,
  maxBatch: 25,
  defaults: { price_list_id: 0, customer_group_id: 0, channel_id: 1 },
  required: ["price_list_id"],
  filters: ["price_list_id", "customer_group_id", "channel_id"],
  validate: (input, ctx) => {
    const errors: Record<string, string> = {};
    if (!ctx.store.table("price_lists").get(Number(input.price_list_id)))
      errors.price_list_id = "Price list does not exist";
    if (input.customer_group_id && !ctx.store.table("customer_groups").get(Number(input.customer_group_id))) {
      errors.customer_group_id = "Customer group does not exist";
    }
    if (input.channel_id !== undefined && !ctx.store.table("channels").get(Number(input.channel_id))) {
      errors.channel_id = "Channel does not exist";
    }
    if (Object.keys(errors).length) return errors;
    const clash = ctx.store
      .table("price_list_assignments")
      .all()
      .some(
        (a) =>
          a.customer_group_id === (input.customer_group_id ?? 0) && a.channel_id === (input.channel_id ?? 1),
      );
    if (clash) throw new ApiError(409, "An assignment for this customer group and channel already exists");
    return undefined;
  },
  webhooks: { scope: "store/priceList/assignment", type: "price_list_assignment" },
});

function recordsTable(ctx: Ctx) {
  const t = ctx.store.table("price_list_records", "_key");
  t.ensureIndex("price_list_id");
  return t;
}

/** Validates one record write and returns the key fields; 422 for unknown variants or bad values. */
function recordTarget(ctx: Ctx, listId: number, item: Rec): { variant: Rec; currency: string; key: string } {
  if (!item || typeof item !== "object") throw invalid({ body: "error.expected.jsobject" });
  if (!ctx.store.table("price_lists").get(listId))
    throw invalid({ price_list_id: "Price list does not exist" });
  if (item.variant_id === undefined && item.sku === undefined)
    throw invalid({ variant_id: "variant_id or sku is required" });
  const variant = findVariant(ctx.store, { variant_id: item.variant_id, sku: item.sku });
  if (!variant) throw invalid({ variant_id: `No variant matches ${String(item.variant_id ?? item.sku)}` });
  if (typeof item.currency !== "string" || !/^[a-zA-Z]{3}$/.test(item.currency)) {
    throw invalid({ currency: "currency must be an ISO 4217 code" });
  }
  for (const f of RECORD_FIELDS) {
    if (item[f] !== undefined && item[f] !== null && (typeof item[f] !== "number" || item[f] < 0)) {
      throw invalid({ [f]: "error.expected.jsnumber" });
    }
  }
  const currency = item.currency.toLowerCase();
  return { variant, currency, key: `${listId}:${variant.id}:${currency}` };
}

function writeRecord(ctx: Ctx, listId: number, item: Rec, mode: "upsert" | "create"): Rec {
  const { variant, currency, key } = recordTarget(ctx, listId, item);
  const t = recordsTable(ctx);
  const existing = t.get(key);
  if (existing && mode === "create")
    throw new ApiError(409, `A price record for variant ${variant.id} in ${currency} already exists`);
  if (!existing && (item.price === undefined || item.price === null))
    throw invalid({ price: "error.path.missing" });
  const rec: Rec = existing
    ? { ...existing }
    : {
        _key: key,
        price_list_id: listId,
        variant_id: variant.id,
        product_id: variant.product_id,
        sku: String(variant.sku ?? ""),
        currency,
        price: 0,
        sale_price: null,
        retail_price: null,
        map_price: null,
        calculated_price: 0,
        bulk_pricing_tiers: [],
        date_created: isoDate(ctx.now),
        date_modified: isoDate(ctx.now),
        _created: ctx.now,
        _modified: ctx.now,
      };
  for (const f of RECORD_FIELDS) if (item[f] !== undefined) rec[f] = item[f];
  if (Array.isArray(item.bulk_pricing_tiers)) rec.bulk_pricing_tiers = item.bulk_pricing_tiers;
  rec.calculated_price = rec.sale_price ?? rec.price;
  rec.date_modified = isoDate(ctx.now);
  rec._modified = ctx.now;
  if (existing) t.replace(rec);
  else t.insert(rec);
  emit(ctx, `store/priceList/record/${existing ? "updated" : "created"}`, recordHook(rec));
  return rec;
}

const recordHook = (rec: Rec) => ({
  type: "price_list_record",
  id: rec.price_list_id,
  variant_id: rec.variant_id,
  currency: rec.currency,
});

function recordsRoutes(api: RouteApi): void {
  const base = "/pricelists/:price_list_id{[0-9]+}/records";
  const listOf = (ctx: Ctx) => {
    const id = Number(ctx.params.price_list_id);
    if (!ctx.store.table("price_lists").get(id)) throw notFound("Price list not found.");
    return id;
  };
  const batch = (ctx: Ctx, body: unknown, max: number, each: (item: Rec) => Rec) => {
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    const r = runBatch({ ...priceListRecords, maxBatch: max }, ctx, body, each);
    // BigCommerce answers a fully successful record batch with empty data.
    return r.status === 200 ? { status: 200, body: { data: {}, meta: {} } } : r;
  };
  api.on("PUT", "v3", base, async (c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const listId = listOf(ctx);
    const r = batch(ctx, await readBody(c), MAX_UPSERT, (item) => writeRecord(ctx, listId, item, "upsert"));
    return respond(priceListRecords, r.status, r.body);
  });
  api.on("POST", "v3", base, async (c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const listId = listOf(ctx);
    const r = batch(ctx, await readBody(c), MAX_CREATE, (item) => writeRecord(ctx, listId, item, "create"));
    return respond(priceListRecords, r.status, r.body);
  });
  api.on("DELETE", "v3", base, (_c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    resolveParent(priceListRecords, ctx);
    const t = recordsTable(ctx);
    const variants = ctx.query.get("variant_id:in")?.split(",").map(Number);
    const skus = ctx.query.get("sku:in")?.split(",");
    const currency = ctx.query.get("currency")?.toLowerCase();
    for (const r of t.by("price_list_id", Number(ctx.params.price_list_id)).slice()) {
      if (variants && !variants.includes(r.variant_id)) continue;
      if (skus && !skus.includes(r.sku)) continue;
      if (currency && r.currency !== currency) continue;
      t.delete(r._key);
      emit(ctx, "store/priceList/record/deleted", recordHook(r));
    }
    return respond(priceListRecords, 204, null);
  });
  api.on("POST", "v3", "/pricelists/records", async (c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const r = batch(ctx, await readBody(c), MAX_CREATE, (item) =>
      writeRecord(ctx, Number(item?.price_list_id), item, "create"),
    );
    return respond(priceListRecords, r.status, r.body);
  });
  api.on("PUT", "v3", "/pricelists/records", async (c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const r = batch(ctx, await readBody(c), MAX_UPSERT, (item) =>
      writeRecord(ctx, Number(item?.price_list_id), item, "upsert"),
    );
    return respond(priceListRecords, r.status, r.body);
  });
  api.on("GET", "v3", `${base}/:variant_id{[0-9]+}`, (_c, ctx) => {
    requireScope(ctx, priceListRecords, false);
    resolveParent(priceListRecords, ctx);
    const variantId = Number(ctx.params.variant_id);
    const rows = recordsTable(ctx)
      .by("variant_id", variantId)
      .filter((r) => r.price_list_id === Number(ctx.params.price_list_id));
    return respond(priceListRecords, 200, {
      data: rows.map((r) => serialize(priceListRecords, r, ctx)),
      meta: {
        pagination: {
          total: rows.length,
          count: rows.length,
          per_page: 50,
          current_page: 1,
          total_pages: 1,
          links: {},
        },
      },
    });
  });
  const one = (ctx: Ctx) => {
    resolveParent(priceListRecords, ctx);
    const key = `${ctx.params.price_list_id}:${ctx.params.variant_id}:${ctx.params.currency.toLowerCase()}`;
    const rec = recordsTable(ctx).get(key);
    if (!rec) throw notFound("Price record not found.");
    return rec;
  };
  const itemPath = `${base}/:variant_id{[0-9]+}/:currency{[a-zA-Z]{3}}`;
  api.on("GET", "v3", itemPath, (_c, ctx) => {
    requireScope(ctx, priceListRecords, false);
    return respond(priceListRecords, 200, { data: serialize(priceListRecords, one(ctx), ctx), meta: {} });
  });
  api.on("PUT", "v3", itemPath, async (c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const listId = listOf(ctx);
    const body = ((await readBody(c)) ?? {}) as Rec;
    const rec = writeRecord(
      ctx,
      listId,
      { ...body, variant_id: Number(ctx.params.variant_id), currency: ctx.params.currency },
      "upsert",
    );
    return respond(priceListRecords, 200, { data: serialize(priceListRecords, rec, ctx), meta: {} });
  });
  api.on("DELETE", "v3", itemPath, (_c, ctx) => {
    requireScope(ctx, priceListRecords, true);
    const rec = one(ctx);
    recordsTable(ctx).delete(rec._key);
    emit(ctx, "store/priceList/record/deleted", recordHook(rec));
    return respond(priceListRecords, 204, null);
  });
  // PUT /pricelists/{id}/assignments replaces the list's assignments with the given (group, channel) pairs.
  api.on("PUT", "v3", "/pricelists/:price_list_id{[0-9]+}/assignments", async (c, ctx) => {
    requireScope(ctx, priceListAssignments, true);
    const listId = listOf(ctx);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    if (body.length > 25)
      throw new ApiError(
        413,
        "The request payload is too large. The maximum items allowed in the array is 25.",
      );
    const t = tableOf(priceListAssignments, ctx);
    for (const a of t.all().slice()) {
      if (
        body.some(
          (b: Rec) =>
            (b.customer_group_id ?? 0) === a.customer_group_id && (b.channel_id ?? 1) === a.channel_id,
        )
      ) {
        t.delete(a.id);
      }
    }
    const out: Rec[] = [];
    for (const item of body as Rec[]) {
      const id = ctx.store.nextId("price_list_assignments");
      const rec = {
        id,
        price_list_id: listId,
        customer_group_id: item.customer_group_id ?? 0,
        channel_id: item.channel_id ?? 1,
        _created: ctx.now,
        _modified: ctx.now,
      };
      t.insert(rec);
      out.push(serialize(priceListAssignments, rec, ctx));
    }
    emit(ctx, "store/priceList/updated", { type: "price_list", id: listId });
    return respond(priceListAssignments, 200, { data: out, meta: {} });
  });
}

export const priceListsModule: ResourceModule = {
  name: "price-lists",
  resources: [priceLists, priceListRecords, priceListAssignments],
  routes: recordsRoutes,
};
