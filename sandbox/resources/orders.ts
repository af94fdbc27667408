import {
  cascadeDelete,
  defineResource,
  listPage,
  type RouteApi,
  requireScope,
  respond,
  serializeAs,
  tableOf,
} from "../engine/collection.ts";
import { type Ctx, emit } from "../engine/context.ts";
import { notFound, parseDateParam, rfc2822 } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { money4, round2 } from "../generate/content-kit.ts";
import { expandLine, ORDER_STATUSES, type StoredLine, statusName, storedLine } from "../generate/orders.ts";
import { findVariant, variantRef } from "./catalog-refs.ts";
import { colonSort } from "./colon-sort.ts";
import { metafieldResources } from "./metafields.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Orders (v2) with products, shipping addresses, coupons, fees, consignments; v3 transactions (read-only)
 * and order metafields. Per orders.v2.oas2.yml and orders.v3.yml. DELETE archives (`is_deleted`), as
 * BigCommerce does; archived orders leave the list unless `is_deleted=true` is asked for.
 */

const ORDER_SCOPE = "store_v2_orders";
const API_BASE = "https://api.bigcommerce.com/stores";

const ZERO = "0.0000";

/** `sort=` names of GET /v2/orders and the stored fields they compare. */
const ORDER_SORTS = {
  id: "id",
  customer_id: "customer_id",
  date_created: "_created",
  date_modified: "_modified",
  status_id: "status_id",
  channel_id: "channel_id",
  external_id: "external_id",
};

/** Every writable field of a v2 order with its default (the shape of the generator's rows). */
const ORDER_DEFAULTS: Rec = {
  customer_id: 0,
  date_created: "",
  date_modified: "",
  date_shipped: "",
  status_id: 1,
  status: "Pending",
  subtotal_ex_tax: ZERO,
  subtotal_inc_tax: ZERO,
  subtotal_tax: ZERO,
  base_shipping_cost: ZERO,
  shipping_cost_ex_tax: ZERO,
  shipping_cost_inc_tax: ZERO,
  shipping_cost_tax: ZERO,
  shipping_cost_tax_class_id: 2,
  base_handling_cost: ZERO,
  handling_cost_ex_tax: ZERO,
  handling_cost_inc_tax: ZERO,
  handling_cost_tax: ZERO,
  handling_cost_tax_class_id: 2,
  base_wrapping_cost: ZERO,
  wrapping_cost_ex_tax: ZERO,
  wrapping_cost_inc_tax: ZERO,
  wrapping_cost_tax: ZERO,
  wrapping_cost_tax_class_id: 3,
  total_ex_tax: ZERO,
  total_inc_tax: ZERO,
  total_tax: ZERO,
  items_total: 0,
  items_shipped: 0,
  payment_method: "",
  payment_provider_id: "",
  payment_status: "",
  refunded_amount: ZERO,
  order_is_digital: false,
  store_credit_amount: ZERO,
  gift_certificate_amount: ZERO,
  ip_address: "",
  ip_address_v6: "",
  geoip_country: "",
  geoip_country_iso2: "",
  currency_id: 1,
  currency_code: "USD",
  currency_exchange_rate: "1.0000000000",
  default_currency_id: 1,
  default_currency_code: "USD",
  staff_notes: "",
  customer_message: "",
  discount_amount: ZERO,
  coupon_discount: ZERO,
  shipping_address_count: 0,
  is_deleted: false,
  ebay_order_id: "0",
  cart_id: "",
  billing_address: {},
  is_email_opt_in: false,
  credit_card_type: null,
  order_source: "external",
  channel_id: 1,
  external_source: null,
  external_id: null,
  external_merchant_id: null,
  tax_provider_id: "",
  customer_locale: "en",
  external_order_id: "",
  store_default_currency_code: "USD",
  store_default_to_transactional_exchange_rate: "1.0000000000",
  custom_status: "Pending",
  is_tax_inclusive_pricing: false,
};

const MONEY_FIELDS = Object.keys(ORDER_DEFAULTS).filter((k) => ORDER_DEFAULTS[k] === ZERO);

