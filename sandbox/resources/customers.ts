import {
  cascadeDelete,
  createRecord,
  defineResource,
  findRecord,
  listPage,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  runBatch,
  serializeAs,
  tableOf,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, isoDate } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { colonSort } from "./colon-sort.ts";
import { metafieldResources } from "./metafields.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Customers (v3) with addresses, attribute values, form field values and store credit; customer
 * attributes; customer groups (v2); subscribers; wishlists. Per customers.v3.yml, customers.v2.yml,
 * subscribers.v3.yml and wishlists.v3.yml.
 */

const CUSTOMER_SCOPE = "store_v2_customers";
const MAX_ATTRIBUTES = 50;

/** Whether the request includes `name`; the admin export (not a live request) always gets the whole record. */
const wants = (ctx: Ctx, name: string) =>
  !ctx.live || (ctx.query.get("include") ?? "").split(",").includes(name);

const ADDRESS_FIELDS = [
  "customer_id",
  "first_name",
  "last_name",
  "company",
  "phone",
  "address_type",
  "address1",
  "address2",
  "city",
  "country_code",
  "state_or_province",
  "postal_code",
] as const;

const COUNTRIES: Record<string, string> = {
  US: "United States",
  CA: "Canada",
  GB: "United Kingdom",
  DE: "Germany",
  FR: "France",
  AU: "Australia",
  NL: "Netherlands",
  ES: "Spain",
  IT: "Italy",
  JP: "Japan",
};

function emailTaken(ctx: Ctx, email: unknown, self?: number): boolean {
  if (typeof email !== "string" || !email) return false;
  const t = ctx.store.table("customers");
  t.ensureIndex("email");
  return t.by("email", email.toLowerCase()).some((c) => c.id !== self);
}

