import { describe, expect, it } from "vitest";
import { defineResource } from "../../sandbox/engine/collection.ts";
import { verifyJwt } from "../../sandbox/engine/jwt.ts";
import { sandboxStore } from "./support/sandbox-client.ts";

const APP = { clientId: "app-client", clientSecret: "app-secret", appUrl: "https://app.example" };

describe("sandbox platform: auth, scopes, limits, faults", () => {
  it("answers 401 without or with a wrong token and 403 without the needed scope", async () => {
    const { api, admin, hash, sandbox } = await sandboxStore("demo");
    const none = await sandbox.fetch(new Request(`http://sandbox.test/stores/${hash}/v3/catalog/products`));
    expect(none.status).toBe(401);
    expect((await none.json()).status).toBe(401);
    expect((await api("GET", "/v3/catalog/products", undefined, { "x-auth-token": "nope" })).status).toBe(
      401,
    );
    const readOnly = (
      await admin("POST", `/stores/${hash}/tokens`, { scopes: ["store_v2_products_read_only"] })
    ).body.access_token;
    const as = { "x-auth-token": readOnly };
    expect((await api("GET", "/v3/catalog/products?limit=1", undefined, as)).status).toBe(200);
    const write = await api("PUT", "/v3/catalog/products/1", { price: 1 }, as);
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ status: 403, title: expect.any(String) });
    expect((await api("GET", "/v2/store", undefined, as)).status).toBe(403);
  });

  it("shares a per-store quota between clients, reports it in headers and answers 429 when spent", async () => {
    let now = 1_000_000;
    const { api, admin, hash } = await sandboxStore("empty", { now: () => now });
    const other = (
      await admin("POST", `/stores/${hash}/tokens`, { scopes: ["store_v2_information_read_only"] })
    ).body.access_token;
    await admin("PUT", `/stores/${hash}/quota`, { quota: 3, time_scale: 0.01 });
    const r1 = await api("GET", "/v2/store");
    expect(r1.headers.get("x-rate-limit-requests-quota")).toBe("3");
    expect(r1.headers.get("x-rate-limit-requests-left")).toBe("2");
    expect(r1.headers.get("x-rate-limit-time-window-ms")).toBe("300");
    now += 100;
    expect(
      (await api("GET", "/v2/store", undefined, { "x-auth-token": other })).headers.get(
        "x-rate-limit-requests-left",
      ),
    ).toBe("1");
    await api("GET", "/v2/store");
    const limited = await api("GET", "/v2/store");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-rate-limit-requests-left")).toBe("0");
    expect(limited.headers.get("x-rate-limit-time-reset-ms")).toBe("200");
    now += 200;
    expect((await api("GET", "/v2/store")).status).toBe(200);
    const stats = (await admin("GET", `/stores/${hash}/stats`)).body;
    expect(stats.rate_limited_429).toBe(1);
    // The 429 never reached the route: it is counted apart.
    expect(stats.requests["GET /v2/store"]).toBe(4);
    expect(stats.bytes_sent).toBeGreaterThan(1000);
    await admin("PUT", `/stores/${hash}/quota`, { plan: "pro" });
    expect((await api("GET", "/v2/store")).headers.get("x-rate-limit-requests-quota")).toBe("450");
  });

  it("injects faults deterministically for a seed: 5xx, overload 429 without rate headers, dropped connections", async () => {
    const run = async () => {
      const { api, admin, hash } = await sandboxStore("empty");
      await admin("PUT", `/stores/${hash}/quota`, { plan: "unlimited" });
      await admin("PUT", `/stores/${hash}/faults`, {
        error5xxRate: 0.2,
        overload429Rate: 0.2,
        dropRate: 0.1,
        seed: 42,
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        try {
          const r = await api("GET", "/v2/store");
          outcomes.push(
            r.status === 429
              ? `429${r.headers.get("x-rate-limit-requests-left") === null ? "-bare" : ""}`
              : String(r.status),
          );
        } catch (e) {
          outcomes.push(`drop:${(e as Error).name}`);
        }
      }
      return outcomes;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a).toContain("500");
    expect(a).toContain("429-bare");
    expect(a).toContain("drop:TypeError");
    expect(a).toContain("200");
  });

  it("answers 429 past an endpoint's documented concurrency limit, without touching the quota", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    // Slow requests overlap, as BigCommerce's do.
    await admin("PUT", `/stores/${hash}/faults`, { slowRate: 1, slowMs: 150, seed: 3 });
    const statuses = async (n: number, send: () => ReturnType<typeof api>) =>
      (await Promise.all(Array.from({ length: n }, send))).map((r) => r.status).sort();
    // "The default rate limit for this endpoint is 1 concurrent request." (category-trees_catalog.v3.yml)
    const tree = await Promise.all([1, 2, 3].map(() => api("GET", "/v3/catalog/trees/1/categories")));
    expect(tree.map((r) => r.status).sort()).toEqual([200, 429, 429]);
    const refused = tree.find((r) => r.status === 429);
    expect(refused?.headers.get("x-rate-limit-requests-left")).toBeNull();
    // "Limit of 3 concurrent requests" on the customers batch PUT (customers.v3.yml).
    const [c] = (await api("GET", "/v3/customers?limit=1")).body.data;
    expect(await statuses(5, () => api("PUT", "/v3/customers", [{ id: c.id, notes: "x" }]))).toEqual([
      200, 200, 200, 429, 429,
    ]);
    // Endpoints without a documented limit take them all; one at a time, the capped one serves every call.
    expect(await statuses(5, () => api("GET", "/v3/catalog/products?limit=1"))).toEqual([
      200, 200, 200, 200, 200,
    ]);
    for (let i = 0; i < 3; i++) expect((await api("GET", "/v3/catalog/trees/1/categories")).status).toBe(200);
    const stats = (await admin("GET", `/stores/${hash}/stats`)).body;
    expect(stats.concurrency_429).toBe(4);
    expect(stats.rate_limited_429).toBe(0);
  });

  it("slows requests on demand and reports peak concurrency; duplicates and delays webhooks", async () => {
    let now = 5_000_000;
    const { api, admin, hash } = await sandboxStore("empty", { now: () => now });
    await admin("PUT", `/stores/${hash}/faults`, {
      slowRate: 1,
      slowMs: 30,
      webhookDuplicateRate: 1,
      webhookDelayMs: 1000,
      seed: 9,
    });
    await Promise.all([api("GET", "/v2/store"), api("GET", "/v2/store"), api("GET", "/v2/store")]);
    const stats = (await admin("GET", `/stores/${hash}/stats`)).body;
    expect(stats.peak_concurrency).toBe(3);
    expect(stats.slowed).toBe(3);
    await admin("PUT", `/stores/${hash}/faults`, { slowRate: 0 });
    await api("POST", "/v3/hooks", { scope: "store/category/*", destination: "https://app.example/h" });
    await api("POST", "/v3/catalog/categories", { parent_id: 0, name: "Delayed" });
    expect((await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body).toEqual([]);
    now += 1000;
    const due = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body;
    expect(due.map((d: { scope: string }) => d.scope)).toEqual([
      "store/category/created",
      "store/category/created",
    ]);
    expect(due[0].payload.hash).toBe(due[1].payload.hash);
  });

  it("serves v2 lists as bare arrays with 204 and no body past the last page", async () => {
    const notes = defineResource({
      name: "test_notes",
      version: "v2",
      path: "/test_notes",
      scope: "store_v2_content",
      defaults: { title: "" },
      dates: { created: "date_created" },
    });
    const { api } = await sandboxStore("empty", { modules: [{ name: "test", resources: [notes] }] });
    for (let i = 0; i < 3; i++)
      expect((await api("POST", "/v2/test_notes", { title: `n${i}` })).status).toBe(201);
    const page1 = await api("GET", "/v2/test_notes?limit=2");
    expect(page1.body).toHaveLength(2);
    expect(page1.body[0].date_created).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
    expect((await api("GET", "/v2/test_notes?limit=2&page=2")).body).toHaveLength(1);
    const past = await api("GET", "/v2/test_notes?limit=2&page=3");
    expect(past.status).toBe(204);
    expect(past.text).toBe("");
    expect((await api("GET", "/v2/test_notes?min_id=3")).body.map((n: { id: number }) => n.id)).toEqual([3]);
    expect((await api("GET", "/v2/test_notes/count")).body).toEqual({ count: 3 });
    const missing = await api("GET", "/v2/test_notes/99");
    expect(missing.status).toBe(404);
    expect(missing.body[0]).toMatchObject({ status: 404 });
  });
});

