import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

type Store = Awaited<ReturnType<typeof sandboxStore>>;

/** A second API client of the same store, with its own client id (as another app would be). */
async function clientOf(store: Store, clientId: string) {
  const { access_token } = (
    await store.admin("POST", `/stores/${store.hash}/tokens`, {
      client_id: clientId,
      scopes: ["store_content_checkout", "store_v2_content"],
    })
  ).body;
  return (method: string, path: string, body?: unknown) =>
    store.api(method, path, body, { "x-auth-token": access_token });
}

describe("sandbox scripts", () => {
  it("lists and serves only the scripts created by the calling client", async () => {
    const store = await sandboxStore("demo");
    const appA = await clientOf(store, "app-a");
    const appB = await clientOf(store, "app-b");
    expect((await appA("GET", "/v3/content/scripts")).body.data).toEqual([]);
    const created = await appA("POST", "/v3/content/scripts", {
      name: "A tag",
      kind: "src",
      src: "https://a.example/t.js",
    });
    expect(created.status).toBe(200);
    expect(created.body.data.api_client_id).toBe("app-a");
    const uuid = created.body.data.uuid;
    expect((await appA("GET", "/v3/content/scripts")).body.data.map((s: { uuid: string }) => s.uuid)).toEqual(
      [uuid],
    );
    expect((await appB("GET", "/v3/content/scripts")).body.data).toEqual([]);
    expect((await appB("GET", `/v3/content/scripts/${uuid}`)).status).toBe(404);
    expect((await appB("PUT", `/v3/content/scripts/${uuid}`, { name: "hijack" })).status).toBe(404);
    const tooMany = [];
    for (let i = 0; i < 10; i++)
      tooMany.push(
        await appA("POST", "/v3/content/scripts", {
          name: `t${i}`,
          kind: "src",
          src: "https://a.example/x.js",
        }),
      );
    expect(tooMany.at(-1)?.status).toBe(422);
    const noSrc = await appB("POST", "/v3/content/scripts", { name: "broken", kind: "src" });
    expect(noSrc.status).toBe(422);
  });
});

describe("sandbox email templates", () => {
  it("serves the fixed set of templates, updates them per name and channel, and has no create", async () => {
    const { api } = await sandboxStore("demo");
    const list = (await api("GET", "/v3/marketing/email-templates")).body.data;
    expect(list.map((t: { type_id: string }) => t.type_id)).toEqual([
      "abandoned_cart_email",
      "account_details_changed_email",
      "combined_order_status_email",
      "createaccount_email",
      "createguestaccount_email",
      "giftcertificate_email",
      "invoice_email",
      "ordermessage_notification",
      "return_confirmation_email",
      "return_statuschange_email",
      "product_review_email",
      "account_reset_password_email",
    ]);
    expect((await api("GET", "/v3/marketing/email-templates/not_a_template")).status).toBe(404);
    expect((await api("PUT", "/v3/marketing/email-templates/not_a_template", { subject: "x" })).status).toBe(
      404,
    );
    expect((await api("POST", "/v3/marketing/email-templates", { type_id: "new_email" })).status).toBe(404);
    const fr = (
      await api("POST", "/v3/channels", { name: "Boutique BE", type: "storefront", platform: "bigcommerce" })
    ).body.data.id;
    await api("PUT", `/v3/marketing/email-templates/invoice_email?channel_id=${fr}`, {
      subject: "Votre facture",
    });
    expect(
      (await api("GET", `/v3/marketing/email-templates/invoice_email?channel_id=${fr}`)).body.data.subject,
    ).toBe("Votre facture");
    expect((await api("GET", "/v3/marketing/email-templates/invoice_email")).body.data.subject).not.toBe(
      "Votre facture",
    );
    await api("DELETE", `/v3/marketing/email-templates/invoice_email?channel_id=${fr}`);
    expect(
      (await api("GET", `/v3/marketing/email-templates/invoice_email?channel_id=${fr}`)).body.data.subject,
    ).not.toBe("Votre facture");
  });
});