const link = (ctx: Ctx, id: number, sub: string) => ({
  url: `${API_BASE}/${ctx.store.hash}/v2/orders/${id}/${sub}`,
  resource: `/orders/${id}/${sub}`,
});

function orderLines(ctx: Ctx, orderId: number): Rec[] {
  return ctx.store.table("order_products").by("order_id", orderId);
}

/** The consignments of an order: one shipping consignment per shipping address, with its line items. */
function consignments(ctx: Ctx, orderId: number, embedLines: boolean): Rec {
  const lines = orderLines(ctx, orderId);
  // Fields are read from the stored rows: their resources' serializers only add links (shipping quotes)
  // and expand line items, which is done here directly (50,000 orders are rendered on a full listing).
  const shipping = ctx.store
    .table("order_shipping_addresses")
    .by("order_id", orderId)
    .map((address) => {
      const id = address.id;
      const own = lines.filter((l) => l.order_address_id === id);
      return {
        id,
        first_name: address.first_name,
        last_name: address.last_name,
        company: address.company,
        street_1: address.street_1,
        street_2: address.street_2,
        city: address.city,
        zip: address.zip,
        country: address.country,
        country_iso2: address.country_iso2,
        state: address.state,
        email: address.email,
        phone: address.phone,
        form_fields: address.form_fields,
        line_items: embedLines
          ? own.map((l) => expandLine(l as StoredLine))
          : own.map((l) => ({
              url: `${link(ctx, orderId, "products").url}/${l.id}`,
              resource: `/orders/${orderId}/products/${l.id}`,
            })),
        items_total: address.items_total,
        items_shipped: address.items_shipped,
        shipping_method: address.shipping_method,
        base_cost: Number(address.base_cost),
        cost_ex_tax: Number(address.cost_ex_tax),
        cost_inc_tax: Number(address.cost_inc_tax),
        cost_tax: Number(address.cost_tax),
        cost_tax_class_id: address.cost_tax_class_id,
        base_handling_cost: Number(address.base_handling_cost),
        handling_cost_ex_tax: Number(address.handling_cost_ex_tax),
        handling_cost_inc_tax: Number(address.handling_cost_inc_tax),
        handling_cost_tax: Number(address.handling_cost_tax),
        handling_cost_tax_class_id: address.handling_cost_tax_class_id,
        shipping_zone_id: address.shipping_zone_id,
        shipping_zone_name: address.shipping_zone_name,
        shipping_quotes: link(ctx, orderId, `shipping_addresses/${id}/shipping_quotes`),
      };
    });
  return { pickups: [], shipping, downloads: [], email: { gift_certificates: [] } };
}

function includes(ctx: Ctx): Set<string> {
  return new Set((ctx.query.get("include") ?? "").split(",").map((s) => s.trim()));
}