export const customers = defineResource({
  name: "customers",
  version: "v3",
  path: "/customers",
  scope: CUSTOMER_SCOPE,
  ops: ["list", "batchCreate", "batchUpdate", "batchDelete"],
  cursor: true,
  maxBatch: 10,
  defaults: {
    email: "",
    first_name: "",
    last_name: "",
    company: "",
    phone: "",
    registration_ip_address: "",
    notes: "",
    tax_exempt_category: "",
    customer_group_id: 0,
    date_modified: "",
    date_created: "",
    address_count: 0,
    attribute_count: 0,
    authentication: { force_password_reset: false },
    store_credit_amounts: [{ amount: 0 }],
    accepts_product_review_abandoned_cart_emails: false,
    origin_channel_id: 1,
    channel_ids: [1],
  },
  types: { channel_ids: "array", store_credit_amounts: "array" },
  readOnly: ["registration_ip_address", "date_created", "date_modified", "address_count", "attribute_count"],
  embedded: ["addresses", "attributes", "form_fields"],
  required: ["email", "first_name", "last_name"],
  filters: [
    "email",
    "company",
    "customer_group_id",
    "phone",
    "registration_ip_address",
    "first_name",
    "last_name",
  ],
  customFilters: {
    "name:in": (rec, value) => value.split(",").includes(`${rec.first_name} ${rec.last_name}`),
    "name:like": (rec, value) =>
      `${rec.first_name} ${rec.last_name}`.toLowerCase().includes(value.toLowerCase()),
    "email:in": (rec, value) => value.toLowerCase().split(",").includes(rec.email),
  },
  indexes: ["email"],
  sortable: ["_created", "_modified", "last_name"],
  dates: { created: "date_created", modified: "date_modified" },
  validate: (input, ctx, existing) => {
    const errors: Record<string, string> = {};
    if (input.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(input.email))) {
      errors.email = "email must be a valid email address";
    } else if (emailTaken(ctx, input.email, existing?.id)) {
      errors.email = `The email address ${String(input.email)} is already in use by another customer`;
    }
    const groupId = input.customer_group_id;
    if (typeof groupId === "number" && groupId !== 0 && !ctx.store.table("customer_groups").get(groupId)) {
      errors.customer_group_id = "customer group does not exist";
    }
    if (Array.isArray(input.addresses) && input.addresses.length > 10)
      errors.addresses = "at most 10 addresses";
    if (Array.isArray(input.attributes) && input.attributes.length > 10)
      errors.attributes = "at most 10 attributes";
    return Object.keys(errors).length ? errors : undefined;
  },
  build: (rec, input, ctx, existing) => {
    rec.email = String(rec.email).toLowerCase();
    const auth = input.authentication as Rec | undefined;
    rec.authentication = {
      force_password_reset: Boolean(
        auth?.force_password_reset ?? existing?.authentication?.force_password_reset ?? false,
      ),
    };
    if (existing) rec.origin_channel_id = existing.origin_channel_id;
    else if (!rec.registration_ip_address) rec.registration_ip_address = "";
    if (!existing) rec._client = ctx.grant.clientId;
  },
  afterWrite: (rec, input, ctx, kind) => {
    if (kind !== "create") return;
    for (const address of (input.addresses as Rec[] | undefined) ?? []) {
      createRecord(customerAddresses, { ...address, customer_id: rec.id }, ctx);
    }
    for (const attribute of (input.attributes as Rec[] | undefined) ?? []) {
      upsertAttributeValue(ctx, { ...attribute, customer_id: rec.id });
    }
    for (const field of (input.form_fields as Rec[] | undefined) ?? []) {
      ctx.store
        .table("customer_form_field_values", "_key")
        .insert(formFieldRow(field, { customer_id: rec.id }));
    }
  },
  onDelete: (rec, ctx) => {
    cascadeDelete(ctx, "customer_addresses", "customer_id", rec.id);
    cascadeDelete(ctx, "customer_attribute_values", "customer_id", rec.id);
    cascadeDelete(ctx, "customer_metafields", "resource_id", rec.id);
    cascadeDelete(ctx, "wishlists", "customer_id", rec.id);
    const forms = ctx.store.table("customer_form_field_values", "_key");
    for (const row of forms.by("customer_id", rec.id)) forms.delete(row._key);
  },
  serialize: (out, ctx) => {
    out.address_count = ctx.store.table("customer_addresses").by("customer_id", out.id).length;
    out.attribute_count = ctx.store.table("customer_attribute_values").by("customer_id", out.id).length;
    if (!wants(ctx, "storecredit")) delete out.store_credit_amounts;
    return out;
  },
  includes: {
    addresses: (rec, ctx) =>
      ctx.store
        .table("customer_addresses")
        .by("customer_id", rec.id)
        .map((a) => {
          const address = serializeAs("customer_addresses", a, ctx);
          address.form_fields = formFieldsOf(ctx, "address_id", a.id);
          return address;
        }),
    storecredit: (rec) => rec.store_credit_amounts,
    attributes: (rec, ctx) =>
      ctx.store
        .table("customer_attribute_values")
        .by("customer_id", rec.id)
        .map((v) => serializeAs("customer_attribute_values", v, ctx)),
    formfields: (rec, ctx) => formFieldsOf(ctx, "customer_id", rec.id),
  },
  webhooks: { scope: "store/customer", type: "customer" },
  render: {
    params: ["include"],
    children: [
      { collection: "customer_addresses", owner: (row) => row.customer_id },
      { collection: "customer_attribute_values", owner: (row) => row.customer_id },
      {
        collection: "customer_form_field_values",
        key: "_key",
        owner: (row, store) =>
          row.customer_id ?? store.table("customer_addresses").get(row.address_id)?.customer_id,
      },
    ],
  },
  churn: (_rec, rng) => ({
    notes: `Churn note ${rng.int(1, 9999)}`,
    phone: `+1 512 555 ${String(rng.int(0, 9999)).padStart(4, "0")}`,
  }),
});