describe("sandbox platform: app install, load, uninstall", () => {
  it("exchanges a single-use install code for a token with the granted scopes", async () => {
    const { admin, hash, sandbox } = await sandboxStore("demo", { apps: [APP] });
    const install = (await admin("POST", `/stores/${hash}/install`, { scope: "store_v2_products_read_only" }))
      .body;
    const cb = new URL(install.callback_url);
    expect(`${cb.origin}${cb.pathname}`).toBe("https://app.example/auth/callback");
    expect(cb.searchParams.get("context")).toBe(`stores/${hash}`);
    const exchange = (secret: string) =>
      sandbox.fetch(
        new Request("http://sandbox.test/oauth2/token", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            client_id: APP.clientId,
            client_secret: secret,
            code: cb.searchParams.get("code"),
            context: cb.searchParams.get("context"),
            scope: cb.searchParams.get("scope"),
            grant_type: "authorization_code",
            redirect_uri: "https://app.example/auth/callback",
          }),
        }),
      );
    expect((await exchange("wrong")).status).toBe(401);
    const ok = await exchange(APP.clientSecret);
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body).toMatchObject({
      access_token: expect.any(String),
      scope: "store_v2_products_read_only",
      context: `stores/${hash}`,
      user: { id: 1, email: expect.any(String), username: expect.any(String) },
      owner: { id: 1 },
      account_uuid: expect.any(String),
    });
    expect((await exchange(APP.clientSecret)).status).toBe(400);
    const read = await sandbox.fetch(
      new Request(`http://sandbox.test/stores/${hash}/v3/catalog/products?limit=1`, {
        headers: { "x-auth-token": body.access_token },
      }),
    );
    expect(read.status).toBe(200);
  });

  it("signs load, uninstall and remove-user payloads with BigCommerce's claims", async () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    const { admin, hash, sandbox } = await sandboxStore("demo", { apps: [APP], now: () => now });
    const user = (await admin("POST", `/stores/${hash}/users`, { email: "staff@example.com" })).body;
    const load = (await admin("GET", `/stores/${hash}/load-url?user_id=${user.id}`)).body;
    expect(load.url).toMatch(/^https:\/\/app\.example\/auth\/load\?signed_payload_jwt=/);
    const claims = await verifyJwt(load.signed_payload_jwt, APP.clientSecret);
    expect(claims).toMatchObject({
      aud: APP.clientId,
      iss: "bc",
      iat: now / 1000,
      nbf: now / 1000,
      exp: now / 1000 + 86400,
      sub: `stores/${hash}`,
      user: { id: user.id, email: "staff@example.com", locale: "en-US" },
      owner: { id: 1 },
      url: "/",
      channel_id: null,
    });
    expect(claims?.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(atob(load.signed_payload_jwt.split(".")[0]))).toMatchObject({ alg: "HS256" });
    expect(await verifyJwt(load.signed_payload_jwt, "other-secret")).toBeNull();
    const removed = (await admin("POST", `/stores/${hash}/remove-user`, { user_id: user.id })).body;
    expect(removed.url).toContain("/auth/remove_user?signed_payload_jwt=");
    expect((await admin("GET", `/stores/${hash}/users`)).body.map((u: { id: number }) => u.id)).toEqual([1]);
    const uninstall = (await admin("POST", `/stores/${hash}/uninstall`, {})).body;
    expect(uninstall.url).toContain("/auth/uninstall?signed_payload_jwt=");
    const page = await sandbox.fetch(new Request(`http://sandbox.test/manage/app?store=${hash}`));
    const html = await page.text();
    expect(html).toContain('title="Strongbox"');
    expect(html).toContain("https://app.example/auth/load?signed_payload_jwt=");
    expect(html).toContain(`/__sandbox/stores/${hash}/uninstall`);
  });
});

