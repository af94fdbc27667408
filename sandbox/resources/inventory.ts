import {
  cascadeDelete,
  createRecord,
  defineResource,
  deleteRecord,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  tableOf,
  updateRecord,
} from "../engine/collection.ts";
import { type Ctx, emit } from "../engine/context.ts";
import { ApiError, invalid } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { operatingHours } from "../generate/inventory.ts";
import { findVariant, VARIANTS_TABLE } from "./catalog-refs.ts";
import { metafieldResources } from "./metafields.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Inventory locations and per-location stock (locations.v3.yml, inventory.v3.yml). Location writes answer
 * `{transaction_id}` as BigCommerce does; stock lives in `inventory_levels` keyed by location and variant,
 * and the variant's `inventory_level` follows the total over locations.
 */

const MAX_ACTIVE_LOCATIONS = 100;
const MAX_ADJUSTMENTS = 2000;

export const locations = defineResource({
  name: "locations",
  version: "v3",
  path: "/inventory/locations",
  scope: { read: ["store_locations", "store_locations_read_only"], write: ["store_locations"] },
  ops: ["list"],
  defaults: {
    code: "",
    label: "",
    description: "",
    managed_by_external_source: false,
    type_id: "PHYSICAL",
    enabled: true,
    operating_hours: operatingHours(true),
    time_zone: "Etc/UTC",
    created_at: "",
    updated_at: "",
    address: {
      address1: "",
      address2: "",
      city: "",
      state: "",
      zip: "",
      email: "",
      phone: "",
      geo_coordinates: { latitude: 0, longitude: 0 },
      country_code: "",
    },
    storefront_visibility: true,
    special_hours: [],
  },
  readOnly: ["created_at", "updated_at"],
  required: ["label"],
  enums: { type_id: ["PHYSICAL", "VIRTUAL"] },
  unique: [{ fields: ["code"], title: "A location with this code already exists" }],
  dates: { created: "created_at", modified: "updated_at" },
  customFilters: {
    "location_id:in": (rec, value) => value.split(",").map(Number).includes(rec.id),
    "location_code:in": (rec, value) => value.split(",").includes(rec.code),
    "type_id:in": (rec, value) => value.split(",").includes(rec.type_id),
    is_active: (rec, value) => rec.enabled === (value === "true"),
    is_default: (rec, value) => (rec.id === 1) === (value === "true"),
    managed_by_external_source: (rec, value) => rec.managed_by_external_source === (value === "true"),
    storefront_visibility: (rec, value) => rec.storefront_visibility === (value === "true"),
  },
  validate: (input, ctx, existing) => {
    if (input.enabled !== false && !existing?.enabled) {
      const active = ctx.store
        .table("locations")
        .all()
        .filter((l) => l.enabled).length;
      if (active >= MAX_ACTIVE_LOCATIONS)
        return { enabled: `A store can have at most ${MAX_ACTIVE_LOCATIONS} active locations` };
    }
    if (existing?.id === 1 && input.enabled === false)
      return { enabled: "The default location cannot be disabled" };
    return undefined;
  },
  build: (rec) => {
    if (!rec.code) rec.code = `LOCATION-${rec.id}`;
  },
  onDelete: (rec, ctx) => {
    if (rec.id === 1) throw new ApiError(422, "The default location cannot be deleted");
    const levels = ctx.store.table("inventory_levels", "_key");
    for (const row of levels.by("location_id", rec.id)) levels.delete(row._key);
    cascadeDelete(ctx, "location_metafields", "resource_id", rec.id);
  },
  churn: (rec, rng) => ({ description: `Hours updated (${rng.int(1, 99)})`, label: rec.label }),
});

const INVENTORY_SCOPE = {
  read: ["store_inventory", "store_inventory_read_only"],
  write: ["store_inventory"],
};

/** Route-only resource for the inventory endpoints' scope checks (no generic routes). */
const inventoryScope = defineResource({
  name: "inventory_levels",
  version: "v3",
  path: "/inventory/items",
  key: "_key",
  keyType: "string",
  scope: INVENTORY_SCOPE,
  ops: [],
  defaults: {},
});

