import { catalogRefs } from "../resources/catalog-refs.ts";
import { generateChannels } from "./channels.ts";
import { generateContent } from "./content.ts";
import type { GenContext, Generator } from "./context.ts";
import { generateCustomerGroups, generateCustomers } from "./customers.ts";
import { generateLocations, generateStock } from "./inventory.ts";
import { generateMarketing } from "./marketing.ts";
import { generateOrders } from "./orders.ts";
import { generatePriceLists } from "./price-lists.ts";
import { insertRows, randOf } from "./seed-rows.ts";
import { defaultAnalytics, defaultSettings, SETTINGS_PATHS } from "./settings.ts";
import { generateThemes } from "./themes.ts";

/**
 * Seed data of every non-catalog content type, run after the catalog generators (orders, price lists,
 * wishlists and stock reference real products and variants). Sizes per profile follow issue 3.
 */

const DEFAULT_SITE_ID = 1000;

export const channelsGenerator: Generator = {
  name: "channels",
  generate(g) {
    const extra = g.size({ demo: 1, "rs-10k": 2, empty: 0 });
    const { channels, sites, routes } = generateChannels(g.now, g.ctx.store.hash, extra);
    insertRows(g, "channels", channels, { created: "date_created", modified: "date_modified" });
    insertRows(g, "sites", sites, { created: "created_at", modified: "updated_at" });
    insertRows(g, "site_routes", routes);
  },
};

export const settingsGenerator: Generator = {
  name: "settings",
  generate(g) {
    const values = defaultSettings(g.ctx.store.name, g.ctx.store.hash);
    const table = g.ctx.store.table("store_settings", "_key");
    for (const path of SETTINGS_PATHS) {
      table.insert({
        _key: `${path}:0`,
        path,
        channel_id: 0,
        value: values[path],
        _created: g.now,
        _modified: g.now,
      });
    }
    insertRows(g, "analytics_providers", defaultAnalytics());
  },
};

export const locationsGenerator: Generator = {
  name: "locations",
  generate(g) {
    const locations = generateLocations(g.now, g.size({ demo: 2, "rs-10k": 3, empty: 1 }));
    insertRows(g, "locations", locations, { created: "created_at", modified: "updated_at" });
    const stock = generateStock(randOf(g), catalogRefs(g.ctx.store), locations);
    const table = g.ctx.store.table("inventory_levels", "_key");
    for (const row of stock) table.insert({ _key: `${row.location_id}:${row.variant_id}`, ...row });
    matchCatalogStock(g, stock);
  },
};

/**
 * BigCommerce keeps a variant's catalog `inventory_level` equal to its stock over all locations, and a
 * product that tracks inventory reports the sum of its variants (its base variant for a simple product).
 */
function matchCatalogStock(g: GenContext, stock: { variant_id: number; total_inventory_onhand: number }[]) {
  const totals = new Map<number, number>();
  for (const row of stock)
    totals.set(row.variant_id, (totals.get(row.variant_id) ?? 0) + row.total_inventory_onhand);
  const variants = g.ctx.store.table("variants");
  const byProduct = new Map<number, number>();
  for (const v of variants.all()) {
    const level = totals.get(v.id) ?? 0;
    if (v.inventory_level !== level) variants.replace({ ...v, inventory_level: level });
    byProduct.set(v.product_id, (byProduct.get(v.product_id) ?? 0) + level);
  }
  const products = g.ctx.store.table("products");
  for (const p of products.all()) {
    const level = byProduct.get(p.id) ?? 0;
    if (p.inventory_tracking !== "none" && p.inventory_level !== level)
      products.replace({ ...p, inventory_level: level });
  }
}