export const customerAddresses = defineResource({
  name: "customer_addresses",
  version: "v3",
  path: "/customers/addresses",
  scope: CUSTOMER_SCOPE,
  ops: ["list", "batchCreate", "batchUpdate", "batchDelete"],
  maxBatch: 10,
  defaults: {
    customer_id: 0,
    first_name: "",
    last_name: "",
    company: "",
    address1: "",
    address2: "",
    city: "",
    state_or_province: "",
    postal_code: "",
    country: "",
    country_code: "",
    phone: "",
    address_type: "residential",
  },
  readOnly: ["country"],
  embedded: ["form_fields"],
  required: [
    "customer_id",
    "first_name",
    "last_name",
    "address1",
    "city",
    "state_or_province",
    "postal_code",
    "country_code",
  ],
  enums: { address_type: ["residential", "commercial"] },
  filters: ["customer_id", "company"],
  customFilters: {
    "name:in": (rec, value) => value.split(",").includes(`${rec.first_name} ${rec.last_name}`),
  },
  indexes: ["customer_id"],
  validate: (input, ctx, existing) => {
    const customerId = input.customer_id ?? existing?.customer_id;
    if (customerId !== undefined && !ctx.store.table("customers").get(Number(customerId))) {
      return { customer_id: `customer ${String(customerId)} does not exist` };
    }
    if (input.country_code !== undefined && !/^[A-Z]{2}$/.test(String(input.country_code))) {
      return { country_code: "country_code must be an ISO 3166-1 alpha-2 code" };
    }
    return undefined;
  },
  build: (rec) => {
    rec.country = COUNTRIES[rec.country_code] ?? rec.country_code;
  },
  afterWrite: (rec, input, ctx) => {
    for (const field of (input.form_fields as Rec[] | undefined) ?? []) {
      ctx.store
        .table("customer_form_field_values", "_key")
        .insert(formFieldRow(field, { address_id: rec.id }));
    }
    touchCustomer(ctx, rec.customer_id);
  },
  onDelete: (rec, ctx) => touchCustomer(ctx, rec.customer_id),
  includes: { formfields: (rec, ctx) => formFieldsOf(ctx, "address_id", rec.id) },
  webhooks: {
    scope: "store/customer/address",
    type: "customer",
    data: (rec) => ({ address: { customer_id: rec.customer_id } }),
  },
});

/** A change of a customer's sub-resource moves the customer's date_modified. */
function touchCustomer(ctx: Ctx, customerId: number): void {
  if (!ctx.live) return;
  const customer = ctx.store.table("customers").get(customerId);
  if (!customer) return;
  customer._modified = ctx.now;
  customer.date_modified = isoDate(ctx.now);
}

export const customerAttributes = defineResource({
  name: "customer_attributes",
  version: "v3",
  path: "/customers/attributes",
  scope: CUSTOMER_SCOPE,
  ops: ["list", "batchCreate", "batchUpdate", "batchDelete"],
  maxBatch: 10,
  defaults: { name: "", type: "string", date_created: "", date_modified: "" },
  readOnly: ["date_created", "date_modified"],
  required: ["name", "type"],
  enums: { type: ["string", "number", "date"] },
  filters: ["name", "type"],
  dates: { created: "date_created", modified: "date_modified" },
  validate: (_input, ctx, existing) => {
    if (!existing && ctx.store.table("customer_attributes").size >= MAX_ATTRIBUTES) {
      return { name: `A store can have at most ${MAX_ATTRIBUTES} customer attributes` };
    }
    return undefined;
  },
  // The type of an attribute cannot change once values may exist.
  build: (rec, _input, _ctx, existing) => {
    if (existing) rec.type = existing.type;
  },
  unique: [{ fields: ["name"], title: "A customer attribute with this name already exists" }],
  onDelete: (rec, ctx) => cascadeDelete(ctx, "customer_attribute_values", "attribute_id", rec.id),
});

export const customerAttributeValues = defineResource({
  name: "customer_attribute_values",
  version: "v3",
  path: "/customers/attribute-values",
  scope: CUSTOMER_SCOPE,
  ops: ["list", "batchDelete"],
  maxBatch: 10,
  defaults: { attribute_id: 0, attribute_value: "", customer_id: 0, date_created: "", date_modified: "" },
  readOnly: ["date_created", "date_modified"],
  required: ["attribute_id", "attribute_value", "customer_id"],
  filters: ["customer_id", "attribute_id", "name"],
  indexes: ["customer_id", "attribute_id"],
  dates: { created: "date_created", modified: "date_modified" },
  validate: (input, ctx, existing) => {
    const attribute = ctx.store
      .table("customer_attributes")
      .get(Number(input.attribute_id ?? existing?.attribute_id));
    if (input.attribute_id !== undefined && !attribute) return { attribute_id: "attribute does not exist" };
    if (input.customer_id !== undefined && !ctx.store.table("customers").get(Number(input.customer_id))) {
      return { customer_id: "customer does not exist" };
    }
    const value = String(input.attribute_value ?? "");
    if (attribute?.type === "number" && value !== "" && Number.isNaN(Number(value))) {
      return { attribute_value: "attribute_value must be a number" };
    }
    if (attribute?.type === "date" && value !== "" && Number.isNaN(Date.parse(value))) {
      return { attribute_value: "attribute_value must be a date" };
    }
    return undefined;
  },
  afterWrite: (rec, _input, ctx) => touchCustomer(ctx, rec.customer_id),
});