function transactionId(ctx: Ctx): string {
  return ctx.store.rng.uuid();
}

function levels(ctx: Ctx) {
  const t = ctx.store.table("inventory_levels", "_key");
  t.ensureIndex("variant_id");
  t.ensureIndex("location_id");
  return t;
}

/** Moves the variant's catalog `inventory_level` to the total over locations and raises the SKU webhook. */
function syncVariant(ctx: Ctx, variantId: number): void {
  const total = levels(ctx)
    .by("variant_id", variantId)
    .reduce((n, r) => n + r.total_inventory_onhand, 0);
  const variant = ctx.store.table(VARIANTS_TABLE).get(variantId);
  if (variant && "inventory_level" in variant) variant.inventory_level = total;
  emit(ctx, "store/sku/inventory/updated", {
    type: "sku",
    id: variant?.sku_id ?? variantId,
    inventory: {
      product_id: variant?.product_id ?? 0,
      method: "absolute",
      value: total,
      variant_id: variantId,
    },
  });
}

function intersect(query: URLSearchParams, name: string): Set<string> | null {
  const v = query.get(name);
  return v ? new Set(v.split(",").map((s) => s.trim())) : null;
}

function pageMeta(total: number, count: number, limit: number, page: number) {
  const totalPages = Math.ceil(total / limit);
  const links: Rec = { current: `?page=${page}&limit=${limit}` };
  if (page > 1) links.previous = `?page=${page - 1}&limit=${limit}`;
  if (page < totalPages) links.next = `?page=${page + 1}&limit=${limit}`;
  return {
    pagination: { total, count, per_page: limit, current_page: page, total_pages: totalPages, links },
  };
}