export const orders = defineResource({
  name: "orders",
  version: "v2",
  path: "/orders",
  scope: ORDER_SCOPE,
  ops: ["list", "get", "create", "update"],
  defaults: ORDER_DEFAULTS,
  types: {
    billing_address: "object",
    external_source: "string",
    external_merchant_id: "string",
    payment_provider_id: "any",
  },
  readOnly: [
    "date_modified",
    "status",
    "custom_status",
    "is_deleted",
    "external_id",
    "coupon_discount",
    "shipping_address_count",
    "credit_card_type",
    "store_default_currency_code",
    "store_default_to_transactional_exchange_rate",
    "subtotal_tax",
    "total_tax",
    "cart_id",
  ],
  embedded: ["products", "shipping_addresses", "consignments", "fees"],
  filters: ["customer_id", "status_id", "cart_id", "payment_method", "channel_id", "external_order_id"],
  customFilters: {
    email: (rec, value) => String(rec.billing_address?.email ?? "").toLowerCase() === value.toLowerCase(),
    min_total: (rec, value) => Number(rec.total_inc_tax) >= Number(value),
    max_total: (rec, value) => Number(rec.total_inc_tax) <= Number(value),
    is_deleted: (rec, value) => rec.is_deleted === (value === "true"),
  },
  indexes: ["customer_id"],
  sortable: Object.values(ORDER_SORTS),
  dates: { created: "date_created", modified: "date_modified" },
  visible: (rec, ctx) =>
    !rec.is_deleted || ctx.params.__key !== undefined || ctx.query.get("is_deleted") === "true",
  validate: (input, ctx, existing) => {
    const errors: Record<string, string> = {};
    if (!existing) {
      const billing = input.billing_address as Rec | undefined;
      if (!billing || typeof billing !== "object")
        errors.billing_address = "The field 'billing_address' is required";
      else if (!billing.zip && !billing.country_iso2)
        errors["billing_address.zip"] = "The field 'zip' is required";
      const products = input.products;
      if (!Array.isArray(products) || products.length === 0)
        errors.products = "The field 'products' is required";
      else {
        products.forEach((p: Rec, i: number) => {
          if (p.product_id !== undefined) {
            if (!findVariant(ctx.store, p))
              errors[`products.${i}.product_id`] = `Product ${String(p.product_id)} was not found`;
          } else if (!p.name || p.price_inc_tax === undefined || p.price_ex_tax === undefined) {
            errors[`products.${i}`] = "A custom product needs name, quantity, price_inc_tax and price_ex_tax";
          }
          if (p.quantity !== undefined && (!Number.isInteger(p.quantity) || p.quantity < 1)) {
            errors[`products.${i}.quantity`] = "quantity must be a positive integer";
          }
        });
      }
    }
    if (input.status_id !== undefined && !ORDER_STATUSES.some((s) => s.id === input.status_id)) {
      errors.status_id = "The status_id is not valid";
    }
    if (input.customer_id && !ctx.store.table("customers").get(Number(input.customer_id))) {
      errors.customer_id = `Customer ${String(input.customer_id)} was not found`;
    }
    if (input.date_created !== undefined && Number.isNaN(parseDateParam(String(input.date_created)))) {
      errors.date_created = "The field 'date_created' must be an RFC 2822 date";
    }
    return Object.keys(errors).length ? errors : undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (input.date_created !== undefined) {
      const t = parseDateParam(String(input.date_created));
      rec._created = t;
      rec.date_created = rfc2822(t);
    }
    rec.status = statusName(rec.status_id);
    rec.custom_status = rec.status;
    for (const f of MONEY_FIELDS) if (typeof rec[f] === "number") rec[f] = money4(rec[f]);
    if (!existing) {
      rec.cart_id = "";
      rec.is_deleted = false;
      rec.billing_address = normalizeAddress(input.billing_address as Rec);
    } else if (existing.status_id !== rec.status_id) {
      emit(ctx, "store/order/statusUpdated", {
        type: "order",
        id: rec.id,
        status: { previous_status_id: existing.status_id, new_status_id: rec.status_id },
      });
    }
    if (existing && input.billing_address)
      rec.billing_address = normalizeAddress({
        ...existing.billing_address,
        ...(input.billing_address as Rec),
      });
  },
  afterWrite: (rec, input, ctx, kind) => {
    if (kind === "create") addOrderChildren(rec, input, ctx);
  },
  // Only the admin API's "delete" mutation removes an order for good (DELETE archives); children go with it.
  onDelete: (rec, ctx) => {
    for (const name of ["order_products", "order_shipping_addresses", "order_coupons", "order_fees"]) {
      const t = ctx.store.table(name);
      for (const child of t.by("order_id", rec.id)) t.delete(child.id);
    }
    const tx = ctx.store.table("order_transactions");
    for (const child of tx.by("_order_id", rec.id)) tx.delete(child.id);
    cascadeDelete(ctx, "order_metafields", "resource_id", rec.id);
  },
  serialize: (out, ctx) => {
    const inc = includes(ctx);
    const id = out.id as number;
    out.products = link(ctx, id, "products");
    out.shipping_addresses = link(ctx, id, "shipping_addresses");
    out.coupons = link(ctx, id, "coupons");
    if (inc.has("consignments") || inc.has("consignments.line_items")) {
      const value = consignments(ctx, id, inc.has("consignments.line_items"));
      out.consignments = ctx.query.get("consignment_structure") === "object" ? value : [value];
    } else {
      out.consignments = link(ctx, id, "consignments");
    }
    out.fees = inc.has("fees")
      ? ctx.store
          .table("order_fees")
          .by("order_id", id)
          .map((f) => serializeAs("order_fees", f, ctx))
      : link(ctx, id, "fees");
    return out;
  },
  webhooks: { scope: "store/order", type: "order" },
  render: {
    params: ["include", "consignment_structure"],
    children: ["order_products", "order_shipping_addresses", "order_fees"].map((collection) => ({
      collection,
      owner: (row: Rec) => row.order_id,
    })),
  },
  churn: (rec, rng) => {
    const next = [2, 10, 11, 9][rng.int(0, 3)] as number;
    return next === rec.status_id ? { staff_notes: `Checked ${rng.int(1, 9999)}` } : { status_id: next };
  },
});

