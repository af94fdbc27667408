import type { ApiRecord } from "./client";
import type { ContentType, TypeKey } from "./registry";

/**
 * How records are written back to BigCommerce, beyond the registry's `restore` entry (top-level
 * create/update/delete paths): the sub-resources a record carries and their endpoints, the ids it
 * references (remapped after a re-create), natural-key checks run before anything is written, and
 * what a re-created record needs. Restore (single, bulk, undo) reads only this and the registry.
 *
 * Paths: `{id}` is the live id of the record, `{child}` the live id of the sub-resource,
 * `{parent}` the id of the record's parent for per-parent types.
 */

/** A reference to another record inside a body. `path` walks objects by name and arrays with `[]`. */
export type RefSpec = {
  path: string;
  type: TypeKey;
  /** Only when the record matches (e.g. a redirect pointing to a product). */
  when?: (record: ApiRecord) => boolean;
};

/**
 * A pairing key for sub-resources whose ids differ between the version and the live record (after a
 * re-create, or when someone deleted and re-added one): a field, or several fields together.
 */
export type MatchKey = string | string[];

export type ChildWrite = {
  /** Where the sub-resources sit in the record's body. */
  field: string;
  /** Collection path (create; update/delete append `/{child}` when `shape` is "single"). */
  path: string;
  idField: string;
  /** Tried in order when ids do not pair. */
  match: MatchKey[];
  /** Server-assigned fields: never written, never compared. */
  readOnly: string[];
  /**
   * `single`: POST path with one object, PUT/DELETE path/{child}.
   * `array`: POST/PUT path with an array of objects (ids inside), DELETE path?{idField}:in=.
   */
  shape: "single" | "array";
  /** The create call's method when it is not POST (upserts). */
  createMethod?: "PUT";
  /** Field on each sub-resource naming its parent record (array endpoints are store-wide). */
  parentField?: string;
  /** Sent inside the parent's create call (saves one call per sub-resource). */
  embedInCreate?: boolean;
  /** Sub-resources BigCommerce keeps by itself and that are never deleted (a product's base variant). */
  permanent?: (child: ApiRecord) => boolean;
  /**
   * Rewrites a sub-resource before writing it; `live` is the parent as it is now (siblings synced earlier),
   * `version` the parent as the version has it (to name what old ids meant).
   */
  prepare?: (child: ApiRecord, live: ApiRecord, version: ApiRecord) => ApiRecord;
  /** Later sub-resources name these by id (variants in complex rules): read them back after writing. */
  refreshAfter?: boolean;
  /** Sub-resources of each sub-resource (an option's values), synced after their owner; `{child}` in their path is the owner's live id. */
  nested?: ChildWrite;
  /** The create call takes `{ [createWrap]: [sub-resource] }` instead of the sub-resource itself. */
  createWrap?: string;
  /** No update endpoint (wishlist items): a changed sub-resource is deleted and created again. */
  immutable?: boolean;
  /** A nested list its owner's create call does not take (variant metafields): written after the owner exists. */
  afterOwner?: boolean;
  /**
   * A store-wide endpoint updating up to `max` sub-resources of any records in one call, each naming
   * itself by id (variants: `PUT /catalog/variants`, 50): what a bulk restore writes them with.
   */
  batchUpdate?: { path: string; max: number };
};

/** A natural key the store keeps unique: checked before writing, so a conflict stops the restore cleanly. */
export type UniqueCheck = {
  /** What the merchant calls it ("SKU"). */
  label: string;
  /** Field path in the body (`variants[].sku` checks every variant). */
  field: string;
  /** List endpoint that finds records by that value, and the query parameter taking a comma list. */
  path: string;
  param: string;
  /** Field of the found record naming the record that holds the key (defaults to the type's id field). */
  owner?: string;
};