/** Attribute values are upserted per (customer, attribute); the PUT body names the value `value`. */
function upsertAttributeValue(ctx: Ctx, raw: Rec): Rec {
  const input =
    raw.value !== undefined && raw.attribute_value === undefined
      ? { ...raw, attribute_value: raw.value }
      : raw;
  const existing = ctx.store
    .table("customer_attribute_values")
    .by("customer_id", Number(input.customer_id))
    .find((v) => v.attribute_id === Number(input.attribute_id));
  if (existing)
    return updateRecord(customerAttributeValues, existing, { attribute_value: input.attribute_value }, ctx);
  return createRecord(customerAttributeValues, input, ctx);
}

function formFieldRow(field: Rec, owner: { customer_id?: number; address_id?: number }): Rec {
  const ownerKey = owner.customer_id !== undefined ? `c${owner.customer_id}` : `a${owner.address_id}`;
  return {
    _key: `${ownerKey}:${String(field.name)}`,
    name: String(field.name),
    value: field.value,
    ...owner,
  };
}

function formFieldsOf(ctx: Ctx, field: "customer_id" | "address_id", id: number): Rec[] {
  return ctx.store
    .table("customer_form_field_values", "_key")
    .by(field, id)
    .map((row) => ({ name: row.name, value: row.value, [field]: row[field] }));
}

/** GET/PUT /v3/customers/form-field-values: values of custom form fields, keyed by owner and name. */
export const customerFormFieldValues = defineResource({
  name: "customer_form_field_values",
  version: "v3",
  path: "/customers/form-field-values",
  key: "_key",
  keyType: "string",
  scope: CUSTOMER_SCOPE,
  ops: ["list"],
  defaults: { name: "", value: "", customer_id: null, address_id: null },
  types: { value: "any", customer_id: "number", address_id: "number" },
  filters: ["customer_id", "address_id", "field_name"],
  indexes: ["customer_id", "address_id"],
  serialize: (out) => {
    if (out.customer_id === undefined || out.customer_id === null) delete out.customer_id;
    if (out.address_id === undefined || out.address_id === null) delete out.address_id;
    return out;
  },
});

export const customerGroups = defineResource({
  name: "customer_groups",
  version: "v2",
  path: "/customer_groups",
  scope: CUSTOMER_SCOPE,
  defaults: {
    name: "",
    is_default: false,
    category_access: { type: "all" },
    discount_rules: [],
    date_created: "",
    date_modified: "",
    is_group_for_guests: false,
  },
  types: { discount_rules: "array" },
  readOnly: ["date_created", "date_modified"],
  required: ["name"],
  filters: ["name", "is_default", "is_group_for_guests"],
  dates: { created: "date_created", modified: "date_modified" },
  unique: [{ fields: ["name"], title: "The customer group name is already in use" }],
  validate: (input, ctx) => {
    for (const rule of (input.discount_rules as Rec[] | undefined) ?? []) {
      if (rule.type === "price_list" && !ctx.store.table("price_lists").get(Number(rule.price_list_id))) {
        return { discount_rules: `price list ${String(rule.price_list_id)} does not exist` };
      }
    }
    return undefined;
  },
  churn: (rec, rng) => ({ name: `${String(rec.name).replace(/ \(\d+\)$/, "")} (${rng.int(1, 999)})` }),
});