export const priceListsGenerator: Generator = {
  name: "price_lists",
  generate(g) {
    const lists = g.size({ demo: 1, "rs-10k": 3, empty: 0 });
    const records = g.size({ demo: 40, "rs-10k": 10_000, empty: 0 });
    const { price_lists, price_list_records } = generatePriceLists(
      randOf(g),
      g.now,
      lists,
      records,
      catalogRefs(g.ctx.store),
    );
    insertRows(g, "price_lists", price_lists, { created: "date_created", modified: "date_modified" });
    const table = g.ctx.store.table("price_list_records", "_key");
    for (const r of price_list_records) {
      const row = {
        _key: `${r.price_list_id}:${r.variant_id}:${r.currency}`,
        ...r,
        _created: Date.parse(r.date_created),
        _modified: Date.parse(r.date_modified),
      };
      table.insert(row);
    }
    if (price_lists.length) {
      g.ctx.store.table("price_list_assignments").insert({
        id: 1,
        price_list_id: 1,
        customer_group_id: 2,
        channel_id: 1,
        _created: g.now,
        _modified: g.now,
      });
      g.ctx.store.bumpId("price_list_assignments", 1);
    }
  },
};

export const customersGenerator: Generator = {
  name: "customers",
  generate(g) {
    const rand = randOf(g);
    const empty = g.profile === "empty";
    const priceList = g.ctx.store.table("price_lists").all()[0];
    const groups = empty ? [] : generateCustomerGroups(rand, g.now, priceList ? priceList.id : null);
    const data = generateCustomers(
      rand,
      g.now,
      {
        customers: g.size({ demo: 30, "rs-10k": 25_000, empty: 0 }),
        subscribers: g.size({ demo: 10, "rs-10k": 5_000, empty: 0 }),
        wishlists: g.size({ demo: 5, "rs-10k": 1_000, empty: 0 }),
      },
      catalogRefs(g.ctx.store),
      groups,
    );
    insertRows(g, "customer_groups", data.customer_groups, {
      created: "date_created",
      modified: "date_modified",
    });
    if (!empty)
      insertRows(g, "customer_attributes", data.customer_attributes, {
        created: "date_created",
        modified: "date_modified",
      });
    insertRows(g, "customers", data.customers, { created: "date_created", modified: "date_modified" });
    insertRows(g, "customer_addresses", data.customer_addresses);
    insertRows(g, "customer_attribute_values", data.customer_attribute_values, {
      created: "date_created",
      modified: "date_modified",
    });
    for (const name of ["customer_addresses", "customer_attribute_values"])
      g.ctx.store.table(name).ensureIndex("customer_id");
    g.ctx.store.table("customers").ensureIndex("email");
    const forms = g.ctx.store.table("customer_form_field_values", "_key");
    for (const f of data.customer_form_field_values)
      forms.insert({
        _key: `c${f.customer_id}:${f.name}`,
        ...f,
        address_id: null,
        _created: g.now,
        _modified: g.now,
      });
    insertRows(g, "subscribers", data.subscribers, { created: "date_created", modified: "date_modified" });
    insertRows(g, "wishlists", data.wishlists);
    let itemMax = 0;
    for (const w of data.wishlists) for (const i of w.items) itemMax = Math.max(itemMax, i.id);
    g.ctx.store.bumpId("wishlist_items", itemMax);
  },
};

export const marketingGenerator: Generator = {
  name: "marketing",
  generate(g) {
    const data = generateMarketing(
      randOf(g),
      g.now,
      {
        promotions: g.size({ demo: 4, "rs-10k": 30, empty: 0 }),
        coupons: g.size({ demo: 5, "rs-10k": 200, empty: 0 }),
        gift_certificates: g.size({ demo: 3, "rs-10k": 500, empty: 0 }),
        banners: g.size({ demo: 3, "rs-10k": 10, empty: 0 }),
      },
      catalogRefs(g.ctx.store),
      g.ctx.store
        .table("customers")
        .all()
        .map((c) => c.id as number),
    );
    insertRows(g, "promotions", data.promotions, { created: "start_date" });
    insertRows(g, "promotion_codes", data.promotion_codes, { created: "created" });
    insertRows(g, "coupons", data.coupons, { created: "date_created" });
    insertRows(g, "gift_certificates", data.gift_certificates, { created: "purchase_date" });
    insertRows(g, "banners", data.banners, { created: "date_created" });
  },
};

