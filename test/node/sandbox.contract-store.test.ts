import { beforeAll, describe, expect, it } from "vitest";
import { checkReads, contractWriter } from "./support/contract.ts";
import {
  allowNull,
  eachSchema,
  notRequired,
  OPENAPI_HINT,
  openapiDir,
  type SchemaPatch,
} from "./support/openapi.ts";
import { sandboxStore } from "./support/sandbox-client.ts";

const dir = openapiDir();
if (!dir) console.warn(`sandbox contract tests (store content) skipped: ${OPENAPI_HINT}`);

/**
 * Known gaps between BigCommerce's specs and what it documents or returns, kept on purpose.
 */
const SPEC_GAPS: { path: RegExp; why: string; patch: SchemaPatch }[] = [
  {
    path: /^\/v2\/orders/,
    why: "v2 orders return null for external_source/external_id/credit_card_type and line item event/wrapping fields",
    patch: allowNull(
      "external_source",
      "external_id",
      "external_merchant_id",
      "event_name",
      "event_date",
      "wrapping_name",
    ),
  },
  {
    path: /^\/v3\/(channels|inventory\/locations|customers|orders)\/(\d+\/)?metafields/,
    why: "some metafield schemas copy the catalog's resource_type enum (category, brand, product, variant)",
    patch: (s) =>
      eachSchema(s, (x) => {
        if (x.properties?.resource_type?.enum) delete x.properties.resource_type.enum;
      }),
  },
  {
    path: /^\/v2\/blog\/tags/,
    why: "the schema nests the tag array in another array; BigCommerce answers a flat array of {tag, post_ids}",
    patch: (s) => {
      if (s.items?.type === "array") s.items = s.items.items;
    },
  },
  {
    path: /^\/v3\/customers\/subscribers/,
    why: "order_id is null for subscribers not created from an order",
    patch: allowNull("order_id"),
  },
];

const REQUEST_GAPS: { method: string; path: RegExp; why: string; patch: SchemaPatch }[] = [
  {
    method: "POST",
    path: /^\/v3\/customers\/addresses$/,
    why: "the create schema reuses the address response schema, which lists the server-assigned id as required",
    patch: notRequired("id"),
  },
];

/** The coupon code pattern `[a-zA-Z0-9_\ -]` is not a valid unicode regular expression: it is left out. */
const validPatterns: SchemaPatch = (schema) =>
  eachSchema(schema, (s) => {
    if (typeof s.pattern !== "string") return;
    try {
      new RegExp(s.pattern, "u");
    } catch {
      delete s.pattern;
    }
  });

/** Write responses whose schema disagrees with the `{data: <the record>, meta}` every other create answers. */
const WRITE_RESPONSE_GAPS: { method: string; path: RegExp; why: string; patch: SchemaPatch }[] = [
  {
    method: "POST",
    path: /^\/v3\/customers\/\d+\/metafields$/,
    why: "the create response types `data` as an array; one metafield is created and returned",
    patch: (s) => {
      if (s.properties?.data?.type === "array") s.properties.data = s.properties.data.items;
    },
  },
  {
    method: "POST",
    path: /^\/v3\/channels\/\d+\/metafields$/,
    why: "the create response schema is the bare metafield, without the data envelope of the other metafield endpoints",
    patch: (s) => {
      const metafield = { ...s };
      for (const k of Object.keys(s)) delete s[k];
      Object.assign(s, { type: "object", properties: { data: metafield, meta: { type: "object" } } });
    },
  },
];

/** The response patch of a write: the path's gaps plus the write's own. */
const writePatchFor = (method: string, path: string): SchemaPatch | undefined => {
  const base = patchFor(path);
  const gap = WRITE_RESPONSE_GAPS.find((g) => g.method === method && g.path.test(path));
  if (!gap) return base;
  return (s) => {
    base?.(s);
    gap.patch(s);
  };
};

/** Paths whose schemas carry the coupon code pattern. */
const COUPON_CODE_PATHS = /^\/(v3\/promotions|v2\/coupons)/;

// Without a patch the helper's compiled validators are reused, so patches are only applied where needed.
const patchFor = (path: string): SchemaPatch | undefined => {
  const gaps = SPEC_GAPS.filter((g) => g.path.test(path));
  if (COUPON_CODE_PATHS.test(path))
    gaps.push({ path: COUPON_CODE_PATHS, why: "invalid pattern", patch: validPatterns });
  if (!gaps.length) return undefined;
  return (s) => {
    for (const g of gaps) g.patch(s);
  };
};
const requestPatchFor = (method: string, path: string): SchemaPatch | undefined => {
  const gap = REQUEST_GAPS.find((g) => g.method === method && g.path.test(path));
  if (!COUPON_CODE_PATHS.test(path)) return gap?.patch;
  return (s) => {
    validPatterns(s);
    gap?.patch(s);
  };
};