function normalizeAddress(a: Rec): Rec {
  return {
    first_name: String(a.first_name ?? ""),
    last_name: String(a.last_name ?? ""),
    company: String(a.company ?? ""),
    street_1: String(a.street_1 ?? ""),
    street_2: String(a.street_2 ?? ""),
    city: String(a.city ?? ""),
    state: String(a.state ?? ""),
    zip: String(a.zip ?? ""),
    country: String(a.country ?? ""),
    country_iso2: String(a.country_iso2 ?? ""),
    phone: String(a.phone ?? ""),
    email: String(a.email ?? ""),
    form_fields: Array.isArray(a.form_fields) ? a.form_fields : [],
  };
}

/** POST /v2/orders: line items from catalog products or custom items, shipping addresses, totals. */
function addOrderChildren(order: Rec, input: Rec, ctx: Ctx): void {
  const addresses = ctx.store.table("order_shipping_addresses");
  const lines = ctx.store.table("order_products");
  const given =
    Array.isArray(input.shipping_addresses) && input.shipping_addresses.length
      ? (input.shipping_addresses as Rec[])
      : [order.billing_address];
  const addressIds: number[] = [];
  for (const a of given) {
    const id = ctx.store.nextId("order_shipping_addresses");
    addressIds.push(id);
    const n = normalizeAddress(a);
    const cost = Number(a.cost_ex_tax ?? a.base_cost ?? 0);
    addresses.insert({
      id,
      order_id: order.id,
      first_name: n.first_name,
      last_name: n.last_name,
      company: n.company,
      street_1: n.street_1,
      street_2: n.street_2,
      city: n.city,
      zip: n.zip,
      country: n.country,
      country_iso2: n.country_iso2,
      state: n.state,
      email: n.email,
      phone: n.phone,
      items_total: 0,
      items_shipped: 0,
      shipping_method: String(a.shipping_method ?? "None"),
      base_cost: money4(cost),
      cost_ex_tax: money4(cost),
      cost_inc_tax: money4(Number(a.cost_inc_tax ?? cost)),
      cost_tax: ZERO,
      cost_tax_class_id: 2,
      base_handling_cost: ZERO,
      handling_cost_ex_tax: ZERO,
      handling_cost_inc_tax: ZERO,
      handling_cost_tax: ZERO,
      handling_cost_tax_class_id: 2,
      shipping_zone_id: 1,
      shipping_zone_name: n.country,
      form_fields: n.form_fields,
    });
  }
  let subtotal = 0;
  let items = 0;
  const shipped = order.status_id === 2 || order.status_id === 10;
  for (const p of input.products as Rec[]) {
    const quantity = Number(p.quantity ?? 1);
    const id = ctx.store.nextId("order_products");
    const addressId = addressIds[
      Math.min(Number(p.order_address_index ?? 0), addressIds.length - 1)
    ] as number;
    let row: StoredLine;
    if (p.product_id !== undefined) {
      const ref = variantRef(ctx.store, findVariant(ctx.store, p) as Rec);
      const price = p.price_inc_tax !== undefined ? Number(p.price_inc_tax) : ref.price;
      row = storedLine(id, order.id, addressId, ref, quantity, price, shipped);
      if (p.price_ex_tax !== undefined) row.price_ex_tax = Number(p.price_ex_tax);
    } else {
      const custom = {
        id: 0,
        product_id: 0,
        sku: String(p.sku ?? ""),
        product_name: String(p.name),
        weight: 0,
      };
      row = storedLine(id, order.id, addressId, custom, quantity, Number(p.price_inc_tax), shipped);
      row.price_ex_tax = Number(p.price_ex_tax);
    }
    lines.insert({ ...row, _created: ctx.now, _modified: ctx.now });
    subtotal += row.price_inc_tax * quantity;
    items += quantity;
    const address = addresses.get(addressId);
    if (address) {
      address.items_total += quantity;
      if (shipped) address.items_shipped += quantity;
    }
  }
  // Totals the client did not give are computed from the lines, as BigCommerce does.
  if (input.subtotal_inc_tax === undefined) order.subtotal_inc_tax = money4(subtotal);
  if (input.subtotal_ex_tax === undefined) order.subtotal_ex_tax = money4(subtotal);
  if (input.items_total === undefined) order.items_total = items;
  if (input.items_shipped === undefined) order.items_shipped = shipped ? items : 0;
  const shipping = Number(order.shipping_cost_inc_tax);
  const discount = Number(order.discount_amount);
  if (input.total_inc_tax === undefined)
    order.total_inc_tax = money4(round2(Number(order.subtotal_inc_tax) + shipping - discount));
  if (input.total_ex_tax === undefined)
    order.total_ex_tax = money4(round2(Number(order.subtotal_ex_tax) + shipping - discount));
  order.shipping_address_count = addressIds.length;
  for (const f of (input.fees as Rec[] | undefined) ?? []) {
    const cost = Number(f.cost_inc_tax ?? f.base_cost ?? 0);
    ctx.store.table("order_fees").insert({
      id: ctx.store.nextId("order_fees"),
      order_id: order.id,
      type: "custom_fee",
      display_name_customer: String(f.display_name_customer ?? f.display_name_merchant ?? "Fee"),
      display_name_merchant: String(f.display_name_merchant ?? f.display_name_customer ?? "Fee"),
      source: String(f.source ?? "API"),
      base_cost: money4(Number(f.base_cost ?? cost)),
      cost_ex_tax: money4(Number(f.cost_ex_tax ?? cost)),
      cost_inc_tax: money4(cost),
      cost_tax: money4(Number(f.cost_tax ?? 0)),
      tax_class_id: typeof f.tax_class_id === "number" ? f.tax_class_id : null,
    });
  }
}