export type WriteSpec = {
  children?: ChildWrite[];
  refs?: RefSpec[];
  /** Added to a re-created record's body (a restored customer must choose a new password). */
  onCreate?: Record<string, unknown>;
  unique?: UniqueCheck[];
  /** Top-level fields BigCommerce derives from others: shown in the compare view but never reported as not accepted. */
  derived?: string[];
  /** The record's fields as the write endpoints name them, where reads name them differently (before read-only fields are stripped). */
  forWrite?: (record: ApiRecord) => ApiRecord;
  /**
   * Optional fields BigCommerce leaves out when unset (a price list record's sale price): when the version
   * has none and the live record has one, it is written as null so the restore removes it.
   */
  clearable?: string[];
  /** The write endpoint's body when it is not the record itself (inventory: an absolute adjustment). */
  writeBody?: (record: ApiRecord) => unknown;
  /** Why BigCommerce cannot delete these records (undo of a re-create then stops with this sentence). */
  undeletable?: string;
  /** Records (by vault id) BigCommerce offers no write for, and why: their restore is refused up front. */
  readOnlyRecords?: Record<string, string>;
};

const metafields = (resource: string, path = `/${resource}/{id}/metafields`): ChildWrite => ({
  field: "metafields",
  path,
  idField: "id",
  match: [["namespace", "key"]],
  readOnly: ["id", "date_created", "date_modified", "owner_client_id", "resource_id", "resource_type"],
  shape: "single",
});

type OptionValueRef = { id?: number; option_id?: number; label?: string; option_display_name?: string };

/** Variant option values name their option and value; after options are re-created the ids are new, the names are not. */
function variantWithLiveOptionIds(variant: ApiRecord, live: ApiRecord): ApiRecord {
  const options =
    (live.options as {
      id: number;
      display_name: string;
      option_values?: { id: number; label: string }[];
    }[]) ?? [];
  const values = ((variant.option_values as OptionValueRef[]) ?? []).map((ov) => {
    const option =
      options.find((o) => o.display_name === ov.option_display_name) ??
      options.find((o) => o.id === ov.option_id);
    const value = option?.option_values?.find((v) => v.label === ov.label);
    return option && value ? { id: value.id, option_id: option.id } : { id: ov.id, option_id: ov.option_id };
  });
  return { ...variant, option_values: values };
}

type Modifier = { id: number; display_name: string; option_values?: { id: number; label: string }[] };
type Condition = {
  modifier_id?: number | null;
  modifier_value_id?: number | null;
  variant_id?: number | null;
  combination_id?: unknown;
};

/**
 * Complex rules name modifiers, modifier values and variants by id. Those ids change when the product or
 * its modifiers are re-created, so each is translated through what it meant in the version (modifier
 * name, value label, variant SKU) to the live id.
 */
function ruleWithLiveIds(rule: ApiRecord, live: ApiRecord, version: ApiRecord): ApiRecord {
  const oldModifiers = (version.modifiers as Modifier[]) ?? [];
  const liveModifiers = (live.modifiers as Modifier[]) ?? [];
  const oldVariants = (version.variants as { id: number; sku: string }[]) ?? [];
  const liveVariants = (live.variants as { id: number; sku: string }[]) ?? [];
  const conditions = ((rule.conditions as Condition[]) ?? []).map((c) => {
    const oldModifier = oldModifiers.find((m) => m.id === c.modifier_id);
    const liveModifier = oldModifier
      ? liveModifiers.find((m) => m.display_name === oldModifier.display_name)
      : undefined;
    const oldValue = oldModifier?.option_values?.find((v) => v.id === c.modifier_value_id);
    const liveValue = oldValue
      ? liveModifier?.option_values?.find((v) => v.label === oldValue.label)
      : undefined;
    const oldVariant = oldVariants.find((v) => v.id === c.variant_id);
    const liveVariant = oldVariant ? liveVariants.find((v) => v.sku === oldVariant.sku) : undefined;
    return {
      modifier_id: liveModifier?.id ?? c.modifier_id ?? null,
      modifier_value_id: liveValue?.id ?? c.modifier_value_id ?? null,
      variant_id: liveVariant?.id ?? c.variant_id ?? null,
    };
  });
  return { ...rule, conditions };
}