export const subscribers = defineResource({
  name: "subscribers",
  version: "v3",
  path: "/customers/subscribers",
  scope: CUSTOMER_SCOPE,
  ops: ["list", "get", "create", "update", "delete", "batchDelete"],
  defaults: {
    email: "",
    first_name: "",
    last_name: "",
    source: "",
    order_id: null,
    channel_id: 1,
    consents: [],
    date_modified: "",
    date_created: "",
  },
  types: { order_id: "number", consents: "array" },
  readOnly: ["date_created", "date_modified"],
  required: ["email"],
  filters: ["email", "first_name", "last_name", "source", "order_id", "channel_id"],
  indexes: ["email"],
  sortable: ["_created", "_modified", "last_name"],
  dates: { created: "date_created", modified: "date_modified" },
  unique: [{ fields: ["email", "channel_id"], title: "A subscriber with this email already exists" }],
  webhooks: { scope: "store/subscriber", type: "subscriber" },
  churn: (rec, rng) => ({ first_name: `${String(rec.first_name).split(" ")[0]} ${rng.int(1, 99)}` }),
});

export const wishlists = defineResource({
  name: "wishlists",
  version: "v3",
  path: "/wishlists",
  scope: CUSTOMER_SCOPE,
  defaults: { customer_id: 0, name: "", is_public: false, token: "", items: [] },
  types: { items: "array" },
  readOnly: ["token"],
  required: ["customer_id"],
  filters: ["customer_id"],
  validate: (input, ctx) => {
    if (input.customer_id !== undefined && !ctx.store.table("customers").get(Number(input.customer_id))) {
      return { customer_id: "customer does not exist" };
    }
    return undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (!existing) rec.token = ctx.store.rng.uuid();
    // A PUT with items replaces the list; items that name an existing item id keep it.
    if (Array.isArray(input.items)) {
      rec.items = [];
      addWishlistItems(ctx, rec, input.items as Rec[], existing?.items ?? []);
    }
  },
});

function addWishlistItems(ctx: Ctx, wishlist: Rec, items: Rec[], known: Rec[] = []): void {
  for (const item of items) {
    const productId = Number(item?.product_id);
    if (!ctx.store.table("products").get(productId))
      throw invalid({ "items.product_id": `Product ${String(item?.product_id)} does not exist` });
    const variantId = item.variant_id === undefined ? undefined : Number(item.variant_id);
    if (variantId !== undefined && ctx.store.table("variants").get(variantId)?.product_id !== productId) {
      throw invalid({
        "items.variant_id": `Variant ${String(item.variant_id)} does not belong to product ${productId}`,
      });
    }
    if (wishlist.items.some((i: Rec) => i.product_id === productId && i.variant_id === variantId)) continue;
    const kept = known.find((i) => i.id === item.id);
    wishlist.items.push({
      id: kept ? kept.id : ctx.store.nextId("wishlist_items"),
      product_id: productId,
      ...(variantId ? { variant_id: variantId } : {}),
    });
  }
}

/** An address identical (in every core field) to one the customer already has. */
function duplicateAddress(ctx: Ctx, item: Rec): boolean {
  return ctx.store
    .table("customer_addresses")
    .by("customer_id", Number(item?.customer_id))
    .some((a) => ADDRESS_FIELDS.every((f) => (item[f] ?? customerAddresses.defaults[f]) === a[f]));
}

/** `sort=` names of GET /v3/customers and the stored fields they compare. */
const CUSTOMER_SORTS = { date_created: "_created", date_modified: "_modified", last_name: "last_name" };