export const ordersGenerator: Generator = {
  name: "orders",
  generate(g) {
    const store = g.ctx.store;
    const customers = store.table("customers").all();
    const addressesByCustomer = new Map();
    for (const a of store.table("customer_addresses").all())
      if (!addressesByCustomer.has(a.customer_id)) addressesByCustomer.set(a.customer_id, a);
    const couponCodes = store
      .table("coupons")
      .all()
      .map((c) => ({ id: c.id, code: c.code, type: c.type }));
    const data = generateOrders(
      randOf(g),
      g.now,
      g.size({ demo: 40, "rs-10k": 50_000, empty: 0 }),
      catalogRefs(store),
      {
        customers: customers as never,
        addressesByCustomer,
        couponCodes,
      },
    );
    insertRows(g, "orders", data.orders, { created: "date_created", modified: "date_modified" });
    insertRows(g, "order_products", data.order_products);
    insertRows(g, "order_shipping_addresses", data.order_shipping_addresses);
    insertRows(g, "order_coupons", data.order_coupons);
    insertRows(g, "order_fees", data.order_fees);
    for (const t of data.order_transactions)
      (t as unknown as { _order_id: number })._order_id = Number(t.order_id);
    insertRows(g, "order_transactions", data.order_transactions, { created: "date_created" });
    insertRows(g, "order_metafields", data.order_metafields, {
      created: "date_created",
      modified: "date_modified",
    });
    // Build the per-order indexes now, so the first list with embedded line items is as fast as the rest.
    for (const name of ["order_products", "order_shipping_addresses", "order_fees", "order_coupons"])
      store.table(name).ensureIndex("order_id");
    store.table("order_transactions").ensureIndex("_order_id");
    store.table("orders").ensureIndex("customer_id");
  },
};

export const contentGenerator: Generator = {
  name: "content",
  generate(g) {
    const data = generateContent(
      randOf(g),
      g.now,
      {
        blog_posts: g.size({ demo: 5, "rs-10k": 200, empty: 0 }),
        pages: g.size({ demo: 5, "rs-10k": 50, empty: 0 }),
        widget_templates: g.size({ demo: 3, "rs-10k": 10, empty: 0 }),
        widgets: g.size({ demo: 3, "rs-10k": 100, empty: 0 }),
        scripts: g.size({ demo: 2, "rs-10k": 6, empty: 0 }),
        redirects: g.size({ demo: 5, "rs-10k": 500, empty: 0 }),
      },
      catalogRefs(g.ctx.store),
      DEFAULT_SITE_ID,
    );
    // Every other post has a thumbnail, an absolute URL of the sandbox CDN (BigCommerce gives a path
    // under the store's CDN, which the API does not name).
    for (const post of data.blog_posts)
      if (post.id % 2 === 1) post.thumbnail_path = `${g.cdn}/blog/${post.id}/thumbnail.jpg`;
    insertRows(g, "blog_posts", data.blog_posts, { created: "published_date_iso8601" });
    for (const post of data.blog_posts as unknown as { _created: number; _published: number }[])
      post._published = post._created;
    insertRows(g, "pages", data.pages);
    insertRows(
      g,
      "widget_templates",
      data.widget_templates,
      { created: "date_created", modified: "date_modified" },
      "uuid",
    );
    insertRows(g, "widgets", data.widgets, { created: "date_created", modified: "date_modified" }, "uuid");
    insertRows(
      g,
      "placements",
      data.placements,
      { created: "date_created", modified: "date_modified" },
      "uuid",
    );
    insertRows(g, "scripts", data.scripts, { created: "date_created", modified: "date_modified" }, "uuid");
    insertRows(
      g,
      "email_templates",
      data.email_templates.map((t) => ({ _key: `${t.type_id}:${t.channel_id}`, ...t })),
      {},
      "_key",
    );
    insertRows(g, "redirects", data.redirects);
  },
};

export const themesGenerator: Generator = {
  name: "themes",
  generate(g) {
    const { themes, theme_configurations } = generateThemes(
      randOf(g),
      g.now,
      g.size({ demo: 2, "rs-10k": 2, empty: 1 }),
      DEFAULT_SITE_ID,
    );
    insertRows(g, "themes", themes, { created: "updated_at", modified: "updated_at" }, "uuid");
    insertRows(g, "theme_configurations", theme_configurations, { created: "date_created" }, "uuid");
  },
};

export const storeContentGenerators: Generator[] = [
  channelsGenerator,
  settingsGenerator,
  locationsGenerator,
  priceListsGenerator,
  customersGenerator,
  marketingGenerator,
  ordersGenerator,
  contentGenerator,
  themesGenerator,
];