const hasNoOptionValues = (v: ApiRecord) => !Array.isArray(v.option_values) || v.option_values.length === 0;

/** An image is re-created from its URL; the CDN sizes BigCommerce derives from it are never written. */
function imageFromUrl(image: ApiRecord): ApiRecord {
  const url = image.image_url ?? image.url_zoom ?? image.url_standard;
  return url ? { ...image, image_url: url } : image;
}

/**
 * Customer attribute values are read as `attribute_value`; the upsert endpoint names the field `value`
 * while the customer create call embeds `attribute_value`. Both are sent so either write takes it.
 */
function attributeValueForWrite(attr: ApiRecord): ApiRecord {
  const value = attr.attribute_value ?? attr.value;
  return { ...attr, attribute_value: value, value };
}

const optionValues = (path: string): ChildWrite => ({
  field: "option_values",
  path,
  idField: "id",
  match: ["label"],
  readOnly: ["id", "option_id"],
  shape: "single",
});

export const writeSpecs: Partial<Record<TypeKey, WriteSpec>> = {
  products: {
    // Options before variants (variants name option values); removals run in reverse order first.
    children: [
      {
        field: "options",
        path: "/catalog/products/{id}/options",
        idField: "id",
        match: ["display_name"],
        readOnly: ["id", "product_id", "name", "config"],
        shape: "single",
        nested: optionValues("/catalog/products/{id}/options/{child}/values"),
      },
      {
        field: "modifiers",
        path: "/catalog/products/{id}/modifiers",
        idField: "id",
        match: ["display_name"],
        readOnly: ["id", "product_id", "name"],
        shape: "single",
        nested: optionValues("/catalog/products/{id}/modifiers/{child}/values"),
        refreshAfter: true,
      },
      {
        field: "variants",
        path: "/catalog/products/{id}/variants",
        batchUpdate: { path: "/catalog/variants", max: 50 },
        idField: "id",
        match: ["sku"],
        readOnly: ["id", "product_id", "sku_id", "calculated_price", "calculated_weight", "image_url"],
        shape: "single",
        permanent: hasNoOptionValues,
        prepare: variantWithLiveOptionIds,
        refreshAfter: true,
        // Backed up as `variants[].metafields` (registry child `variant_metafields`).
        nested: { ...metafields("", "/catalog/products/{id}/variants/{child}/metafields"), afterOwner: true },
      },
      {
        field: "images",
        path: "/catalog/products/{id}/images",
        idField: "id",
        match: ["image_url", "url_zoom", "image_file"],
        readOnly: [
          "id",
          "product_id",
          "date_modified",
          "image_file",
          "url_zoom",
          "url_standard",
          "url_thumbnail",
          "url_tiny",
        ],
        shape: "single",
        embedInCreate: true,
        prepare: imageFromUrl,
      },
      {
        field: "videos",
        path: "/catalog/products/{id}/videos",
        idField: "id",
        match: ["video_id"],
        readOnly: ["id", "product_id", "length"],
        shape: "single",
        embedInCreate: true,
      },
      {
        field: "custom_fields",
        path: "/catalog/products/{id}/custom-fields",
        idField: "id",
        match: ["name"],
        readOnly: ["id"],
        shape: "single",
        embedInCreate: true,
      },
      {
        field: "bulk_pricing_rules",
        path: "/catalog/products/{id}/bulk-pricing-rules",
        idField: "id",
        match: ["quantity_min"],
        readOnly: ["id"],
        shape: "single",
        embedInCreate: true,
      },
      {
        field: "complex_rules",
        path: "/catalog/products/{id}/complex-rules",
        idField: "id",
        match: ["sort_order"],
        readOnly: ["id", "product_id"],
        shape: "single",
        prepare: ruleWithLiveIds,
      },
      metafields("catalog/products"),
      {
        // Read with the product (`include=reviews`); a re-created review keeps its text, rating, author and date.
        field: "reviews",
        path: "/catalog/products/{id}/reviews",
        idField: "id",
        match: [
          ["title", "date_reviewed", "email"],
          ["title", "date_reviewed"],
        ],
        readOnly: ["id", "product_id", "date_created", "date_modified"],
        shape: "single",
      },
    ],
    refs: [
      { path: "brand_id", type: "brands" },
      { path: "categories[]", type: "categories" },
      { path: "related_products[]", type: "products" },
    ],
    unique: [
      { label: "SKU", field: "sku", path: "/catalog/products", param: "sku" },
      { label: "name", field: "name", path: "/catalog/products", param: "name" },
      {
        label: "variant SKU",
        field: "variants[].sku",
        // The specs document `sku` only (no `sku:in`): one lookup per SKU the live product does not hold itself.
        path: "/catalog/variants",
        param: "sku",
        owner: "product_id",
      },
    ],
    derived: ["price_hidden_label", "custom_url", "reviews_count", "reviews_rating_sum", "map_price"],
  },
  brands: {
    children: [metafields("catalog/brands")],
    unique: [{ label: "name", field: "name", path: "/catalog/brands", param: "name" }],
  },
  categories: {
    children: [metafields("catalog/categories")],
    refs: [
      { path: "parent_id", type: "categories" },
      { path: "tree_id", type: "category_trees" },
    ],
  },
  customers: {
    children: [
      {
        field: "addresses",
        path: "/customers/addresses",
        idField: "id",
        match: [["first_name", "last_name", "address1", "city", "postal_code"]],
        readOnly: ["id", "customer_id", "country"],
        shape: "array",
        parentField: "customer_id",
        embedInCreate: true,
      },
      {
        field: "attributes",
        path: "/customers/attribute-values",
        idField: "id",
        match: ["attribute_id"],
        readOnly: ["id", "customer_id", "date_created", "date_modified"],
        shape: "array",
        createMethod: "PUT",
        parentField: "customer_id",
        embedInCreate: true,
        prepare: attributeValueForWrite,
      },
      metafields("customers"),
    ],
    refs: [
      { path: "customer_group_id", type: "customer_groups" },
      { path: "channel_ids[]", type: "channels" },
      { path: "attributes[].attribute_id", type: "customer_attributes" },
    ],
    onCreate: { authentication: { force_password_reset: true } },
    unique: [{ label: "email", field: "email", path: "/customers", param: "email:in" }],
  },
  customer_groups: {
    refs: [{ path: "category_access.categories[]", type: "categories" }],
  },
  wishlists: {
    children: [
      {
        field: "items",
        path: "/wishlists/{id}/items",
        idField: "id",
        match: [["product_id", "variant_id"]],
        readOnly: ["id"],
        shape: "single",
        embedInCreate: true,
        createWrap: "items",
        immutable: true,
      },
    ],
    refs: [
      { path: "customer_id", type: "customers" },
      { path: "items[].product_id", type: "products" },
    ],
  },
  inventory: {
    // Stock is written as an absolute adjustment per location; location settings (safety stock, bin) are not restored.
    writeBody: (r) => ({
      reason: "Restored by Strongbox",
      items: ((r.locations as { location_id: number; total_inventory_onhand?: number }[]) ?? []).map((l) => ({
        location_id: l.location_id,
        variant_id: (r.identity as { variant_id: number }).variant_id,
        quantity: l.total_inventory_onhand ?? 0,
      })),
    }),
    undeletable:
      "BigCommerce keeps a stock level for as long as its variant exists; set it to the level you want instead.",
  },
  channels: {
    undeletable:
      "BigCommerce does not delete channels through its API; archive the channel in the control panel.",
  },
  store_settings: {
    readOnlyRecords: {
      store_information:
        "BigCommerce's store information is read-only through the API; change it in Settings > Store profile.",
      analytics:
        "Analytics settings are written per provider; copy them from the version's JSON in Settings > Data solutions.",
    },
  },
  price_list_records: {
    refs: [{ path: "price_list_id", type: "price_lists" }],
    clearable: ["sale_price", "retail_price", "map_price"],
  },
  price_list_assignments: {
    refs: [
      { path: "price_list_id", type: "price_lists" },
      { path: "customer_group_id", type: "customer_groups" },
    ],
  },
  promotion_codes: {
    refs: [{ path: "promotion_id", type: "promotions" }],
  },
  coupons: {
    refs: [
      {
        path: "applies_to.ids[]",
        type: "products",
        when: (r) => (r.applies_to as { entity?: string })?.entity === "products",
      },
      {
        path: "applies_to.ids[]",
        type: "categories",
        when: (r) => (r.applies_to as { entity?: string })?.entity === "categories",
      },
    ],
    unique: [{ label: "code", field: "code", path: "/coupons", param: "code" }],
  },
  gift_certificates: {
    refs: [{ path: "customer_id", type: "customers" }],
  },
  sites: {
    refs: [{ path: "channel_id", type: "channels" }],
  },
  pages: {
    refs: [
      { path: "parent_id", type: "pages" },
      { path: "channel_id", type: "channels" },
    ],
  },
  blog_posts: {
    // Reads give `published_date` as an object (date, timezone) and its ISO twin; writes take RFC 2822.
    forWrite: (r) => ({ ...r, published_date: rfc2822(r.published_date_iso8601) ?? r.published_date }),
    derived: ["published_date_iso8601"],
  },
  banners: {
    refs: [
      { path: "item_id", type: "categories", when: (r) => r.page === "category_page" },
      { path: "item_id", type: "brands", when: (r) => r.page === "brand_page" },
    ],
  },
  widget_templates: {
    refs: [{ path: "channel_id", type: "channels" }],
  },
  widgets: {
    // Reads embed the template (`widget_template.uuid`); writes name it by `widget_template_uuid`.
    forWrite: (r) => ({
      ...r,
      widget_template_uuid:
        (r.widget_template as { uuid?: string } | undefined)?.uuid ?? r.widget_template_uuid,
    }),
    refs: [
      { path: "widget_template_uuid", type: "widget_templates" },
      { path: "widget_template.uuid", type: "widget_templates" },
      { path: "channel_id", type: "channels" },
    ],
  },
  widget_placements: {
    forWrite: (r) => ({
      ...r,
      widget_uuid: (r.widget as { uuid?: string } | undefined)?.uuid ?? r.widget_uuid,
    }),
    refs: [
      { path: "widget_uuid", type: "widgets" },
      { path: "widget.uuid", type: "widgets" },
      { path: "channel_id", type: "channels" },
      {
        path: "entity_id",
        type: "products",
        when: (r) => String(r.template_file ?? "").startsWith("pages/product"),
      },
      {
        path: "entity_id",
        type: "categories",
        when: (r) => String(r.template_file ?? "").startsWith("pages/category"),
      },
      {
        path: "entity_id",
        type: "pages",
        when: (r) => String(r.template_file ?? "").startsWith("pages/page"),
      },
    ],
  },
  redirects: {
    refs: [
      {
        path: "to.entity_id",
        type: "products",
        when: (r) => (r.to as { type?: string })?.type === "product",
      },
      {
        path: "to.entity_id",
        type: "categories",
        when: (r) => (r.to as { type?: string })?.type === "category",
      },
      { path: "to.entity_id", type: "brands", when: (r) => (r.to as { type?: string })?.type === "brand" },
      { path: "to.entity_id", type: "pages", when: (r) => (r.to as { type?: string })?.type === "page" },
      { path: "site_id", type: "sites" },
    ],
  },
  site_routes: {
    refs: [{ path: "site_id", type: "sites" }],
  },
};

