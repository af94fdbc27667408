import { z } from "zod";

/**
 * The product's knowledge of BigCommerce: one declarative entry per content type. Backup, compare,
 * restore, export and the UI's Item Storage read this table; adding a type means adding an entry.
 *
 * Paths are relative to `{BC_API_URL}/stores/{hash}/{api}`. `{id}` in a path is the record's id,
 * `{parent}` the id of the parent record for types listed per parent (price list records, site routes...).
 */

export type ContentGroup = "store" | "content";

/**
 * How a list endpoint pages:
 * - `v3_page`: `page`/`limit`, `meta.pagination.total_pages`.
 * - `v3_cursor`: `limit` + `after`, `meta.cursor_pagination.end_cursor` / `links.next`.
 * - `v2_page`: bare arrays, `page`/`limit`, 204 (or a short page) ends the list.
 * - `v2_min_id`: bare arrays in id order, `min_id` = last id + 1 (stable when records are deleted
 *   meanwhile; the one paging banners support reliably, since their `page` field collides with `?page=`).
 * - `sites_offset`: `offset`/`limit` with `meta.pagination.total_items` (v3 `/sites`).
 * - `singletons`: no list; `singletons` names one GET path per record (store settings).
 */
export type PagingKind = "v3_page" | "v3_cursor" | "v2_page" | "v2_min_id" | "sites_offset" | "singletons";

/** The modification-date filter a scheduled backup uses to fetch only what changed. */
export type IncrementalFilter = {
  param: string;
  /** `iso`: 2026-01-02T03:04:05Z; `rfc2822`: v2's date format. */
  format: "iso" | "rfc2822";
};

/**
 * How a deletion is noticed when a backup does not list every record:
 * - `id_listing`: list ids only (`include_fields=id`, max page) and compare with the vault.
 * - `full_listing`: the type is always listed in full, so missing ids are deletions.
 * - `webhooks`: only a webhook says so (v2 orders are archived, never gone).
 */
export type DeletionDetection = "id_listing" | "full_listing" | "webhooks";

/**
 * What registered, healthy hooks announce for a type, so a scheduled run on a store with automatic
 * sync can leave it to them (the weekly full listing still catches a missed delivery):
 * - `deletions`: these scopes announce every deletion, so the incremental run skips the id listing;
 * - `changes`: these scopes announce every change of a type without a modification-date filter, so
 *   the daily run skips its full listing.
 * A type is covered only when all the scopes named have been active since its last backup.
 */
export type WebhookCoverage = { deletions?: string[]; changes?: string[] };

/** A webhook scope and where the id of the record to capture sits in its payload (or the fixed record it is about). */
export type WebhookRoute =
  | { scope: string; idPath: string; id?: never }
  | { scope: string; id: string; idPath?: never };

/**
 * A sub-resource fetched with the record and stored inside its body (field `into`):
 * - `by_ids`: one call per `chunk` records through `idsParam` (e.g. `id:in`), only for records matching `when`;
 *   `pick` lists the fields copied from each returned item (matched on the record's id).
 * - `by_resource_ids`: a store-wide list filtered by `resource_id:in` for the page's records, grouped by `resource_id`.
 * - `per_record`: one call per record matching `when`.
 * - `by_nested_ids`: like `by_resource_ids`, for sub-resources of the items in the record's `within` list
 *   (variant metafields: `resource_id` is a variant's id); each item gets its own `into` list.
 */
export type ChildSpec =
  | {
      key: string;
      fetch: "by_ids";
      path: string;
      query: Record<string, string>;
      idsParam: string;
      chunk: number;
      pick: string[];
      when: (record: Record<string, unknown>) => boolean;
      why: string;
    }
  | {
      key: string;
      fetch: "by_resource_ids";
      path: string;
      chunk: number;
      into: string;
      pageSize: number;
      changedSince?: ChildChanges;
    }
  | {
      key: string;
      fetch: "by_nested_ids";
      within: string;
      path: string;
      chunk: number;
      into: string;
      pageSize: number;
      why: string;
      when?: never;
      changedSince?: ChildChanges;
    }
  | {
      key: string;
      fetch: "per_record";
      path: string;
      into: string;
      when?: (record: Record<string, unknown>) => boolean;
      why?: string;
    };

/**
 * A store-wide child list that filters by its items' modification date (`param`, ISO dates). Editing
 * such a child alone (a metafield) leaves the record's own modification date as it was, so a
 * scheduled run lists the children changed since its last run (`include_fields=resource_id`, a call
 * for a quiet day) and reads their records again (worker/backup/child-changes.ts). A deleted child is
 * not in that list: it waits for the weekly full listing, or for `hooks`.
 * - `owner`: for nested children, how an item's id (a variant) leads to its record (the product).
 * - `hooks`: scopes announcing every change of these children; healthy since the last run on a store
 *   with automatic sync, they make the list unnecessary.
 */
export type ChildChanges = {
  param: string;
  owner?: { path: string; idParam: string; field: string };
  hooks?: string[];
};

export type RestoreSpec =
  | {
      mode: "automatic";
      /** Create: POST path; `batch` records per call (1 = single object body). */
      create: { method: "POST" | "PUT"; path: string; batch: number };
      /**
       * Absent when BigCommerce cannot update the type in place (promotion codes, price list assignments):
       * restore then deletes the live record and creates the version's (a new id, kept in the id map).
       */
      update?: { method: "PUT"; path: string; batch: number };
      /** Batch delete by query; `param` names the filter when it is not `{idField}:in`. */
      delete?: { path: string; batch: number; param?: string };
      /** Fields to strip before writing beyond `readOnly` (e.g. includes not accepted on write). */
      dropOnWrite?: string[];
    }
  | {
      mode: "team_assisted";
      reason: string;
      create?: { method: "POST" | "PUT"; path: string; batch: number };
      update?: { method: "PUT"; path: string; batch: number };
    };