function customerRoutes(api: RouteApi): void {
  api.on("GET", "v3", "/customers", (_c, ctx) => {
    requireScope(ctx, customers, false);
    colonSort(ctx, CUSTOMER_SORTS);
    const { status, body } = listPage(customers, ctx);
    return respond(customers, status, body);
  });
  // BigCommerce silently skips an address that already exists: 200, and it is absent from the response.
  api.on("POST", "v3", "/customers/addresses", async (c, ctx) => {
    requireScope(ctx, customerAddresses, true);
    const body = await readBody(c);
    if (Array.isArray(body) && body.length > (customerAddresses.maxBatch ?? 10)) {
      throw new ApiError(
        413,
        `The request payload is too large. The maximum items allowed in the array is ${customerAddresses.maxBatch}.`,
      );
    }
    const fresh = Array.isArray(body) ? body.filter((item) => !duplicateAddress(ctx, item as Rec)) : body;
    if (Array.isArray(fresh) && fresh.length === 0)
      return respond(customerAddresses, 200, { data: [], meta: {} });
    const r = runBatch(customerAddresses, ctx, fresh, (item) => createRecord(customerAddresses, item, ctx));
    return respond(customerAddresses, r.status, r.body);
  });
  api.on("PUT", "v3", "/customers/attribute-values", async (c, ctx) => {
    requireScope(ctx, customerAttributeValues, true);
    const body = await readBody(c);
    const r = runBatch(customerAttributeValues, ctx, body, (item) => upsertAttributeValue(ctx, item));
    return respond(customerAttributeValues, r.status, r.body);
  });
  api.on("PUT", "v3", "/customers/form-field-values", async (c, ctx) => {
    requireScope(ctx, customerFormFieldValues, true);
    const body = await readBody(c);
    const t = ctx.store.table("customer_form_field_values", "_key");
    const r = runBatch(customerFormFieldValues, ctx, body, (item) => {
      if (typeof item?.name !== "string") throw invalid({ name: "error.path.missing" });
      if (item.customer_id !== undefined) {
        if (!ctx.store.table("customers").get(Number(item.customer_id)))
          throw invalid({ customer_id: "customer does not exist" });
        return t.replace(formFieldRow(item, { customer_id: Number(item.customer_id) }));
      }
      if (item.address_id !== undefined) {
        if (!ctx.store.table("customer_addresses").get(Number(item.address_id)))
          throw invalid({ address_id: "address does not exist" });
        return t.replace(formFieldRow(item, { address_id: Number(item.address_id) }));
      }
      throw invalid({ customer_id: "customer_id or address_id is required" });
    });
    return respond(customerFormFieldValues, r.status, r.body);
  });
  api.on("POST", "v3", "/wishlists/:wishlist_id{[0-9]+}/items", async (c, ctx) => {
    requireScope(ctx, wishlists, true);
    const wishlist = findRecord(wishlists, ctx, ctx.params.wishlist_id);
    const body = (await readBody(c)) as Rec | undefined;
    if (!Array.isArray(body?.items)) throw invalid({ items: "error.expected.jsarray" });
    const updated = { ...wishlist, items: wishlist.items.slice() };
    addWishlistItems(ctx, updated, body.items as Rec[]);
    tableOf(wishlists, ctx).replace(updated);
    return respond(wishlists, 200, { data: serializeAs("wishlists", updated, ctx), meta: {} });
  });
  api.on("DELETE", "v3", "/wishlists/:wishlist_id{[0-9]+}/items/:item_id{[0-9]+}", (_c, ctx) => {
    requireScope(ctx, wishlists, true);
    const wishlist = findRecord(wishlists, ctx, ctx.params.wishlist_id);
    const itemId = Number(ctx.params.item_id);
    if (!wishlist.items.some((i: Rec) => i.id === itemId))
      throw new ApiError(404, "The wishlist item was not found.");
    const updated = { ...wishlist, items: wishlist.items.filter((i: Rec) => i.id !== itemId) };
    tableOf(wishlists, ctx).replace(updated);
    return respond(wishlists, 200, { data: serializeAs("wishlists", updated, ctx), meta: {} });
  });
}

export const customerMetafields = metafieldResources({
  name: "customer_metafields",
  ownerPath: "/customers/:customer_id{[0-9]+}",
  ownerParam: "customer_id",
  ownerCollection: "customers",
  batchPath: "/customers/metafields",
  resourceType: "customer",
  scope: CUSTOMER_SCOPE,
});

export const customersModule: ResourceModule = {
  name: "customers",
  resources: [
    customerGroups,
    customerAttributes,
    customers,
    customerAddresses,
    customerAttributeValues,
    customerFormFieldValues,
    subscribers,
    wishlists,
    customerMetafields.perOwner,
    customerMetafields.batch,
  ],
  routes: (api) => {
    customerRoutes(api);
    customerMetafields.routes(api);
  },
};