/** An ISO date as RFC 2822 (v2's date format), or undefined when there is none. */
function rfc2822(iso: unknown): string | undefined {
  if (typeof iso !== "string" || !iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d.toUTCString().replace("GMT", "+0000");
}

export function writeSpecOf(type: string): WriteSpec {
  return writeSpecs[type as TypeKey] ?? {};
}

/** A BigCommerce call restore may make: what `test/node/registry.write-paths.test.ts` checks against BigCommerce's specs. */
export type RestoreCall = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  api: "v2" | "v3";
  path: string;
  /** Query parameter the call filters by (batch deletes, natural-key lookups). */
  param?: string;
  what: string;
};

/** The query parameter a batch DELETE names records by. */
export function deleteParam(type: ContentType): string {
  const idField = typeof type.idField === "string" ? type.idField : type.idField[0];
  return (type.restore.mode === "automatic" && type.restore.delete?.param) || `${idField}:in`;
}

/**
 * A single record's DELETE when the type has no batch delete: the create path with the record's id
 * (each part of a compound id as its own segment: `/pricelists/{parent}/records/{variant_id}/{currency}`),
 * or the create path itself when it already names the record (email templates).
 */
export function deletePath(type: ContentType): string {
  if (type.restore.mode !== "automatic") throw new Error(`${type.label} are restored with our team's help`);
  const create = type.restore.create.path;
  if (create.includes("{id}")) return create;
  const parts = typeof type.idField === "string" ? 1 : type.idField.length;
  return `${create}${"/{id}".repeat(parts)}`;
}