/** Record counts a plan is computed from: items in the type, parents (for per-parent types), and records matching each child's `when`. */
export type CallCounts = { items: number; parents?: number; matching?: Record<string, number> };

export type ContentType = {
  key: string;
  group: ContentGroup;
  label: string;
  api: "v2" | "v3";
  list: {
    path: string;
    paging: PagingKind;
    pageSize: number;
    query?: Record<string, string>;
    /** The list's filter by many ids (`id:in`): records whose children changed, and a webhook batch's records, are read a page at a time. */
    byIds?: string;
    /** Sub-resource embedded by `include=`: documented here so the planner knows they cost nothing. */
    includes?: string[];
    /** For `singletons`: record id → GET path. */
    singletons?: Record<string, string>;
    /**
     * A v2 list's count endpoint, taking the list's filters: read once with page 1 (one call), it
     * tells the listing its size, so later pages are read ahead two at a time like a v3 list's.
     */
    count?: string;
  };
  /** Single-record GET (`{id}`); query appended as for the list. */
  get?: { path: string; query?: Record<string, string> };
  /** Listed once per record of `parent.type`; the record id is prefixed with the parent id. */
  parent?: {
    type: string;
    field: string;
    /**
     * Only the parents this filter on the parent's listing returns can have records of this type: the
     * backup asks the API for their ids (one call per 250) instead of listing every parent's sub-list.
     */
    only?: { query: Record<string, string>; why: string };
  };
  /** Field(s) forming the record id; several are joined with ":". Dotted paths reach nested fields. */
  idField: string | string[];
  /** Keys that survive a re-create (SKU, email, code, from_path): restore matches on them. */
  naturalKeys: string[];
  incremental?: IncrementalFilter;
  deletions: DeletionDetection;
  webhooks?: WebhookRoute[];
  webhookCoverage?: WebhookCoverage;
  /**
   * Files kept beside the record (a custom theme's zip, from BigCommerce's download job), stored per
   * record version for the records matching `when`.
   */
  files?: { kind: "theme_zip"; when: (record: Record<string, unknown>) => boolean; why: string };
  /** Server-assigned fields, stripped before writing. */
  readOnly: string[];
  children?: ChildSpec[];
  /** The first non-empty field names the record in lists; `search` fields feed the item search. */
  display: { name: string[]; search: string[] };
  /** The compare page's Summary tab: the fields a merchant recognises, in order. */
  summary: string[];
  restore: RestoreSpec;
  /** Types restored before this one (their ids appear in its records). */
  dependsOn: string[];
  /** BigCommerce OAuth scopes: read for backup, modify for restore. */
  scopes: { read: string; write: string };
};

const everyProductVariantHasOptions = (p: Record<string, unknown>) =>
  Array.isArray(p.variants) &&
  p.variants.some(
    (v) =>
      Array.isArray((v as { option_values?: unknown[] }).option_values) &&
      (v as { option_values: unknown[] }).option_values.length > 0,
  );

/**
 * Products that may carry options or modifiers. Variant option values reveal options; a product with
 * modifiers only has a bare base variant, and the one product field that reveals it without a
 * 10-per-page include call is `option_set_id` (BigCommerce keeps an option set on products
 * configured with options or modifiers). Both are in the cheap 250-per-page listing.
 */
export const productNeedsOptionDetail = (p: Record<string, unknown>) =>
  everyProductVariantHasOptions(p) || (typeof p.option_set_id === "number" && p.option_set_id > 0);

/** Complex rules must reference a modifier value (v3), so products without modifiers have none. */
export const productHasModifiers = (p: Record<string, unknown>) =>
  Array.isArray(p.modifiers) && p.modifiers.length > 0;

/** `hookScope`: the resource's metafield webhook prefix, when BigCommerce has one (not for customers). */
const metafieldsChild = (resource: string, hookScope?: string): ChildSpec => ({
  key: "metafields",
  fetch: "by_resource_ids",
  path: `/${resource}/metafields`,
  chunk: 250,
  into: "metafields",
  pageSize: 250,
  changedSince: {
    param: "date_modified:min",
    ...(hookScope ? { hooks: ["created", "updated"].map((what) => `${hookScope}/${what}`) } : {}),
  },
});

const auto = (
  path: string,
  batch = 1,
  opts: { deletePath?: string; dropOnWrite?: string[]; createBatch?: number } = {},
): RestoreSpec => ({
  mode: "automatic",
  create: { method: "POST", path, batch: opts.createBatch ?? batch },
  update: { method: "PUT", path: batch > 1 ? path : `${path}/{id}`, batch },
  ...(opts.deletePath ? { delete: { path: opts.deletePath, batch: 250 } } : {}),
  ...(opts.dropOnWrite ? { dropOnWrite: opts.dropOnWrite } : {}),
});