describe("sandbox platform: webhooks, mutate, export", () => {
  it("delivers product created/updated/deleted webhooks with BigCommerce's payload and the hook's headers", async () => {
    const { api, admin, hash } = await sandboxStore("empty");
    const hook = await api("POST", "/v3/hooks", {
      scope: "store/product/*",
      destination: "https://app.example/webhooks",
      is_active: true,
      headers: { "x-strongbox-secret": "s3cret" },
    });
    expect(hook.status).toBe(200);
    expect(hook.body.data).toMatchObject({
      id: expect.any(Number),
      scope: "store/product/*",
      store_hash: hash,
      created_at: expect.any(Number),
    });
    const dupHook = await api("POST", "/v3/hooks", {
      scope: "store/product/*",
      destination: "https://app.example/webhooks",
    });
    expect(dupHook.status).toBe(422);
    expect(
      (
        await api("POST", "/v3/hooks", {
          scope: "store/product/*",
          destination: "http://evil.example:8080/x",
        })
      ).status,
    ).toBe(422);
    const p = (
      await api("POST", "/v3/catalog/products", { name: "Hooked", type: "physical", weight: 1, price: 2 })
    ).body.data;
    await api("PUT", `/v3/catalog/products/${p.id}`, { price: 3 });
    await api("DELETE", `/v3/catalog/products/${p.id}`);
    await api("POST", "/v3/catalog/brands", { name: "No hooks for brands" });
    const deliveries = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body;
    expect(deliveries.map((d: { scope: string }) => d.scope)).toEqual([
      "store/product/created",
      "store/product/updated",
      "store/product/deleted",
    ]);
    const d = deliveries[0];
    expect(d.headers).toEqual({ "x-strongbox-secret": "s3cret" });
    expect(d.payload).toMatchObject({
      scope: "store/product/created",
      store_id: expect.stringMatching(/^\d+$/),
      data: { type: "product", id: p.id },
      created_at: expect.any(Number),
      producer: `stores/${hash}`,
    });
    const { hash: sha, ...rest } = d.payload;
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(JSON.stringify(rest)));
    expect(sha).toBe(Buffer.from(digest).toString("hex"));
    expect((await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body).toEqual([]);
  });

  it("mutate churn, bad-import and delete report what changed, and export reflects it", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    const churn = (
      await admin("POST", `/stores/${hash}/mutate`, { kind: "churn", type: "products", share: 0.1, seed: 3 })
    ).body;
    expect(churn.changed.products.updated).toHaveLength(5);
    const bad = (await admin("POST", `/stores/${hash}/mutate`, { kind: "bad-import", share: 0.2, seed: 4 }))
      .body;
    const ids: number[] = bad.changed.products.updated;
    expect(ids).toHaveLength(10);
    const id = ids[0];
    const now = (await api("GET", `/v3/catalog/products/${id}`)).body.data;
    expect(now.name).toContain("IMPORT");
    expect(bad.before.products[id].name).not.toContain("IMPORT");
    expect(now.price).toBeCloseTo(bad.before.products[id].price * 0.1, 1);
    const del = (
      await admin("POST", `/stores/${hash}/mutate`, {
        kind: "delete",
        type: "products",
        share: 0.04,
        seed: 5,
      })
    ).body;
    expect(del.changed.products.deleted).toHaveLength(2);
    expect(del.changed.product_variants.deleted.length).toBeGreaterThan(0);
    const exp = (await admin("GET", `/stores/${hash}/export`)).body;
    expect(exp.products).toHaveLength(48);
    expect(exp.products.find((p: { id: number }) => p.id === id).name).toBe(now.name);
    expect(exp.store.name).toBeTruthy();
    for (const key of [
      "product_variants",
      "product_images",
      "product_options",
      "brands",
      "categories",
      "category_trees",
    ]) {
      expect(Array.isArray(exp[key]), key).toBe(true);
    }
  });

  it("generates the same store for the same seed", async () => {
    const now = () => Date.parse("2026-06-01T00:00:00Z");
    const a = await sandboxStore("demo", { now }, 7);
    const b = await sandboxStore("demo", { now }, 7);
    const ea = (await a.admin("GET", `/stores/${a.hash}/export`)).body;
    const eb = (await b.admin("GET", `/stores/${b.hash}/export`)).body;
    expect(eb.products).toEqual(ea.products);
    expect(eb.product_variants).toEqual(ea.product_variants);
    expect(eb.categories).toEqual(ea.categories);
  });
});