describe("sandbox pages, blog, widgets and redirects", () => {
  it("pages return body only with include=body and raise channel-scoped webhooks", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", {
      scope: "store/channel/1/page/*",
      destination: "https://app.example/hooks",
    });
    const created = await api("POST", "/v3/content/pages", [
      { name: "Shipping", type: "page", body: "<p>We ship</p>" },
    ]);
    expect(created.status).toBe(200);
    const id = created.body.data[0].id;
    expect((await api("GET", `/v3/content/pages/${id}`)).body.data.body).toBeUndefined();
    expect((await api("GET", `/v3/content/pages/${id}?include=body`)).body.data.body).toBe("<p>We ship</p>");
    const single = await api("POST", "/v3/content/pages", {
      name: "Returns",
      type: "page",
      body: "<p>30 days</p>",
    });
    expect(single.status).toBe(201);
    expect((await api("POST", "/v3/content/pages", [{ type: "page" }])).status).toBe(422);
    const exported = (await admin("GET", `/stores/${hash}/export`)).body;
    expect(exported.pages.find((p: { id: number }) => p.id === id).body).toBe("<p>We ship</p>");
    expect((await api("DELETE", `/v3/content/pages?id:in=${id}`)).status).toBe(204);
    const scopes = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body.map(
      (d: { scope: string }) => d.scope,
    );
    expect(scopes).toEqual([
      "store/channel/1/page/created",
      "store/channel/1/page/created",
      "store/channel/1/page/deleted",
    ]);
  });

  it("blog posts page as v2 (204 past the end) and tags are computed", async () => {
    const { api } = await sandboxStore("demo");
    expect((await api("GET", "/v2/blog/posts?limit=5")).body).toHaveLength(5);
    expect((await api("GET", "/v2/blog/posts?limit=5&page=2")).status).toBe(204);
    const dates = (await api("GET", "/v2/blog/posts")).body.map(
      (p: { published_date_iso8601: string }) => p.published_date_iso8601,
    );
    expect(dates).toEqual([...dates].sort().reverse());
    const post = await api("POST", "/v2/blog/posts", {
      title: "Spring drop",
      body: "<p>New</p>",
      tags: ["spring"],
      published_date: "Wed, 01 Apr 2026 09:00:00 +0000",
    });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({
      url: "/blog/spring-drop/",
      published_date_iso8601: "2026-04-01T09:00:00.000Z",
    });
    expect((await api("POST", "/v2/blog/posts", { title: "Spring drop", body: "again" })).status).toBe(409);
    const tags = (await api("GET", "/v2/blog/tags")).body;
    expect(tags).toContainEqual({ tag: "spring", post_ids: [post.body.id] });
    expect((await api("POST", "/v2/blog/tags", { tag: "x" })).status).toBe(404);
  });

  it("widgets embed their template, placements their widget; deleting a template removes its widgets", async () => {
    const { api } = await sandboxStore("demo");
    const template = (
      await api("POST", "/v3/content/widget-templates", { name: "Banner", template: "<b>{{t}}</b>" })
    ).body.data;
    const widget = (
      await api("POST", "/v3/content/widgets", {
        name: "Sale",
        widget_template_uuid: template.uuid,
        widget_configuration: { t: "Sale" },
      })
    ).body.data;
    expect(widget.widget_template.uuid).toBe(template.uuid);
    const placement = (
      await api("POST", "/v3/content/placements", {
        widget_uuid: widget.uuid,
        template_file: "pages/home",
        region: "home_below_menu",
      })
    ).body.data;
    expect(placement.widget.uuid).toBe(widget.uuid);
    expect(
      (
        await api("POST", "/v3/content/widgets", {
          name: "Orphan",
          widget_template_uuid: "00000000-0000-4000-8000-000000000000",
        })
      ).status,
    ).toBe(422);
    expect((await api("GET", "/v3/content/widgets?limit=151")).status).toBe(413);
    expect((await api("DELETE", `/v3/content/widget-templates/${template.uuid}`)).status).toBe(204);
    expect((await api("GET", `/v3/content/widgets/${widget.uuid}`)).status).toBe(404);
    expect((await api("GET", `/v3/content/placements/${placement.uuid}`)).status).toBe(404);
  });

  it("redirects upsert by site and from_path, and resolve to_url on request", async () => {
    const { api } = await sandboxStore("demo");
    const before = (await api("GET", "/v3/storefront/redirects")).body.meta.pagination.total;
    const product = (await api("GET", "/v3/catalog/products?limit=1")).body.data[0];
    const body = [
      { site_id: 1000, from_path: "/old-lantern/", to: { type: "product", entity_id: product.id } },
    ];
    const first = await api("PUT", "/v3/storefront/redirects", body);
    expect(first.status).toBe(201);
    const again = await api("PUT", "/v3/storefront/redirects", body);
    expect(again.body.data[0].id).toBe(first.body.data[0].id);
    const list = (await api("GET", "/v3/storefront/redirects?keyword=old-lantern&include=to_url")).body;
    expect(list.meta.pagination.total).toBe(1);
    expect(list.data[0].to_url).toBe(
      `https://store-${(await api("GET", "/v2/store")).body.id}.mybigcommerce.com${product.custom_url.url}`,
    );
    expect((await api("GET", "/v3/storefront/redirects")).body.meta.pagination.total).toBe(before + 1);
    expect(
      (
        await api("PUT", "/v3/storefront/redirects", [
          { site_id: 424242, from_path: "/x/", to: { type: "url", url: "https://x.example" } },
        ])
      ).status,
    ).toBe(422);
  });
});