function pageParams(ctx: Ctx): { page: number; limit: number } {
  const limit = Number(ctx.query.get("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1) throw invalid({ limit: "error.invalid" }, "Invalid limit");
  if (limit > 1000) throw new ApiError(413, "The request payload is too large. The maximum limit is 1000.");
  return { page: Math.max(1, Number(ctx.query.get("page") ?? 1) || 1), limit };
}

function resolveItem(ctx: Ctx, item: Rec): Rec {
  const variant = findVariant(ctx.store, item);
  if (!variant)
    throw invalid({ items: `No variant matches ${JSON.stringify(item)}` }, "Inventory item not found");
  return variant;
}

function inventoryRoutes(api: RouteApi): void {
  api.on("POST", "v3", "/inventory/locations", async (c, ctx) => {
    requireScope(ctx, locations, true);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    if (body.length > 50)
      throw new ApiError(
        413,
        "The request payload is too large. The maximum items allowed in the array is 50.",
      );
    for (const item of body) createRecord(locations, item, ctx);
    return respond(locations, 200, { transaction_id: transactionId(ctx) });
  });
  api.on("PUT", "v3", "/inventory/locations", async (c, ctx) => {
    requireScope(ctx, locations, true);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    if (body.length > 50)
      throw new ApiError(
        413,
        "The request payload is too large. The maximum items allowed in the array is 50.",
      );
    for (const item of body) {
      const rec = tableOf(locations, ctx).get(Number(item?.id));
      if (!rec) throw invalid({ id: `Location ${String(item?.id)} does not exist` });
      updateRecord(locations, rec, item, ctx);
    }
    return respond(locations, 200, { transaction_id: transactionId(ctx) });
  });
  api.on("DELETE", "v3", "/inventory/locations", (_c, ctx) => {
    requireScope(ctx, locations, true);
    const ids = intersect(ctx.query, "location_id:in");
    if (!ids)
      throw invalid(
        { "location_id:in": "error.path.missing" },
        "At least one filter is required to delete in bulk",
      );
    for (const id of ids) {
      const rec = tableOf(locations, ctx).get(Number(id));
      if (rec) deleteRecord(locations, rec, ctx);
    }
    return respond(locations, 204, null);
  });

  api.on("GET", "v3", "/inventory/items", (_c, ctx) => {
    requireScope(ctx, inventoryScope, false);
    const { page, limit } = pageParams(ctx);
    const skus = intersect(ctx.query, "sku:in");
    const variantIds = intersect(ctx.query, "variant_id:in");
    const productIds = intersect(ctx.query, "product_id:in");
    const locationIds = intersect(ctx.query, "location_id:in");
    const codes = intersect(ctx.query, "location_code:in");
    let variants = ctx.store.table(VARIANTS_TABLE).all();
    if (skus || variantIds || productIds) {
      variants = variants.filter(
        (v) =>
          (!skus || skus.has(String(v.sku))) &&
          (!variantIds || variantIds.has(String(v.id))) &&
          (!productIds || productIds.has(String(v.product_id))),
      );
    }
    const locs = ctx.store
      .table("locations")
      .all()
      .filter((l) => (!locationIds || locationIds.has(String(l.id))) && (!codes || codes.has(l.code)));
    const slice = variants.slice((page - 1) * limit, page * limit);
    const data = slice.map((v) => {
      const byLocation = new Map(
        levels(ctx)
          .by("variant_id", v.id)
          .map((r) => [r.location_id, r]),
      );
      return {
        identity: {
          sku: String(v.sku ?? ""),
          variant_id: v.id,
          product_id: v.product_id,
          sku_id: v.sku_id ?? v.id,
        },
        locations: locs.map((l) => {
          const r = byLocation.get(l.id);
          const onHand = r?.total_inventory_onhand ?? 0;
          return {
            location_id: l.id,
            location_code: l.code,
            location_name: l.label,
            available_to_sell: Math.max(0, onHand - (r?.safety_stock ?? 0)),
            total_inventory_onhand: onHand,
            location_enabled: l.enabled,
            settings: {
              safety_stock: r?.safety_stock ?? 0,
              is_in_stock: onHand > 0,
              warning_level: r?.warning_level ?? 0,
              bin_picking_number: r?.bin_picking_number ?? "",
            },
          };
        }),
      };
    });
    return respond(inventoryScope, 200, { data, meta: pageMeta(variants.length, data.length, limit, page) });
  });

  api.on("GET", "v3", "/inventory/locations/:location_id{[0-9]+}/items", (_c, ctx) => {
    requireScope(ctx, inventoryScope, false);
    const location = ctx.store.table("locations").get(Number(ctx.params.location_id));
    if (!location) throw new ApiError(404, "The location was not found.");
    const { page, limit } = pageParams(ctx);
    const variantIds = intersect(ctx.query, "variant_id:in");
    const productIds = intersect(ctx.query, "product_id:in");
    const skus = intersect(ctx.query, "sku:in");
    const rows = levels(ctx)
      .by("location_id", location.id)
      .filter(
        (r) =>
          (!variantIds || variantIds.has(String(r.variant_id))) &&
          (!productIds || productIds.has(String(r.product_id))) &&
          (!skus || skus.has(r.sku)),
      );
    const slice = rows.slice((page - 1) * limit, page * limit);
    const data = slice.map((r) => ({
      identity: { sku: r.sku, variant_id: r.variant_id, product_id: r.product_id },
      available_to_sell: Math.max(0, r.total_inventory_onhand - r.safety_stock),
      total_inventory_onhand: r.total_inventory_onhand,
      settings: {
        safety_stock: r.safety_stock,
        is_in_stock: r.total_inventory_onhand > 0,
        warning_level: r.warning_level,
        bin_picking_number: r.bin_picking_number,
      },
    }));
    return respond(inventoryScope, 200, { data, meta: pageMeta(rows.length, data.length, limit, page) });
  });

  api.on("PUT", "v3", "/inventory/locations/:location_id{[0-9]+}/items", async (c, ctx) => {
    requireScope(ctx, inventoryScope, true);
    const location = ctx.store.table("locations").get(Number(ctx.params.location_id));
    if (!location) throw new ApiError(404, "The location was not found.");
    const body = (await readBody(c)) as Rec | undefined;
    if (!Array.isArray(body?.settings)) throw invalid({ settings: "error.expected.jsarray" });
    if (body.settings.length > MAX_ADJUSTMENTS)
      throw new ApiError(
        413,
        `The request payload is too large. The maximum items allowed in the array is ${MAX_ADJUSTMENTS}.`,
      );
    for (const s of body.settings as Rec[]) {
      const variant = resolveItem(ctx, (s.identity as Rec) ?? {});
      const row = levelRow(ctx, location.id, variant);
      for (const f of ["safety_stock", "warning_level", "bin_picking_number"])
        if (s[f] !== undefined) row[f] = s[f];
    }
    return respond(inventoryScope, 200, { transaction_id: transactionId(ctx) });
  });

  const adjust =
    (method: "absolute" | "relative") =>
    async (c: Parameters<Parameters<RouteApi["on"]>[3]>[0], ctx: Ctx) => {
      requireScope(ctx, inventoryScope, true);
      const body = (await readBody(c)) as Rec | undefined;
      if (!Array.isArray(body?.items)) throw invalid({ items: "error.expected.jsarray" });
      if (body.items.length > MAX_ADJUSTMENTS) {
        throw new ApiError(
          413,
          `The request payload is too large. The maximum items allowed in the array is ${MAX_ADJUSTMENTS}.`,
        );
      }
      const touched = new Set<number>();
      const resolved = (body.items as Rec[]).map((item, i) => {
        if (!Number.isInteger(item.quantity))
          throw invalid({ [`items.${i}.quantity`]: "error.expected.jsnumber" });
        const location = ctx.store.table("locations").get(Number(item.location_id));
        if (!location) throw invalid({ [`items.${i}.location_id`]: "The location does not exist" });
        return { location, variant: resolveItem(ctx, item), quantity: item.quantity as number };
      });
      for (const { location, variant, quantity } of resolved) {
        const row = levelRow(ctx, location.id, variant);
        row.total_inventory_onhand = method === "absolute" ? quantity : row.total_inventory_onhand + quantity;
        touched.add(variant.id);
      }
      for (const id of touched) syncVariant(ctx, id);
      return respond(inventoryScope, 200, { transaction_id: transactionId(ctx) });
    };
  api.on("PUT", "v3", "/inventory/adjustments/absolute", adjust("absolute"));
  api.on("POST", "v3", "/inventory/adjustments/relative", adjust("relative"));
}

function levelRow(ctx: Ctx, locationId: number, variant: Rec): Rec {
  const t = levels(ctx);
  const key = `${locationId}:${variant.id}`;
  let row = t.get(key);
  if (!row) {
    row = {
      _key: key,
      location_id: locationId,
      variant_id: variant.id,
      product_id: variant.product_id,
      sku: String(variant.sku ?? ""),
      sku_id: variant.sku_id ?? null,
      total_inventory_onhand: 0,
      safety_stock: 0,
      warning_level: 0,
      bin_picking_number: "",
      _created: ctx.now,
      _modified: ctx.now,
    };
    t.insert(row);
  }
  row._modified = ctx.now;
  return row;
}

export const locationMetafields = metafieldResources({
  name: "location_metafields",
  ownerPath: "/inventory/locations/:location_id{[0-9]+}",
  ownerParam: "location_id",
  ownerCollection: "locations",
  batchPath: "/inventory/locations/metafields",
  resourceType: "location",
  scope: { read: ["store_locations", "store_locations_read_only"], write: ["store_locations"] },
});

export const inventoryModule: ResourceModule = {
  name: "inventory",
  resources: [locations, inventoryScope, locationMetafields.perOwner, locationMetafields.batch],
  routes: (api) => {
    inventoryRoutes(api);
    locationMetafields.routes(api);
  },
};