/** Every call restoring a record of `type` can make, from the registry's `restore` and this write spec. */
export function restoreCalls(type: ContentType): RestoreCall[] {
  const r = type.restore;
  if (r.mode !== "automatic") return [];
  const out: RestoreCall[] = [];
  const spec = writeSpecOf(type.key);
  const paths =
    type.list.paging === "singletons"
      ? Object.entries(type.list.singletons ?? {})
          .filter(([id]) => !spec.readOnlyRecords?.[id])
          .map(([, path]) => path)
      : [undefined];
  for (const setting of paths) {
    const at = (p: string) => (setting ? p.replace("{setting_path}", setting) : p);
    out.push({ method: r.create.method, api: type.api, path: at(r.create.path), what: "create" });
    if (r.update) out.push({ method: "PUT", api: type.api, path: at(r.update.path), what: "update" });
  }
  if (type.list.paging !== "singletons" && !spec.undeletable) {
    out.push(
      r.delete
        ? { method: "DELETE", api: type.api, path: r.delete.path, param: deleteParam(type), what: "delete" }
        : { method: "DELETE", api: type.api, path: deletePath(type), what: "delete" },
    );
  }
  const childCalls = (child: ChildWrite, owner: string) => {
    const what = `${owner}${child.field}`;
    out.push({
      method: child.createMethod ?? "POST",
      api: type.api,
      path: child.path,
      what: `${what} create`,
    });
    if (child.shape === "array") {
      out.push({ method: "PUT", api: type.api, path: child.path, what: `${what} update` });
      out.push({
        method: "DELETE",
        api: type.api,
        path: child.path,
        param: `${child.idField}:in`,
        what: `${what} delete`,
      });
    } else {
      if (!child.immutable)
        out.push({ method: "PUT", api: type.api, path: `${child.path}/{child}`, what: `${what} update` });
      out.push({ method: "DELETE", api: type.api, path: `${child.path}/{child}`, what: `${what} delete` });
    }
    if (child.batchUpdate)
      out.push({ method: "PUT", api: type.api, path: child.batchUpdate.path, what: `${what} batch update` });
    if (child.refreshAfter || child.nested)
      out.push({ method: "GET", api: type.api, path: child.path, what: `${what} re-read` });
    if (child.nested) childCalls({ ...child.nested, path: child.nested.path }, `${child.field}.`);
  };
  for (const child of spec.children ?? []) childCalls(child, "");
  for (const u of spec.unique ?? [])
    out.push({ method: "GET", api: type.api, path: u.path, param: u.param, what: `${u.label} check` });
  return out;
}

/** Every reference pointing at `type`, by referencing type: what a re-created record's id must be rewritten in. */
export function inboundRefs(type: string): { from: TypeKey; ref: RefSpec }[] {
  const out: { from: TypeKey; ref: RefSpec }[] = [];
  for (const [from, spec] of Object.entries(writeSpecs)) {
    for (const ref of spec?.refs ?? [])
      if (ref.type === type && from !== type) out.push({ from: from as TypeKey, ref });
  }
  return out;
}