describe("sandbox marketing", () => {
  it("coupons page by min_id, refuse a duplicate code with 409, and send no webhooks", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", { scope: "store/*", destination: "https://app.example/hooks" });
    expect((await api("GET", "/v2/coupons?min_id=3")).body.map((c: { id: number }) => c.id)).toEqual([
      3, 4, 5,
    ]);
    const coupon = {
      name: "Ten off",
      code: "TENOFF",
      type: "per_total_discount",
      amount: "10",
      applies_to: { entity: "categories", ids: [0] },
    };
    const created = await api("POST", "/v2/coupons", coupon);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 6, amount: "10.0000", num_uses: 0 });
    expect((await api("POST", "/v2/coupons", { ...coupon, name: "Other" })).status).toBe(409);
    await api("PUT", "/v2/coupons/6", { ...coupon, amount: "12" });
    const cert = await api("POST", "/v2/gift_certificates", {
      to_name: "A",
      to_email: "a@example.org",
      from_name: "B",
      from_email: "b@example.org",
      amount: "50",
    });
    expect(cert.body.code).toMatch(/^\w{3}-\w{3}-\w{3}-\w{3}$/);
    expect(cert.body.balance).toBe("50.0000");
    await api("POST", "/v2/banners", {
      name: "Top",
      content: "<p>x</p>",
      page: "home_page",
      location: "top",
      date_type: "always",
    });
    await api("POST", "/v2/blog/posts", { title: "Quiet", body: "<p>x</p>" });
    await api("POST", "/v3/promotions", {
      name: "Auto",
      redemption_type: "AUTOMATIC",
      rules: [{ action: { cart_value: { discount: { percentage_amount: "5" } } } }],
    });
    await api("POST", "/v3/content/widget-templates", { name: "Quiet widget", template: "<p></p>" });
    await api("PUT", "/v3/storefront/redirects", [
      { site_id: 1000, from_path: "/quiet/", to: { type: "url", url: "https://x.example" } },
    ]);
    expect((await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body).toEqual([]);
    await api("POST", "/v3/customers/subscribers", { email: "loud@example.org" });
    expect((await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body).toHaveLength(1);
  });

  it("promotion codes: unique across promotions and coupons, codegen up to 250", async () => {
    const { api } = await sandboxStore("demo");
    const promo = (
      await api("POST", "/v3/promotions", {
        name: "Codes",
        redemption_type: "COUPON",
        rules: [{ action: { cart_value: { discount: { fixed_amount: "5" } } } }],
      })
    ).body.data;
    expect((await api("POST", `/v3/promotions/${promo.id}/codes`, { code: "SPRING5" })).status).toBe(201);
    expect((await api("POST", `/v3/promotions/${promo.id}/codes`, { code: "spring5" })).status).toBe(409);
    const coupon = (await api("GET", "/v2/coupons?limit=1")).body[0];
    expect((await api("POST", `/v3/promotions/${promo.id}/codes`, { code: coupon.code })).status).toBe(409);
    expect((await api("POST", `/v3/promotions/${promo.id}/codegen`, { batch_size: 251 })).status).toBe(413);
    const gen = await api("POST", `/v3/promotions/${promo.id}/codegen`, { batch_size: 20 });
    expect(gen.body.data.codes).toHaveLength(20);
    expect((await api("GET", `/v3/promotions/${promo.id}/codes?limit=50`)).body.data).toHaveLength(21);
    const auto = (await api("GET", "/v3/promotions?redemption_type=automatic")).body.data[0];
    expect((await api("POST", `/v3/promotions/${auto.id}/codes`, { code: "NOPE" })).status).toBe(422);
  });

  it("pages v2 banners by page and limit (page is not the banner's page field) and answers 204 past the end", async () => {
    const { api } = await sandboxStore("empty");
    for (const [i, page] of [
      "home_page",
      "category_page",
      "home_page",
      "brand_page",
      "search_page",
    ].entries()) {
      const res = await api("POST", "/v2/banners", {
        name: `Banner ${i + 1}`,
        content: "<p>x</p>",
        page,
        location: "top",
        date_type: "always",
      });
      expect(res.status).toBe(201);
    }
    const names = async (q: string) => {
      const res = await api("GET", `/v2/banners?${q}`);
      return res.status === 204 ? 204 : res.body.map((b: { name: string }) => b.name);
    };
    expect(await names("limit=2&page=1")).toEqual(["Banner 1", "Banner 2"]);
    expect(await names("limit=2&page=2")).toEqual(["Banner 3", "Banner 4"]);
    expect(await names("limit=2&page=3")).toEqual(["Banner 5"]);
    expect(await names("limit=2&page=4")).toBe(204);
    expect(await names("min_id=4")).toEqual(["Banner 4", "Banner 5"]);
    expect((await api("GET", "/v2/banners/count")).body.count).toBe(5);
  });
});

describe("sandbox channels, sites, themes and settings", () => {
  it("channels cannot be deleted and keep type and platform; sites page by offset", async () => {
    const { api } = await sandboxStore("demo");
    expect((await api("DELETE", "/v3/channels/1")).status).toBe(404);
    const pos = (await api("POST", "/v3/channels", { name: "Till", type: "pos", platform: "square" })).body
      .data;
    expect(
      (await api("POST", "/v3/channels", { name: "Till", type: "pos", platform: "square" })).status,
    ).toBe(409);
    expect((await api("PUT", `/v3/channels/${pos.id}`, { type: "marketplace" })).status).toBe(422);
    const sites = (await api("GET", "/v3/sites?limit=1")).body;
    expect(sites.meta.pagination).toEqual({ offset: 0, limit: 1, total_items: 2 });
    expect((await api("GET", "/v3/sites?limit=1&page=2")).body.meta.pagination.offset).toBe(1);
  });

  it("theme downloads are jobs whose link works for 60 seconds without a token", async () => {
    let now = Date.parse("2026-11-21T12:00:00Z");
    const { api, sandbox, base } = await sandboxStore("demo", { now: () => now });
    const theme = (await api("GET", "/v3/themes")).body.data[0];
    const job = (await api("POST", `/v3/themes/${theme.uuid}/actions/download`, { which: "original" })).body
      .job_id;
    expect((await api("GET", `/v3/themes/jobs/${job}`)).body.data.status).toBe("WORKING");
    const done = (await api("GET", `/v3/themes/jobs/${job}`)).body.data;
    expect(done).toMatchObject({ status: "COMPLETED", percent_complete: 100 });
    const zip = await sandbox.fetch(new Request(done.result.download_url));
    expect(zip.status).toBe(200);
    expect(new Uint8Array(await zip.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
    now += 61_000;
    expect((await sandbox.fetch(new Request(done.result.download_url))).status).toBe(403);
    expect(done.result.download_url.startsWith(base)).toBe(true);
    const configs = (await api("GET", `/v3/themes/${theme.uuid}/configurations`)).body.data;
    expect(configs[0]).toMatchObject({ theme_uuid: theme.uuid, settings: expect.any(Object) });
  });

  it("an uploaded theme becomes a new private theme", async () => {
    const { api, sandbox, hash, token, base } = await sandboxStore("demo");
    const theme = (await api("GET", "/v3/themes")).body.data[0];
    const job = (await api("POST", `/v3/themes/${theme.uuid}/actions/download`, {})).body.job_id;
    await api("GET", `/v3/themes/jobs/${job}`);
    const url = (await api("GET", `/v3/themes/jobs/${job}`)).body.data.result.download_url;
    const bytes = await (await sandbox.fetch(new Request(url))).arrayBuffer();
    const form = new FormData();
    form.append("file", new File([bytes], "restored.zip", { type: "application/zip" }));
    const upload = await sandbox.fetch(
      new Request(`${base}/stores/${hash}/v3/themes`, {
        method: "POST",
        body: form,
        headers: { "x-auth-token": token },
      }),
    );
    expect(upload.status).toBe(201);
    const uploadJob = ((await upload.json()) as { job_id: string }).job_id;
    await api("GET", `/v3/themes/jobs/${uploadJob}`);
    const finished = (await api("GET", `/v3/themes/jobs/${uploadJob}`)).body.data;
    expect(finished.status).toBe("COMPLETED");
    const themes = (await api("GET", "/v3/themes")).body.data;
    expect(themes.map((t: { uuid: string }) => t.uuid)).toContain(finished.result.theme_id);
    expect(themes.find((t: { uuid: string }) => t.uuid === finished.result.theme_id)).toMatchObject({
      name: theme.name,
      is_private: true,
      is_active: false,
    });
  });

  it("settings are singletons: PUT merges known fields, checks types, and raises store/information/updated", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", {
      scope: "store/information/updated",
      destination: "https://app.example/hooks",
    });
    const put = await api("PUT", "/v3/settings/store/profile", { store_name: "Renamed", unknown_field: 1 });
    expect(put.body.data.store_name).toBe("Renamed");
    expect(put.body.data.unknown_field).toBeUndefined();
    expect((await api("GET", "/v3/settings/store/profile")).body.data.store_name).toBe("Renamed");
    expect((await api("PUT", "/v3/settings/storefront/seo", { page_title: 5 })).status).toBe(422);
    expect((await api("POST", "/v3/settings/store/profile", {})).status).toBe(404);
    const deliveries = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body;
    expect(deliveries.map((d: { scope: string }) => d.scope)).toEqual(["store/information/updated"]);
    const exported = (await admin("GET", `/stores/${hash}/export`)).body;
    expect(
      exported.store_settings.find((s: { path: string }) => s.path === "store/profile").value.store_name,
    ).toBe("Renamed");
  });
});

describe("sandbox content scopes", () => {
  it("follows the OAuth scopes of each spec: Content for redirects and scripts, Information for email templates", async () => {
    const store = await sandboxStore("demo");
    const tokenWith = async (scopes: string[]) => {
      const { access_token } = (
        await store.admin("POST", `/stores/${store.hash}/tokens`, { scopes, client_id: "scoped" })
      ).body;
      return (method: string, path: string, body?: unknown) =>
        store.api(method, path, body, { "x-auth-token": access_token });
    };
    const contentReader = await tokenWith(["store_v2_content_read_only"]);
    expect((await contentReader("GET", "/v3/storefront/redirects")).status).toBe(200);
    expect((await contentReader("GET", "/v3/content/scripts")).status).toBe(200);
    expect((await contentReader("GET", "/v3/settings/analytics")).status).toBe(200);
    expect((await contentReader("PUT", "/v3/storefront/redirects", [])).status).toBe(403);
    expect((await contentReader("GET", "/v3/marketing/email-templates")).status).toBe(403);
    const information = await tokenWith(["store_v2_information"]);
    expect((await information("GET", "/v3/marketing/email-templates")).status).toBe(200);
    expect((await information("PUT", "/v3/settings/store/profile", { store_phone: "1" })).status).toBe(200);
    expect((await information("GET", "/v3/content/pages")).status).toBe(403);
  });
});