const orderParent = {
  param: "order_id",
  field: "order_id",
  collection: "orders",
  notFound: "The requested order was not found.",
};

const orderChild = (name: string, sub: string, extra: Partial<Parameters<typeof defineResource>[0]> = {}) =>
  defineResource({
    name,
    version: "v2",
    path: `/orders/:order_id{[0-9]+}/${sub}`,
    parent: orderParent,
    scope: ORDER_SCOPE,
    ops: ["list", "get"],
    defaults: {},
    ...extra,
  });

export const orderProducts = orderChild("order_products", "products", {
  serialize: (out) => expandLine(out as StoredLine),
});
export const orderShippingAddresses = orderChild("order_shipping_addresses", "shipping_addresses", {
  ops: ["list", "get", "update"],
  defaults: {
    first_name: "",
    last_name: "",
    company: "",
    street_1: "",
    street_2: "",
    city: "",
    state: "",
    zip: "",
    country: "",
    country_iso2: "",
    email: "",
    phone: "",
    shipping_method: "",
  },
  touchParent: true,
  serialize: (out, ctx) => {
    out.shipping_quotes = link(ctx, out.order_id, `shipping_addresses/${out.id}/shipping_quotes`);
    return out;
  },
});
export const orderCoupons = orderChild("order_coupons", "coupons", { ops: ["list"] });
export const orderFees = orderChild("order_fees", "fees", {
  ops: ["list"],
  serialize: (out) => {
    delete out.order_id;
    return out;
  },
});
export const orderTaxes = orderChild("order_taxes", "taxes", { ops: ["list"], noExport: true });
export const orderShipments = orderChild("order_shipments", "shipments", {
  ops: ["list", "get"],
  noExport: true,
});
export const orderMessages = orderChild("order_messages", "messages", { ops: ["list"], noExport: true });

