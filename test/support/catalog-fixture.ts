import { installViaOAuth, sandbox } from "./install";
import { storeApi } from "./vault-fixture";

type Rec = Record<string, unknown>;
type Export = Record<string, Rec[]>;

/** A store with the app installed, no quota, and the catalog a merchant would restore: a brand, categories, a product with options, variants, images, custom fields and bulk pricing. */
export async function catalogStore(seed: number) {
  const session = await installViaOAuth("empty", seed);
  await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
    method: "PUT",
    json: { quota: "unlimited" },
  });
  const bc = storeApi(session.storeHash, session.sandboxToken);
  const trees = await bc.get<{ id: number }[]>("/v3/catalog/trees");
  const treeId =
    trees[0]?.id ??
    (await bc.put<{ id: number }[]>("/v3/catalog/trees", [{ name: "Default", channels: [1] }])).data[0].id;
  const brand = (await bc.post<{ id: number }>("/v3/catalog/brands", { name: "Acme" })).data;
  const categories = (
    await bc.post<{ category_id: number }[]>("/v3/catalog/trees/categories", [
      { name: "Shoes", parent_id: 0, tree_id: treeId },
      { name: "Sale", parent_id: 0, tree_id: treeId },
    ])
  ).data.map((c) => c.category_id);
  return { ...session, bc, treeId, brandId: brand.id, categoryIds: categories };
}

export type CatalogStore = Awaited<ReturnType<typeof catalogStore>>;

/** A product as a merchant sets it up: sizes as options, one variant per size, two images, custom fields, bulk pricing. */
export async function createProduct(
  store: CatalogStore,
  name: string,
  sku: string,
  categories = store.categoryIds,
): Promise<number> {
  const { bc } = store;
  const product = (
    await bc.post<{ id: number }>("/v3/catalog/products", {
      name,
      type: "physical",
      weight: 1.5,
      price: 80,
      sku,
      brand_id: store.brandId,
      categories,
      description: "<p>Grippy soles for wet trails.</p>",
      images: [
        {
          image_url: `https://cdn.example.com/${sku}/front.jpg`,
          is_thumbnail: true,
          sort_order: 0,
          description: "Front",
        },
        { image_url: `https://cdn.example.com/${sku}/side.jpg`, sort_order: 1, description: "Side" },
      ],
      custom_fields: [
        { name: "Material", value: "Leather" },
        { name: "Origin", value: "Portugal" },
      ],
      bulk_pricing_rules: [{ quantity_min: 5, quantity_max: 9, type: "percent", amount: 5 }],
    })
  ).data;
  const option = (
    await bc.post<{ id: number; option_values: { id: number; label: string }[] }>(
      `/v3/catalog/products/${product.id}/options`,
      {
        display_name: "Size",
        type: "radio_buttons",
        option_values: ["S", "M", "L"].map((label, i) => ({ label, sort_order: i })),
      },
    )
  ).data;
  for (const value of option.option_values) {
    await bc.post(`/v3/catalog/products/${product.id}/variants`, {
      sku: `${sku}-${value.label}`,
      price: value.label === "L" ? 85 : 80,
      inventory_level: 10,
      option_values: [{ id: value.id, option_id: option.id }],
    });
  }
  return product.id;
}

/** Server-assigned fields: they legitimately differ after a re-create, so comparisons leave them out. */
const SERVER_ASSIGNED = new Set([
  "id",
  "product_id",
  "option_id",
  "sku_id",
  "base_variant_id",
  "option_set_id",
  "date_created",
  "date_modified",
  "calculated_price",
  "calculated_weight",
  "image_file",
  "url_zoom",
  "url_standard",
  "url_thumbnail",
  "url_tiny",
  "resource_id",
  "customer_id",
  "address_id",
  "category_uuid",
  "registration_ip_address",
  "origin_channel_id",
  "_client",
  // A re-created metafield belongs to the app that wrote it (BigCommerce: owner reassignment is GraphQL-only).
  "owner_client_id",
]);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Rec)
        .filter(([k]) => !SERVER_ASSIGNED.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}

const by = (key: (r: Rec) => string) => (a: Rec, b: Rec) => key(a).localeCompare(key(b));

/** A product and everything under it, from the sandbox's export, as a merchant would compare it (server-assigned ids aside). */
export function productState(ex: Export, productId: number) {
  const product = ex.products.find((p) => p.id === productId);
  if (!product) return null;
  const mine = (table: string) => (ex[table] ?? []).filter((r) => r.product_id === productId);
  const options = mine("product_options").map(
    (o): Rec => ({
      ...o,
      option_values: ((o.option_values as Rec[]) ?? []).slice().sort(by((v) => String(v.label))),
    }),
  );
  const labelOf = (ov: Rec) => `${ov.option_display_name}=${ov.label}`;
  return strip({
    product: { ...product, categories: [...(product.categories as number[])].sort() },
    options: options.map((o) => ({ ...o, name: undefined })).sort(by((o) => String(o.display_name))),
    variants: mine("product_variants")
      .map((v) => ({ ...v, option_values: ((v.option_values as Rec[]) ?? []).map(labelOf) }))
      .sort(by((v) => String(v.sku))),
    images: mine("product_images").sort(by((i) => String(i.image_url))),
    custom_fields: mine("product_custom_fields").sort(by((c) => String(c.name))),
    bulk_pricing_rules: mine("product_bulk_pricing_rules").sort(by((r) => String(r.quantity_min))),
    videos: mine("product_videos"),
    metafields: (ex.product_metafields ?? []).filter((m) => m.resource_id === productId),
  });
}

export function customerState(ex: Export, customerId: number) {
  const customer = ex.customers.find((c) => c.id === customerId);
  if (!customer) return null;
  return strip({
    customer: { ...customer, authentication: undefined },
    addresses: (ex.customer_addresses ?? [])
      .filter((a) => a.customer_id === customerId)
      .sort(by((a) => String(a.address1))),
    attributes: (ex.customer_attribute_values ?? [])
      .filter((a) => a.customer_id === customerId)
      .map((a) => ({ attribute_id: a.attribute_id, attribute_value: a.attribute_value }))
      .sort(by((a) => String(a.attribute_id))),
  });
}