type Store = Awaited<ReturnType<typeof sandboxStore>>;

describe.skipIf(!dir)(
  "sandbox contract: store content responses and accepted writes match BigCommerce's OpenAPI specs",
  () => {
    let api: Store["api"];
    let sandbox: Store["sandbox"];
    const ids: Record<string, number | string> = {};

    const write = contractWriter(dir as string, () => api, {
      request: requestPatchFor,
      response: writePatchFor,
    });

    beforeAll(async () => {
      ({ api, sandbox } = await sandboxStore("demo"));
      const store = [...sandbox.state.stores.values()][0];
      // This suite checks shapes, not rate limits: its ~200 calls must not depend on how fast a window passes.
      await sandbox.fetch(
        new Request(`http://sandbox.test/__sandbox/stores/${store.hash}/quota`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ plan: "unlimited" }),
        }),
      );
      ids.orderWithCoupon = store?.table("order_coupons").all()[0]?.order_id ?? 1;
      ids.cursor = (await api("GET", "/v3/customers?limit=5")).body.meta.cursor_pagination.end_cursor;
      const variant = (await api("GET", "/v3/catalog/variants?limit=1")).body.data[0];
      ids.variant = variant.id;
      ids.product = variant.product_id;

      const group = await write("POST", "/v2/customer_groups", {
        name: "Contract group",
        category_access: { type: "all" },
      });
      ids.group = group.id;
      await write("PUT", `/v2/customer_groups/${ids.group}`, { name: "Contract group 2" });
      const attribute = await write("POST", "/v3/customers/attributes", [
        { name: "Contract size", type: "number" },
      ]);
      ids.attribute = attribute.data[0].id;
      const customers = await write("POST", "/v3/customers", [
        {
          email: "contract@example.com",
          first_name: "Con",
          last_name: "Tract",
          company: "Acme",
          phone: "555",
          customer_group_id: ids.group,
          authentication: { force_password_reset: true },
          addresses: [
            {
              first_name: "Con",
              last_name: "Tract",
              address1: "1 Main St",
              city: "Austin",
              state_or_province: "Texas",
              postal_code: "78701",
              country_code: "US",
            },
          ],
          attributes: [{ attribute_id: ids.attribute, attribute_value: "42" }],
          store_credit_amounts: [{ amount: 5 }],
        },
      ]);
      ids.customer = customers.data[0].id;
      await write("PUT", "/v3/customers", [{ id: ids.customer, notes: "VIP" }]);
      const address = await write("POST", "/v3/customers/addresses", [
        {
          customer_id: ids.customer,
          first_name: "Con",
          last_name: "Tract",
          address1: "2 Side St",
          city: "Austin",
          state_or_province: "Texas",
          postal_code: "78702",
          country_code: "US",
        },
      ]);
      ids.address = address.data[0].id;
      await write("PUT", "/v3/customers/addresses", [{ id: ids.address, city: "Dallas" }]);
      await write("PUT", "/v3/customers/attribute-values", [
        { attribute_id: ids.attribute, customer_id: ids.customer, value: "43" },
      ]);
      await write("PUT", "/v3/customers/form-field-values", [
        { name: "Referral", value: "Friend", customer_id: ids.customer },
      ]);
      const subscriber = await write("POST", "/v3/customers/subscribers", {
        email: "sub@example.com",
        first_name: "Sub",
        source: "storefront",
      });
      ids.subscriber = subscriber.data.id;
      await write("PUT", `/v3/customers/subscribers/${ids.subscriber}`, { last_name: "Scriber" });
      const wishlist = await write("POST", "/v3/wishlists", {
        customer_id: ids.customer,
        name: "Contract list",
        is_public: true,
        items: [{ product_id: ids.product, variant_id: ids.variant }],
      });
      ids.wishlist = wishlist.data.id;
      await write("POST", `/v3/wishlists/${ids.wishlist}/items`, { items: [{ product_id: ids.product }] });
      await write("PUT", `/v3/wishlists/${ids.wishlist}`, {
        name: "Renamed list",
        customer_id: ids.customer,
        items: [{ product_id: ids.product, variant_id: ids.variant }],
      });

      await write("POST", "/v3/inventory/locations", [
        { code: "CONTRACT", label: "Contract warehouse", type_id: "PHYSICAL", enabled: true },
      ]);
      ids.location = (await api("GET", "/v3/inventory/locations?location_code:in=CONTRACT")).body.data[0].id;
      await write("PUT", "/v3/inventory/locations", [{ id: ids.location, description: "updated" }]);
      await write("PUT", "/v3/inventory/adjustments/absolute", {
        reason: "count",
        items: [{ location_id: ids.location, variant_id: ids.variant, quantity: 7 }],
      });
      await write("PUT", `/v3/inventory/locations/${ids.location}/items`, {
        settings: [{ identity: { variant_id: ids.variant }, safety_stock: 1, warning_level: 2 }],
      });

      const list = await write("POST", "/v3/pricelists", { name: "Contract prices", active: true });
      ids.priceList = list.data.id;
      await write("PUT", `/v3/pricelists/${ids.priceList}`, { name: "Contract prices 2", active: true });
      await write("PUT", `/v3/pricelists/${ids.priceList}/records`, [
        {
          variant_id: ids.variant,
          currency: "usd",
          price: 10,
          sale_price: 9,
          bulk_pricing_tiers: [{ quantity_min: 5, quantity_max: 10, type: "percent", amount: 5 }],
        },
      ]);
      await write("POST", "/v3/pricelists/assignments", [
        { price_list_id: ids.priceList, customer_group_id: ids.group, channel_id: 1 },
      ]);

      const order = await write("POST", "/v2/orders", {
        customer_id: ids.customer,
        status_id: 11,
        billing_address: {
          first_name: "Con",
          last_name: "Tract",
          street_1: "1 Main St",
          city: "Austin",
          state: "Texas",
          zip: "78701",
          country: "United States",
          country_iso2: "US",
          email: "contract@example.com",
        },
        products: [
          { product_id: ids.product, variant_id: ids.variant, quantity: 2 },
          { name: "Gift wrap", quantity: 1, price_inc_tax: 5, price_ex_tax: 5 },
        ],
        external_source: "M-MIG",
        external_order_id: "OLD-1",
      });
      ids.order = order.id;
      await write("PUT", `/v2/orders/${ids.order}`, { status_id: 2 });
      ids.shippingAddress = (await api("GET", `/v2/orders/${ids.order}/shipping_addresses`)).body[0].id;
      ids.orderProduct = (await api("GET", `/v2/orders/${ids.order}/products`)).body[0].id;
      const mf = { namespace: "contract", key: "k", value: "v", permission_set: "read", description: "d" };
      ids.orderMetafield = (await write("POST", `/v3/orders/${ids.order}/metafields`, mf)).data.id;
      await write("POST", "/v3/orders/metafields", [{ ...mf, key: "batch", resource_id: ids.order }]);
      ids.customerMetafield = (await write("POST", `/v3/customers/${ids.customer}/metafields`, mf)).data.id;
      await write("POST", "/v3/customers/metafields", [{ ...mf, key: "batch", resource_id: ids.customer }]);
      ids.locationMetafield = (
        await write("POST", `/v3/inventory/locations/${ids.location}/metafields`, mf)
      ).data.id;
      ids.channelMetafield = (await write("POST", "/v3/channels/1/metafields", mf)).data.id;

      const promotion = await write("POST", "/v3/promotions", {
        name: "Contract promo",
        redemption_type: "COUPON",
        rules: [{ action: { cart_value: { discount: { percentage_amount: "10" } } } }],
        channels: [{ id: 1 }],
      });
      ids.promotion = promotion.data.id;
      await write("PUT", `/v3/promotions/${ids.promotion}`, { name: "Contract promo 2" });
      await write("POST", `/v3/promotions/${ids.promotion}/codes`, { code: "CONTRACT10", max_uses: 5 });
      await write("POST", `/v3/promotions/${ids.promotion}/codegen`, { batch_size: 3 });
      const coupon = await write("POST", "/v2/coupons", {
        name: "Contract coupon",
        code: "CPN-CONTRACT",
        type: "percentage_discount",
        amount: "10",
        applies_to: { entity: "categories", ids: [0] },
      });
      ids.coupon = coupon.id;
      await write("PUT", `/v2/coupons/${ids.coupon}`, {
        name: "Contract coupon",
        code: "CPN-CONTRACT",
        type: "percentage_discount",
        amount: "15",
        applies_to: { entity: "categories", ids: [0] },
        enabled: false,
      });
      const certificate = await write("POST", "/v2/gift_certificates", {
        to_name: "Ana",
        to_email: "ana@example.com",
        from_name: "Bo",
        from_email: "bo@example.com",
        amount: "25.00",
      });
      ids.giftCertificate = certificate.id;
      const banner = await write("POST", "/v2/banners", {
        name: "Contract banner",
        content: "<p>Hi</p>",
        page: "home_page",
        location: "top",
        date_type: "always",
      });
      ids.banner = banner.id;

      const post = await write("POST", "/v2/blog/posts", {
        title: "Contract post",
        body: "<p>Body</p>",
        tags: ["contract"],
        is_published: true,
      });
      ids.blogPost = post.id;
      await write("PUT", `/v2/blog/posts/${ids.blogPost}`, {
        title: "Contract post",
        body: "<p>Body 2</p>",
        meta_description: "d",
      });
      const page = await write("POST", "/v3/content/pages", {
        name: "Contract page",
        type: "page",
        body: "<p>page</p>",
        channel_id: 1,
      });
      ids.page = page.data[0]?.id ?? page.data.id;
      await write("PUT", `/v3/content/pages/${ids.page}`, { name: "Contract page 2", type: "page" });
      const template = await write("POST", "/v3/content/widget-templates", {
        name: "Contract template",
        template: "<p>{{x}}</p>",
      });
      ids.template = template.data.uuid;
      const widget = await write("POST", "/v3/content/widgets", {
        name: "Contract widget",
        widget_template_uuid: ids.template,
        widget_configuration: { x: "y" },
      });
      ids.widget = widget.data.uuid;
      const placement = await write("POST", "/v3/content/placements", {
        widget_uuid: ids.widget,
        template_file: "pages/home",
        region: "home_below_menu",
        status: "active",
      });
      ids.placement = placement.data.uuid;
      const script = await write("POST", "/v3/content/scripts", {
        name: "Contract script",
        kind: "src",
        src: "https://cdn.example.com/c.js",
        location: "footer",
        visibility: "all_pages",
      });
      ids.script = script.data.uuid;
      await write("PUT", `/v3/content/scripts/${ids.script}`, { description: "d" });
      await write("PUT", "/v3/marketing/email-templates/invoice_email", {
        subject: "Your invoice",
        body: "<p>{{order.id}}</p>",
      });
      await write("PUT", "/v3/storefront/redirects", [
        { from_path: "/contract-old/", site_id: 1000, to: { type: "product", entity_id: ids.product } },
      ]);
      ids.redirect = (await api("GET", "/v3/storefront/redirects?keyword=contract-old")).body.data[0].id;

      const channel = await write("POST", "/v3/channels", {
        name: "Contract POS",
        type: "pos",
        platform: "square",
      });
      ids.channel = channel.data.id;
      await write("PUT", `/v3/channels/${ids.channel}`, { name: "Contract POS 2" });
      const site = await write("POST", "/v3/sites", {
        url: "https://pos.example.com",
        channel_id: ids.channel,
      });
      ids.site = site.data.id;
      const route = await write("POST", `/v3/sites/${ids.site}/routes`, {
        type: "product",
        matching: "*",
        route: "/p/{slug}",
      });
      ids.route = route.data.id;
      await write("PUT", "/v3/settings/store/profile", { store_phone: "+1 555 0100" });
      await write("PUT", "/v3/settings/storefront/seo", { page_title: "Contract" });

      ids.theme = (await api("GET", "/v3/themes")).body.data[0].uuid;
      const job = await write("POST", `/v3/themes/${ids.theme}/actions/download`, {
        which: "last_activated",
      });
      ids.job = job.job_id;
    }, 180_000);

    const reads = (): string[] => [
      "/v3/customers?include=addresses,storecredit,attributes,formfields",
      `/v3/customers?limit=5&after=${ids.cursor}`,
      "/v3/customers/addresses?include=formfields",
      "/v3/customers/attributes",
      "/v3/customers/attribute-values",
      "/v3/customers/form-field-values",
      "/v2/customer_groups",
      `/v2/customer_groups/${ids.group}`,
      "/v2/customer_groups/count",
      "/v3/customers/subscribers",
      `/v3/customers/subscribers/${ids.subscriber}`,
      "/v3/wishlists",
      `/v3/wishlists/${ids.wishlist}`,
      "/v3/inventory/locations",
      "/v3/inventory/items?limit=5",
      `/v3/inventory/locations/${ids.location}/items`,
      "/v3/pricelists",
      `/v3/pricelists/${ids.priceList}`,
      `/v3/pricelists/${ids.priceList}/records?include=bulk_pricing_tiers,sku`,
      `/v3/pricelists/${ids.priceList}/records/${ids.variant}`,
      `/v3/pricelists/${ids.priceList}/records/${ids.variant}/usd`,
      "/v3/pricelists/assignments",
      "/v2/orders?limit=5",
      "/v2/orders?include=consignments.line_items,fees&consignment_structure=object&limit=5",
      `/v2/orders/${ids.order}`,
      "/v2/orders/count",
      `/v2/orders/${ids.order}/products`,
      `/v2/orders/${ids.order}/products/${ids.orderProduct}`,
      `/v2/orders/${ids.order}/shipping_addresses`,
      `/v2/orders/${ids.order}/shipping_addresses/${ids.shippingAddress}`,
      `/v2/orders/${ids.orderWithCoupon}/coupons`,
      "/v2/order_statuses",
      `/v3/orders/${ids.order}/transactions`,
      "/v3/orders/1/transactions",
      `/v3/orders/${ids.order}/metafields`,
      `/v3/orders/${ids.order}/metafields/${ids.orderMetafield}`,
      "/v3/orders/metafields",
      `/v3/customers/${ids.customer}/metafields`,
      `/v3/customers/${ids.customer}/metafields/${ids.customerMetafield}`,
      "/v3/customers/metafields",
      `/v3/inventory/locations/${ids.location}/metafields`,
      `/v3/inventory/locations/${ids.location}/metafields/${ids.locationMetafield}`,
      "/v3/inventory/locations/metafields",
      "/v3/channels/1/metafields",
      `/v3/channels/1/metafields/${ids.channelMetafield}`,
      "/v3/channels/metafields",
      `/v2/orders/${ids.order}/consignments`,
      "/v3/promotions",
      `/v3/promotions/${ids.promotion}`,
      `/v3/promotions/${ids.promotion}/codes`,
      "/v2/coupons",
      "/v2/coupons/count",
      "/v2/gift_certificates",
      `/v2/gift_certificates/${ids.giftCertificate}`,
      "/v2/banners",
      `/v2/banners/${ids.banner}`,
      "/v2/banners/count",
      "/v2/blog/posts",
      `/v2/blog/posts/${ids.blogPost}`,
      "/v2/blog/posts/count",
      "/v2/blog/tags",
      "/v3/content/pages?include=body",
      `/v3/content/pages/${ids.page}`,
      "/v3/content/widget-templates",
      `/v3/content/widget-templates/${ids.template}`,
      "/v3/content/widgets",
      `/v3/content/widgets/${ids.widget}`,
      "/v3/content/placements",
      `/v3/content/placements/${ids.placement}`,
      "/v3/content/regions?templateFile=pages/home",
      "/v3/content/scripts",
      `/v3/content/scripts/${ids.script}`,
      "/v3/marketing/email-templates",
      "/v3/marketing/email-templates/invoice_email",
      "/v3/storefront/redirects?include=to_url",
      "/v3/channels",
      `/v3/channels/${ids.channel}`,
      "/v3/channels/1/site",
      "/v3/channels/1/active-theme",
      "/v3/sites",
      `/v3/sites/${ids.site}`,
      `/v3/sites/${ids.site}/routes`,
      `/v3/sites/${ids.site}/routes/${ids.route}`,
      "/v3/themes",
      `/v3/themes/${ids.theme}`,
      `/v3/themes/${ids.theme}/configurations`,
      `/v3/themes/jobs/${ids.job}`,
      "/v3/settings/analytics",
      "/v3/settings/analytics/1",
      "/v3/settings/catalog",
      "/v3/settings/email-statuses",
      "/v3/settings/inventory",
      "/v3/settings/inventory/notifications",
      "/v3/settings/logo",
      "/v3/settings/search/filters",
      "/v3/settings/store/locale",
      "/v3/settings/store/profile",
      "/v3/settings/storefront/category",
      "/v3/settings/storefront/product",
      "/v3/settings/storefront/robotstxt",
      "/v3/settings/storefront/search",
      "/v3/settings/storefront/security",
      "/v3/settings/storefront/seo",
      "/v3/settings/storefront/status",
      "/v3/settings/store/units-of-measurement",
    ];

    it("validates every list and get response against the response schema", async () => {
      const { failures, unmatched } = await checkReads(dir as string, api, reads(), (path) => patchFor(path));
      expect(unmatched, "paths without an operation in the specs").toEqual([]);
      expect(failures.join("\n")).toBe("");
    }, 180_000);
  },
);