export const orderTransactions = defineResource({
  name: "order_transactions",
  version: "v3",
  path: "/orders/:order_id{[0-9]+}/transactions",
  parent: {
    param: "order_id",
    field: "_order_id",
    collection: "orders",
    notFound: "The requested order was not found.",
  },
  scope: "store_v2_transactions",
  ops: ["list"],
  defaults: {},
});

export const orderMetafields = metafieldResources({
  name: "order_metafields",
  ownerPath: "/orders/:order_id{[0-9]+}",
  ownerParam: "order_id",
  ownerCollection: "orders",
  batchPath: "/orders/metafields",
  resourceType: "order",
  scope: ORDER_SCOPE,
  webhookScope: "store/order/metafield",
});

function orderRoutes(api: RouteApi): void {
  api.on("GET", "v2", "/orders", (_c, ctx) => {
    requireScope(ctx, orders, false);
    colonSort(ctx, ORDER_SORTS);
    const { status, body } = listPage(orders, ctx);
    return respond(orders, status, body);
  });
  api.on("GET", "v2", "/order_statuses", () =>
    respond(
      orders,
      200,
      ORDER_STATUSES.map((s) => ({
        id: s.id,
        name: s.name,
        system_label: s.name,
        custom_label: s.name,
        system_description: "",
        order: s.id,
      })),
    ),
  );
  api.on("GET", "v2", "/order_statuses/:id{[0-9]+}", (_c, ctx) => {
    const s = ORDER_STATUSES.find((x) => x.id === Number(ctx.params.id));
    if (!s) throw notFound();
    return respond(orders, 200, {
      id: s.id,
      name: s.name,
      system_label: s.name,
      custom_label: s.name,
      system_description: "",
      order: s.id,
    });
  });
  // DELETE archives the order (BigCommerce keeps it in the archive) and raises store/order/archived.
  api.on("DELETE", "v2", "/orders/:id{[0-9]+}", (_c, ctx) => {
    requireScope(ctx, orders, true);
    const rec = tableOf(orders, ctx).get(Number(ctx.params.id));
    if (!rec || rec.is_deleted) throw notFound();
    archive(rec, ctx);
    return respond(orders, 204, null);
  });
  api.on("DELETE", "v2", "/orders", (_c, ctx) => {
    requireScope(ctx, orders, true);
    for (const rec of tableOf(orders, ctx).all().slice()) if (!rec.is_deleted) archive(rec, ctx);
    return respond(orders, 204, null);
  });
  api.on("GET", "v2", "/orders/:order_id{[0-9]+}/consignments", (_c, ctx) => {
    requireScope(ctx, orders, false);
    const order = tableOf(orders, ctx).get(Number(ctx.params.order_id));
    if (!order) throw notFound("The requested order was not found.");
    return respond(orders, 200, consignments(ctx, order.id, ctx.query.get("include") === "line_items"));
  });
}

function archive(rec: Rec, ctx: Ctx): void {
  const archived = { ...rec, is_deleted: true, _modified: ctx.now, date_modified: rfc2822(ctx.now) };
  tableOf(orders, ctx).replace(archived);
  emit(ctx, "store/order/archived", { type: "order", id: rec.id });
}

export const ordersModule: ResourceModule = {
  name: "orders",
  resources: [
    orders,
    orderProducts,
    orderShippingAddresses,
    orderCoupons,
    orderFees,
    orderTaxes,
    orderShipments,
    orderMessages,
    orderTransactions,
    orderMetafields.perOwner,
    orderMetafields.batch,
  ],
  routes: (api) => {
    orderRoutes(api);
    orderMetafields.routes(api);
  },
};