export const contentTypes = [
  {
    key: "products",
    group: "store",
    label: "Products",
    api: "v3",
    list: {
      path: "/catalog/products",
      paging: "v3_page",
      pageSize: 250,
      includes: ["variants", "images", "custom_fields", "bulk_pricing_rules", "videos", "reviews"],
      query: { include: "variants,images,custom_fields,bulk_pricing_rules,videos,reviews" },
      byIds: "id:in",
    },
    get: {
      path: "/catalog/products/{id}",
      query: { include: "variants,images,custom_fields,bulk_pricing_rules,videos,reviews" },
    },
    idField: "id",
    naturalKeys: ["sku", "name"],
    incremental: { param: "date_modified:min", format: "iso" },
    deletions: "id_listing",
    webhooks: [
      { scope: "store/product/created", idPath: "data.id" },
      { scope: "store/product/updated", idPath: "data.id" },
      { scope: "store/product/deleted", idPath: "data.id" },
      { scope: "store/product/inventory/updated", idPath: "data.id" },
      { scope: "store/sku/created", idPath: "data.sku.product_id" },
      { scope: "store/sku/updated", idPath: "data.sku.product_id" },
      { scope: "store/sku/deleted", idPath: "data.sku.product_id" },
      { scope: "store/sku/inventory/updated", idPath: "data.inventory.product_id" },
      // Stock moved by orders is announced apart from store/product/updated.
      { scope: "store/product/inventory/order/updated", idPath: "data.id" },
      { scope: "store/sku/inventory/order/updated", idPath: "data.inventory.product_id" },
      // A metafield edit does not move the product's date_modified: only these announce it.
      { scope: "store/product/metafield/created", idPath: "data.resource_id" },
      { scope: "store/product/metafield/updated", idPath: "data.resource_id" },
      { scope: "store/product/metafield/deleted", idPath: "data.resource_id" },
    ],
    webhookCoverage: { deletions: ["store/product/deleted"] },
    readOnly: [
      "id",
      "date_created",
      "date_modified",
      "calculated_price",
      "base_variant_id",
      "view_count",
      "total_sold",
    ],
    children: [
      {
        key: "options_modifiers",
        fetch: "by_ids",
        path: "/catalog/products",
        query: { include: "options,modifiers", include_fields: "id" },
        idsParam: "id:in",
        chunk: 10,
        pick: ["options", "modifiers"],
        when: productNeedsOptionDetail,
        why: "BigCommerce caps pages at 10 when options or modifiers are included; only products whose variants carry option values or that have an option set need them.",
      },
      {
        key: "complex_rules",
        fetch: "per_record",
        path: "/catalog/products/{id}/complex-rules",
        into: "complex_rules",
        when: productHasModifiers,
        why: "No store-wide endpoint; v3 rules reference modifier values, so only products with modifiers are asked.",
      },
      metafieldsChild("catalog/products", "store/product/metafield"),
      {
        key: "variant_metafields",
        fetch: "by_nested_ids",
        within: "variants",
        path: "/catalog/variants/metafields",
        chunk: 250,
        into: "metafields",
        pageSize: 250,
        why: "Variant metafields name the variant, not the product: one store-wide call per 250 variants of a page.",
        // BigCommerce's variant list filters by one `id` (no `id:in`) and has no variant metafield hooks.
        changedSince: {
          param: "date_modified:min",
          owner: { path: "/catalog/variants", idParam: "id", field: "product_id" },
        },
      },
    ],
    display: { name: ["name", "sku", "id"], search: ["name", "sku", "upc", "mpn", "id"] },
    summary: [
      "name",
      "sku",
      "type",
      "price",
      "sale_price",
      "inventory_level",
      "is_visible",
      "categories",
      "brand_id",
      "variants",
    ],
    restore: auto("/catalog/products", 10, {
      deletePath: "/catalog/products",
      createBatch: 1,
      dropOnWrite: [
        "primary_image",
        "parent_relations",
        "options",
        "modifiers",
        "channels",
        "reviews",
        "metafields",
        "complex_rules",
      ],
    }),
    dependsOn: ["brands", "categories", "channels"],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "brands",
    group: "store",
    label: "Brands",
    api: "v3",
    list: { path: "/catalog/brands", paging: "v3_page", pageSize: 250 },
    get: { path: "/catalog/brands/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id"],
    children: [metafieldsChild("catalog/brands")],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "page_title", "image_url", "custom_url"],
    restore: auto("/catalog/brands", 1, { dropOnWrite: ["metafields"] }),
    dependsOn: [],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "category_trees",
    group: "store",
    label: "Category trees",
    api: "v3",
    list: { path: "/catalog/trees", paging: "v3_page", pageSize: 250 },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    webhooks: [],
    readOnly: ["id"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "channels"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "/catalog/trees", batch: 50 },
      update: { method: "PUT", path: "/catalog/trees", batch: 50 },
      delete: { path: "/catalog/trees", batch: 50 },
    },
    dependsOn: ["channels"],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "categories",
    group: "store",
    label: "Categories",
    api: "v3",
    list: { path: "/catalog/trees/categories", paging: "v3_page", pageSize: 250, byIds: "category_id:in" },
    get: { path: "/catalog/trees/categories", query: { "category_id:in": "{id}" } },
    idField: "category_id",
    naturalKeys: ["tree_id", "parent_id", "name"],
    deletions: "full_listing",
    webhooks: [
      { scope: "store/category/created", idPath: "data.id" },
      { scope: "store/category/updated", idPath: "data.id" },
      { scope: "store/category/deleted", idPath: "data.id" },
      { scope: "store/category/metafield/created", idPath: "data.resource_id" },
      { scope: "store/category/metafield/updated", idPath: "data.resource_id" },
      { scope: "store/category/metafield/deleted", idPath: "data.resource_id" },
    ],
    readOnly: ["category_id", "category_uuid"],
    children: [metafieldsChild("catalog/categories", "store/category/metafield")],
    display: { name: ["name", "category_id"], search: ["name", "url.path", "category_id"] },
    summary: ["name", "parent_id", "tree_id", "is_visible", "sort_order", "url"],
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/catalog/trees/categories", batch: 50 },
      update: { method: "PUT", path: "/catalog/trees/categories", batch: 50 },
      delete: { path: "/catalog/trees/categories", batch: 250 },
      dropOnWrite: ["metafields"],
    },
    dependsOn: ["category_trees"],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "customers",
    group: "store",
    label: "Customers",
    api: "v3",
    list: {
      path: "/customers",
      paging: "v3_page",
      pageSize: 250,
      includes: ["addresses", "storecredit", "attributes", "formfields", "segment_ids"],
      query: { include: "addresses,storecredit,attributes,formfields,segment_ids" },
      byIds: "id:in",
    },
    get: {
      path: "/customers",
      query: { "id:in": "{id}", include: "addresses,storecredit,attributes,formfields,segment_ids" },
    },
    idField: "id",
    naturalKeys: ["email"],
    incremental: { param: "date_modified:min", format: "iso" },
    deletions: "id_listing",
    webhooks: [
      { scope: "store/customer/created", idPath: "data.id" },
      { scope: "store/customer/updated", idPath: "data.id" },
      { scope: "store/customer/deleted", idPath: "data.id" },
      { scope: "store/customer/address/created", idPath: "data.address.customer_id" },
      { scope: "store/customer/address/updated", idPath: "data.address.customer_id" },
      { scope: "store/customer/address/deleted", idPath: "data.address.customer_id" },
    ],
    webhookCoverage: { deletions: ["store/customer/deleted"] },
    readOnly: ["id", "registration_ip_address", "date_created", "date_modified", "origin_channel_id"],
    children: [metafieldsChild("customers")],
    display: { name: ["email", "id"], search: ["email", "first_name", "last_name", "company", "id"] },
    summary: [
      "email",
      "first_name",
      "last_name",
      "company",
      "phone",
      "customer_group_id",
      "addresses",
      "store_credit_amounts",
    ],
    restore: auto("/customers", 10, {
      deletePath: "/customers",
      dropOnWrite: ["metafields", "formfields", "segment_ids"],
    }),
    dependsOn: ["customer_groups", "customer_attributes", "channels"],
    scopes: { read: "store_v2_customers_read_only", write: "store_v2_customers" },
  },
  {
    key: "customer_attributes",
    group: "store",
    label: "Customer attributes",
    api: "v3",
    list: { path: "/customers/attributes", paging: "v3_page", pageSize: 250 },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id", "date_created", "date_modified"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "type"],
    restore: auto("/customers/attributes", 50, { createBatch: 50, deletePath: "/customers/attributes" }),
    dependsOn: [],
    scopes: { read: "store_v2_customers_read_only", write: "store_v2_customers" },
  },
  {
    key: "customer_groups",
    group: "store",
    label: "Customer groups",
    api: "v2",
    list: { path: "/customer_groups", paging: "v2_page", pageSize: 250 },
    get: { path: "/customer_groups/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id", "date_created", "date_modified"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "is_default", "category_access", "discount_rules"],
    restore: auto("/customer_groups", 1),
    dependsOn: ["categories", "price_lists"],
    scopes: { read: "store_v2_customers_read_only", write: "store_v2_customers" },
  },
  {
    key: "wishlists",
    group: "store",
    label: "Wishlists",
    api: "v3",
    list: { path: "/wishlists", paging: "v3_page", pageSize: 250 },
    get: { path: "/wishlists/{id}" },
    idField: "id",
    naturalKeys: ["customer_id", "name"],
    deletions: "full_listing",
    readOnly: ["id", "token"],
    display: { name: ["name", "id"], search: ["name", "customer_id", "id"] },
    summary: ["name", "customer_id", "is_public", "items"],
    restore: auto("/wishlists", 1),
    dependsOn: ["customers", "products"],
    scopes: { read: "store_v2_customers_read_only", write: "store_v2_customers" },
  },
  {
    key: "locations",
    group: "store",
    label: "Locations",
    api: "v3",
    list: { path: "/inventory/locations", paging: "v3_page", pageSize: 250 },
    idField: "id",
    naturalKeys: ["code"],
    deletions: "full_listing",
    readOnly: ["id", "created_at", "updated_at"],
    display: { name: ["label", "code", "id"], search: ["label", "code", "id"] },
    summary: ["label", "code", "type_id", "enabled", "address"],
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/inventory/locations", batch: 50 },
      update: { method: "PUT", path: "/inventory/locations", batch: 50 },
      delete: { path: "/inventory/locations", batch: 50, param: "location_id:in" },
    },
    dependsOn: [],
    scopes: { read: "store_locations_read_only", write: "store_locations" },
  },
  {
    key: "inventory",
    group: "store",
    label: "Inventory",
    api: "v3",
    list: { path: "/inventory/items", paging: "v3_cursor", pageSize: 250, byIds: "variant_id:in" },
    get: { path: "/inventory/items", query: { "variant_id:in": "{id}" } },
    idField: "identity.variant_id",
    naturalKeys: ["identity.sku"],
    deletions: "full_listing",
    // No modification-date filter: with these hooks healthy the daily run leaves stock to them. Stock
    // of products without variants (product-level hooks name no variant) and items of deleted
    // variants wait for the weekly listing; their product's own version records them the same day.
    webhooks: [
      { scope: "store/sku/inventory/updated", idPath: "data.inventory.variant_id" },
      { scope: "store/sku/inventory/order/updated", idPath: "data.inventory.variant_id" },
    ],
    webhookCoverage: { changes: ["store/sku/inventory/updated", "store/sku/inventory/order/updated"] },
    readOnly: ["identity"],
    display: {
      name: ["identity.sku", "identity.variant_id"],
      search: ["identity.sku", "identity.product_id"],
    },
    summary: ["identity", "locations"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "/inventory/adjustments/absolute", batch: 2000 },
      update: { method: "PUT", path: "/inventory/adjustments/absolute", batch: 2000 },
    },
    dependsOn: ["locations", "products", "orders"],
    scopes: { read: "store_inventory_read_only", write: "store_inventory" },
  },
  {
    key: "price_lists",
    group: "store",
    label: "Price lists",
    api: "v3",
    list: { path: "/pricelists", paging: "v3_page", pageSize: 250, byIds: "id:in" },
    get: { path: "/pricelists/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    webhooks: [
      { scope: "store/priceList/created", idPath: "data.id" },
      { scope: "store/priceList/updated", idPath: "data.id" },
      { scope: "store/priceList/deleted", idPath: "data.id" },
    ],
    readOnly: ["id", "date_created", "date_modified"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "active"],
    restore: auto("/pricelists", 1),
    dependsOn: [],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "price_list_records",
    group: "store",
    label: "Price list records",
    api: "v3",
    list: {
      path: "/pricelists/{parent}/records",
      paging: "v3_page",
      pageSize: 1000,
      includes: ["bulk_pricing_tiers", "sku"],
      query: { include: "bulk_pricing_tiers,sku" },
    },
    parent: { type: "price_lists", field: "price_list_id" },
    idField: ["variant_id", "currency"],
    naturalKeys: ["price_list_id", "sku", "currency"],
    deletions: "full_listing",
    readOnly: ["date_created", "date_modified", "calculated_price", "product_id"],
    display: { name: ["sku", "variant_id"], search: ["sku", "variant_id", "currency"] },
    summary: ["sku", "currency", "price", "sale_price", "retail_price", "map_price", "bulk_pricing_tiers"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "/pricelists/{parent}/records", batch: 1000 },
      update: { method: "PUT", path: "/pricelists/{parent}/records", batch: 1000 },
    },
    dependsOn: ["price_lists", "products"],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "price_list_assignments",
    group: "store",
    label: "Price list assignments",
    api: "v3",
    list: { path: "/pricelists/assignments", paging: "v3_page", pageSize: 250 },
    idField: "id",
    naturalKeys: ["price_list_id", "customer_group_id", "channel_id"],
    deletions: "full_listing",
    readOnly: ["id"],
    display: { name: ["id"], search: ["price_list_id", "customer_group_id", "channel_id"] },
    summary: ["price_list_id", "customer_group_id", "channel_id"],
    // Every field is part of the natural key, so a changed assignment is replaced (deleted, then created).
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/pricelists/assignments", batch: 25 },
      delete: { path: "/pricelists/assignments", batch: 1, param: "id" },
    },
    dependsOn: ["price_lists", "customer_groups", "channels"],
    scopes: { read: "store_v2_products_read_only", write: "store_v2_products" },
  },
  {
    key: "orders",
    group: "store",
    label: "Orders",
    api: "v2",
    list: {
      path: "/orders",
      paging: "v2_page",
      pageSize: 250,
      includes: ["consignments.line_items", "fees"],
      query: { include: "consignments.line_items,fees", consignment_structure: "object", sort: "id:asc" },
      count: "/orders/count",
    },
    get: {
      path: "/orders/{id}",
      query: { include: "consignments.line_items,fees", consignment_structure: "object" },
    },
    idField: "id",
    naturalKeys: ["external_order_id", "id"],
    incremental: { param: "min_date_modified", format: "rfc2822" },
    deletions: "webhooks",
    webhooks: [
      { scope: "store/order/created", idPath: "data.id" },
      { scope: "store/order/updated", idPath: "data.id" },
      { scope: "store/order/archived", idPath: "data.id" },
      { scope: "store/order/statusUpdated", idPath: "data.id" },
      { scope: "store/order/refund/created", idPath: "data.id" },
      { scope: "store/order/metafield/created", idPath: "data.resource_id" },
      { scope: "store/order/metafield/updated", idPath: "data.resource_id" },
      { scope: "store/order/metafield/deleted", idPath: "data.resource_id" },
    ],
    readOnly: ["id", "date_modified", "external_id", "is_deleted"],
    // Shipping addresses come inside `consignments` (consignment_structure=object), fees with `fees`.
    children: [metafieldsChild("orders", "store/order/metafield")],
    display: { name: ["id"], search: ["id", "billing_address.email", "billing_address.last_name"] },
    summary: [
      "id",
      "status",
      "date_created",
      "customer_id",
      "billing_address",
      "total_inc_tax",
      "items_total",
      "consignments",
    ],
    restore: {
      mode: "team_assisted",
      reason:
        "BigCommerce re-creates an order as a new order (new id, no payments or refunds, stock side effects); our team re-imports orders with the original id kept in external_order_id.",
      create: { method: "POST", path: "/orders", batch: 1 },
    },
    dependsOn: ["customers", "products", "channels"],
    scopes: { read: "store_v2_orders_read_only", write: "store_v2_orders" },
  },
  {
    key: "promotions",
    group: "store",
    label: "Promotions",
    api: "v3",
    list: { path: "/promotions", paging: "v3_page", pageSize: 250 },
    get: { path: "/promotions/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id", "current_uses", "created_from"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "redemption_type", "status", "start_date", "end_date", "rules"],
    restore: auto("/promotions", 1, { deletePath: "/promotions" }),
    dependsOn: ["products", "categories", "brands", "customer_groups", "channels"],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "promotion_codes",
    group: "store",
    label: "Promotion codes",
    api: "v3",
    list: { path: "/promotions/{parent}/codes", paging: "v3_cursor", pageSize: 250 },
    parent: {
      type: "promotions",
      field: "promotion_id",
      only: {
        query: { redemption_type: "coupon" },
        why: "Automatic promotions have no codes; listing their empty sub-lists cost one call each.",
      },
    },
    idField: "id",
    naturalKeys: ["code"],
    deletions: "full_listing",
    readOnly: ["id", "current_uses", "created"],
    display: { name: ["code", "id"], search: ["code"] },
    summary: ["code", "max_uses", "max_uses_per_customer"],
    // Codes can only be created and deleted: a changed code is replaced (its use count starts again).
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/promotions/{parent}/codes", batch: 1 },
    },
    dependsOn: ["promotions"],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "coupons",
    group: "store",
    label: "Coupons",
    api: "v2",
    list: { path: "/coupons", paging: "v2_min_id", pageSize: 250 },
    get: { path: "/coupons/{id}" },
    idField: "id",
    naturalKeys: ["code"],
    deletions: "full_listing",
    readOnly: ["id", "num_uses", "date_created"],
    display: { name: ["name", "code", "id"], search: ["name", "code", "id"] },
    summary: ["name", "code", "type", "amount", "enabled", "expires", "applies_to"],
    restore: auto("/coupons", 1),
    dependsOn: ["products", "categories"],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "gift_certificates",
    group: "store",
    label: "Gift certificates",
    api: "v2",
    list: { path: "/gift_certificates", paging: "v2_page", pageSize: 250 },
    get: { path: "/gift_certificates/{id}" },
    idField: "id",
    naturalKeys: ["code"],
    deletions: "full_listing",
    readOnly: ["id", "order_id"],
    display: { name: ["code", "id"], search: ["code", "to_name", "to_email", "from_email"] },
    summary: ["code", "amount", "balance", "status", "to_name", "to_email", "expiry_date"],
    restore: auto("/gift_certificates", 1),
    dependsOn: ["customers"],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "channels",
    group: "store",
    label: "Channels",
    api: "v3",
    list: { path: "/channels", paging: "v3_page", pageSize: 250 },
    get: { path: "/channels/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id", "date_created", "date_modified", "icon_url"],
    display: { name: ["name", "id"], search: ["name", "platform", "id"] },
    summary: ["name", "type", "platform", "status"],
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/channels", batch: 1 },
      update: { method: "PUT", path: "/channels/{id}", batch: 1 },
    },
    dependsOn: [],
    scopes: { read: "store_channel_settings_read_only", write: "store_channel_settings" },
  },
  {
    key: "store_settings",
    group: "store",
    label: "Store settings",
    api: "v3",
    list: {
      path: "/settings",
      paging: "singletons",
      pageSize: 1,
      singletons: {
        store_information: "/v2/store",
        catalog: "/settings/catalog",
        inventory: "/settings/inventory",
        inventory_notifications: "/settings/inventory/notifications",
        locale: "/settings/store/locale",
        profile: "/settings/store/profile",
        logo: "/settings/logo",
        email_statuses: "/settings/email-statuses",
        search_filters: "/settings/search/filters",
        storefront_category: "/settings/storefront/category",
        storefront_product: "/settings/storefront/product",
        storefront_search: "/settings/storefront/search",
        storefront_security: "/settings/storefront/security",
        storefront_seo: "/settings/storefront/seo",
        storefront_status: "/settings/storefront/status",
        storefront_robotstxt: "/settings/storefront/robotstxt",
        units_of_measurement: "/settings/store/units-of-measurement",
        analytics: "/settings/analytics",
      },
    },
    idField: "setting",
    naturalKeys: ["setting"],
    deletions: "full_listing",
    webhooks: [{ scope: "store/information/updated", id: "store_information" }],
    readOnly: [],
    display: { name: ["setting"], search: ["setting"] },
    summary: ["setting"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "{setting_path}", batch: 1 },
      update: { method: "PUT", path: "{setting_path}", batch: 1 },
    },
    dependsOn: ["channels"],
    scopes: { read: "store_v2_information_read_only", write: "store_v2_information" },
  },
  {
    key: "sites",
    group: "content",
    label: "Sites",
    api: "v3",
    list: { path: "/sites", paging: "sites_offset", pageSize: 250 },
    get: { path: "/sites/{id}" },
    idField: "id",
    naturalKeys: ["channel_id", "url"],
    deletions: "full_listing",
    readOnly: ["id", "created_at", "updated_at", "ssl_status", "urls"],
    display: { name: ["url", "id"], search: ["url", "channel_id"] },
    summary: ["url", "channel_id", "is_checkout_url_customized"],
    restore: auto("/sites", 1),
    dependsOn: ["channels"],
    scopes: { read: "store_sites_read_only", write: "store_sites" },
  },
  {
    key: "site_routes",
    group: "content",
    label: "Site routes",
    api: "v3",
    list: { path: "/sites/{parent}/routes", paging: "v3_page", pageSize: 250 },
    parent: { type: "sites", field: "site_id" },
    idField: "id",
    naturalKeys: ["type", "matching"],
    deletions: "full_listing",
    readOnly: ["id"],
    display: { name: ["type", "route", "id"], search: ["type", "route"] },
    summary: ["type", "matching", "route"],
    restore: {
      mode: "automatic",
      create: { method: "POST", path: "/sites/{parent}/routes", batch: 1 },
      update: { method: "PUT", path: "/sites/{parent}/routes/{id}", batch: 1 },
    },
    dependsOn: ["sites"],
    scopes: { read: "store_sites_read_only", write: "store_sites" },
  },
  {
    key: "pages",
    group: "content",
    label: "Pages",
    api: "v3",
    list: {
      path: "/content/pages",
      paging: "v3_page",
      pageSize: 250,
      includes: ["body"],
      query: { include: "body" },
    },
    get: { path: "/content/pages/{id}", query: { include: "body" } },
    idField: "id",
    naturalKeys: ["channel_id", "url"],
    deletions: "full_listing",
    readOnly: ["id"],
    display: { name: ["name", "id"], search: ["name", "url", "id"] },
    summary: ["name", "type", "url", "is_visible", "parent_id", "channel_id"],
    restore: auto("/content/pages", 10, { deletePath: "/content/pages", createBatch: 10 }),
    dependsOn: ["channels"],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
  {
    key: "blog_posts",
    group: "content",
    label: "Blog posts",
    api: "v2",
    list: { path: "/blog/posts", paging: "v2_page", pageSize: 250 },
    get: { path: "/blog/posts/{id}" },
    idField: "id",
    naturalKeys: ["url"],
    deletions: "full_listing",
    readOnly: ["id", "preview_url", "summary"],
    display: { name: ["title", "id"], search: ["title", "url", "author", "id"] },
    summary: ["title", "url", "author", "is_published", "published_date", "tags"],
    restore: auto("/blog/posts", 1),
    dependsOn: [],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
  {
    key: "banners",
    group: "content",
    label: "Banners",
    api: "v2",
    list: { path: "/banners", paging: "v2_min_id", pageSize: 250 },
    get: { path: "/banners/{id}" },
    idField: "id",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["id", "date_created"],
    display: { name: ["name", "id"], search: ["name", "id"] },
    summary: ["name", "page", "location", "visible", "date_type"],
    restore: auto("/banners", 1),
    dependsOn: ["categories", "brands"],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "email_templates",
    group: "content",
    label: "Email templates",
    api: "v3",
    list: { path: "/marketing/email-templates", paging: "v3_page", pageSize: 250 },
    get: { path: "/marketing/email-templates/{id}" },
    idField: "type_id",
    naturalKeys: ["type_id"],
    deletions: "full_listing",
    readOnly: ["type_id"],
    display: { name: ["type_id"], search: ["type_id", "subject"] },
    summary: ["type_id", "subject", "body"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "/marketing/email-templates/{id}", batch: 1 },
      update: { method: "PUT", path: "/marketing/email-templates/{id}", batch: 1 },
    },
    dependsOn: [],
    scopes: { read: "store_v2_marketing_read_only", write: "store_v2_marketing" },
  },
  {
    key: "scripts",
    group: "content",
    label: "Scripts",
    api: "v3",
    list: { path: "/content/scripts", paging: "v3_page", pageSize: 250 },
    get: { path: "/content/scripts/{id}" },
    idField: "uuid",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["uuid", "date_created", "date_modified", "api_client_id"],
    display: { name: ["name", "uuid"], search: ["name", "src"] },
    summary: ["name", "kind", "location", "visibility", "src", "enabled"],
    restore: {
      mode: "team_assisted",
      reason:
        "BigCommerce shows each API account only its own scripts: scripts added by the merchant or other apps must be re-installed by their owners; our team checks the ones we hold.",
      create: { method: "POST", path: "/content/scripts", batch: 1 },
      update: { method: "PUT", path: "/content/scripts/{id}", batch: 1 },
    },
    dependsOn: ["channels"],
    scopes: { read: "store_content_checkout_read_only", write: "store_content_checkout" },
  },
  {
    key: "widget_templates",
    group: "content",
    label: "Widget templates",
    api: "v3",
    list: { path: "/content/widget-templates", paging: "v3_page", pageSize: 250 },
    get: { path: "/content/widget-templates/{id}" },
    idField: "uuid",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["uuid", "date_created", "date_modified", "current_version_uuid", "icon_name", "kind"],
    display: { name: ["name", "uuid"], search: ["name", "kind"] },
    summary: ["name", "kind", "template", "schema"],
    restore: auto("/content/widget-templates", 1),
    dependsOn: ["channels"],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
  {
    key: "widgets",
    group: "content",
    label: "Widgets",
    api: "v3",
    list: { path: "/content/widgets", paging: "v3_page", pageSize: 150 },
    get: { path: "/content/widgets/{id}" },
    idField: "uuid",
    naturalKeys: ["name"],
    deletions: "full_listing",
    readOnly: ["uuid", "date_created", "date_modified", "widget_template"],
    display: { name: ["name", "uuid"], search: ["name", "description"] },
    summary: ["name", "description", "widget_template_uuid", "widget_configuration", "channel_id"],
    restore: auto("/content/widgets", 1),
    dependsOn: ["widget_templates", "channels"],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
  {
    key: "widget_placements",
    group: "content",
    label: "Widget placements",
    api: "v3",
    list: { path: "/content/placements", paging: "v3_page", pageSize: 250 },
    get: { path: "/content/placements/{id}" },
    idField: "uuid",
    naturalKeys: ["widget_uuid", "template_file", "region"],
    deletions: "full_listing",
    readOnly: ["uuid", "date_created", "date_modified", "widget"],
    display: { name: ["template_file", "uuid"], search: ["template_file", "region"] },
    summary: ["template_file", "region", "sort_order", "status", "entity_id", "channel_id"],
    restore: auto("/content/placements", 1),
    dependsOn: ["widgets", "pages", "products", "categories"],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
  {
    key: "themes",
    group: "content",
    label: "Themes",
    api: "v3",
    list: { path: "/themes", paging: "v3_page", pageSize: 250 },
    get: { path: "/themes/{id}" },
    idField: "uuid",
    naturalKeys: ["name"],
    deletions: "full_listing",
    files: {
      kind: "theme_zip",
      when: (t) => t.is_private === true,
      why: "Custom themes exist nowhere else; marketplace themes can be installed again from the marketplace.",
    },
    readOnly: ["uuid", "is_private", "is_active"],
    display: { name: ["name", "uuid"], search: ["name"] },
    summary: ["name", "is_active", "variations"],
    restore: {
      mode: "team_assisted",
      reason:
        "A theme is restored by uploading its files as a new theme and activating it, which changes the live storefront; our team does it with you.",
    },
    dependsOn: ["channels"],
    scopes: { read: "store_themes_manage", write: "store_themes_manage" },
  },
  {
    key: "theme_configurations",
    group: "content",
    label: "Theme configurations",
    api: "v3",
    list: { path: "/themes/{parent}/configurations", paging: "v3_cursor", pageSize: 250 },
    parent: { type: "themes", field: "theme_uuid" },
    idField: "uuid",
    naturalKeys: ["variation_id", "channel_id"],
    deletions: "full_listing",
    readOnly: ["uuid", "date_created", "site_id"],
    display: { name: ["variation_id", "uuid"], search: ["variation_id", "channel_id"] },
    summary: ["variation_id", "channel_id", "settings"],
    restore: {
      mode: "team_assisted",
      reason: "Configurations apply to a theme variation; they are restored with their theme.",
    },
    dependsOn: ["themes"],
    scopes: { read: "store_themes_manage", write: "store_themes_manage" },
  },
  {
    key: "redirects",
    group: "content",
    label: "Redirects",
    api: "v3",
    list: {
      path: "/storefront/redirects",
      paging: "v3_page",
      pageSize: 250,
      includes: ["to_url"],
      query: { include: "to_url" },
    },
    idField: "id",
    naturalKeys: ["site_id", "from_path"],
    deletions: "full_listing",
    readOnly: ["id", "to_url"],
    display: { name: ["from_path", "id"], search: ["from_path", "to_url"] },
    summary: ["from_path", "site_id", "to", "to_url"],
    restore: {
      mode: "automatic",
      create: { method: "PUT", path: "/storefront/redirects", batch: 100 },
      update: { method: "PUT", path: "/storefront/redirects", batch: 100 },
      delete: { path: "/storefront/redirects", batch: 50 },
    },
    dependsOn: ["sites", "products", "categories", "brands", "pages", "blog_posts"],
    scopes: { read: "store_v2_content_read_only", write: "store_v2_content" },
  },
] as const satisfies readonly ContentType[];

export type TypeKey = (typeof contentTypes)[number]["key"];
export const typeKeys = contentTypes.map((t) => t.key) as [TypeKey, ...TypeKey[]];
/** Validates a type key from input (routes, queue messages, job params). */
export const typeKeySchema = z.enum(typeKeys);

const byKey = new Map<string, ContentType>(contentTypes.map((t) => [t.key, t as ContentType]));

export function getType(key: string): ContentType {
  const t = byKey.get(key);
  if (!t) throw new Error(`Unknown content type "${key}"`);
  return t;
}

/** A per-parent type's parents as their listing asks for them: only those `parent.only` selects. */
export function parentListing(type: ContentType): ContentType {
  if (!type.parent) throw new Error(`${type.key} has no parent type`);
  const parent = getType(type.parent.type);
  const only = type.parent.only;
  return only
    ? { ...parent, list: { ...parent.list, query: { ...parent.list.query, ...only.query } } }
    : parent;
}

export function isTypeKey(key: string): key is TypeKey {
  return byKey.has(key);
}

/** The Item Storage sections, in the order the Backup Vault shows them. */
export const contentGroups: { key: ContentGroup; label: string; types: TypeKey[] }[] = [
  {
    key: "store",
    label: "Store business data",
    types: contentTypes.filter((t) => t.group === "store").map((t) => t.key),
  },
  {
    key: "content",
    label: "Theme and content data",
    types: contentTypes.filter((t) => t.group === "content").map((t) => t.key),
  },
];

/** Types in restore order: every type after the types it depends on (stable, registry order otherwise). */
export function restoreOrder(keys: readonly string[] = typeKeys): TypeKey[] {
  const wanted = new Set(keys);
  const out: TypeKey[] = [];
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const dep of getType(key).dependsOn) visit(dep);
    if (wanted.has(key)) out.push(key as TypeKey);
  };
  for (const k of typeKeys) if (wanted.has(k)) visit(k);
  return out;
}

/** Types in backup order: parents before the types listed per parent. */
export function backupOrder(keys: readonly string[] = typeKeys): TypeKey[] {
  const wanted = new Set(keys);
  for (const k of keys) {
    const p = getType(k).parent;
    if (p) wanted.add(p.type);
  }
  const parentsFirst = typeKeys.filter((k) => wanted.has(k) && !getType(k).parent);
  const perParent = typeKeys.filter((k) => wanted.has(k) && getType(k).parent);
  return [...parentsFirst, ...perParent];
}

/** Webhook scopes to register for automatic sync, and the type each one captures. */
export function webhookScopes(): { scope: string; type: TypeKey; idPath?: string; id?: string }[] {
  return contentTypes.flatMap((t) =>
    ((t as ContentType).webhooks ?? []).map((w) => ({
      scope: w.scope,
      type: t.key,
      idPath: w.idPath,
      id: w.id,
    })),
  );
}

/**
 * The cheapest correct plan's call count for one type: list pages (per parent for per-parent
 * types; one per singleton), plus child calls (chunked by-ids calls for the records that need them,
 * the store-wide list once for by-resource children (metafields), one per matching record for
 * per-record children).
 */
export function minCalls(type: ContentType, counts: CallCounts): number {
  const { list } = type;
  if (list.paging === "singletons") return Object.keys(list.singletons ?? {}).length;
  const pages = (n: number) => Math.max(1, Math.ceil(n / list.pageSize));
  const listCalls = type.parent
    ? Math.max(counts.parents ?? 0, 0) +
      Math.max(0, Math.ceil(counts.items / list.pageSize) - (counts.parents ?? 0))
    : pages(counts.items);
  let childCalls = 0;
  for (const child of type.children ?? []) {
    const matching = counts.matching?.[child.key] ?? 0;
    if (child.fetch === "by_ids") childCalls += Math.ceil(matching / child.chunk);
    // A full backup reads the store-wide list once (`matching` = how many children the store has).
    else if (child.fetch === "by_resource_ids")
      childCalls += Math.max(1, Math.ceil(matching / child.pageSize));
    else if (child.fetch === "per_record") childCalls += child.when ? matching : counts.items;
    // `matching`: the variants (items of `within`) the records carry.
    else if (child.fetch === "by_nested_ids")
      childCalls += Math.max(1, Math.ceil(Math.max(matching, counts.items) / child.chunk));
  }
  return listCalls + childCalls;
}
