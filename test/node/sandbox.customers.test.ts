import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

const customer = (n: number | string, over: Record<string, unknown> = {}) => ({
  email: `buyer.${n}@example.org`,
  first_name: "Bea",
  last_name: `Buyer ${n}`,
  ...over,
});

describe("sandbox customers (v3)", () => {
  it("pages by page and by cursor over every customer exactly once", async () => {
    const { api } = await sandboxStore("demo");
    const first = await api("GET", "/v3/customers?limit=7");
    expect(first.status).toBe(200);
    expect(first.body.meta.pagination).toMatchObject({
      total: 30,
      count: 7,
      per_page: 7,
      current_page: 1,
      total_pages: 5,
    });
    const seen: number[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await api("GET", `/v3/customers?limit=7${after ? `&after=${after}` : ""}`);
      seen.push(...page.body.data.map((c: { id: number }) => c.id));
      const cursor = page.body.meta.cursor_pagination;
      if (!cursor?.links?.next && after) break;
      after = cursor.end_cursor;
      if (page.body.data.length < 7) break;
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await api("GET", "/v3/customers?limit=251")).status).toBe(413);
    const byName = (await api("GET", "/v3/customers?sort=last_name:asc&limit=30")).body.data.map(
      (c: { last_name: string }) => c.last_name,
    );
    expect(byName).toEqual([...byName].sort((a: string, b: string) => a.localeCompare(b)));
    const newest = (await api("GET", "/v3/customers?sort=date_created:desc&limit=2")).body.data.map(
      (c: { id: number }) => c.id,
    );
    expect(newest).toEqual([30, 29]);
  });

  it("embeds addresses, attributes and store credit only when included (the export keeps store credit)", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    const created = await api("POST", "/v3/customers", [
      customer(1, {
        addresses: [
          {
            first_name: "Bea",
            last_name: "Buyer",
            address1: "1 Elm St",
            city: "Lyon",
            state_or_province: "Rhône",
            postal_code: "69002",
            country_code: "FR",
          },
        ],
        store_credit_amounts: [{ amount: 12.5 }],
      }),
    ]);
    expect(created.status).toBe(200);
    const id = created.body.data[0].id;
    const plain = (await api("GET", `/v3/customers?id:in=${id}`)).body.data[0];
    expect(plain.addresses).toBeUndefined();
    expect(plain.store_credit_amounts).toBeUndefined();
    expect(plain.address_count).toBe(1);
    const full = (
      await api("GET", `/v3/customers?id:in=${id}&include=addresses,storecredit,attributes,formfields`)
    ).body.data[0];
    expect(full.addresses).toHaveLength(1);
    expect(full.addresses[0]).toMatchObject({
      customer_id: id,
      country: "France",
      country_code: "FR",
      city: "Lyon",
    });
    expect(full.store_credit_amounts).toEqual([{ amount: 12.5 }]);
    expect(full.attributes).toEqual([]);
    const exported = (await admin("GET", `/stores/${hash}/export`)).body;
    expect(exported.customers.find((c: { id: number }) => c.id === id).store_credit_amounts).toEqual([
      { amount: 12.5 },
    ]);
  });

  it("assigns ids and dates, ignores read-only fields and moves date_modified on update", async () => {
    let now = Date.parse("2026-06-01T10:00:00Z");
    const { api } = await sandboxStore("demo", { now: () => now });
    const created = await api("POST", "/v3/customers", [
      customer(2, { id: 999, date_created: "2001-01-01T00:00:00Z", registration_ip_address: "1.2.3.4" }),
    ]);
    const rec = created.body.data[0];
    expect(rec.id).toBe(31);
    expect(rec.date_created).toBe("2026-06-01T10:00:00+00:00");
    expect(rec.registration_ip_address).toBe("");
    now += 3_600_000;
    const updated = await api("PUT", "/v3/customers", [
      { id: rec.id, notes: "Gold", date_modified: "1999-01-01T00:00:00Z" },
    ]);
    expect(updated.body.data[0].date_modified).toBe("2026-06-01T11:00:00+00:00");
    const since = await api(
      "GET",
      `/v3/customers?date_modified:min=${encodeURIComponent("2026-06-01T10:30:00+00:00")}`,
    );
    expect(since.body.data.map((c: { id: number }) => c.id)).toEqual([rec.id]);
  });

  it("limits batches to 10 (413), answers 207 on partial success and 422 on a duplicate email", async () => {
    const { api } = await sandboxStore("demo");
    const eleven = Array.from({ length: 11 }, (_, i) => customer(`b${i}`));
    expect((await api("POST", "/v3/customers", eleven)).status).toBe(413);
    const existing = (await api("GET", "/v3/customers?limit=1")).body.data[0];
    const partial = await api("POST", "/v3/customers", [
      customer("ok"),
      customer("dup", { email: existing.email }),
    ]);
    expect(partial.status).toBe(207);
    expect(partial.body.data).toHaveLength(1);
    expect(partial.body.errors[0]).toMatchObject({ status: 422 });
    expect(partial.body.meta).toEqual({ total: 2, success: 1, failed: 1 });
    const dup = await api("POST", "/v3/customers", [
      customer("dup2", { email: existing.email.toUpperCase() }),
    ]);
    expect(dup.status).toBe(422);
    expect(dup.body.errors.email).toContain("already in use");
    const missing = await api("POST", "/v3/customers", [{ email: "x@example.org" }]);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toMatchObject({
      first_name: expect.any(String),
      last_name: expect.any(String),
    });
  });

  it("skips an exact duplicate address silently and deletes customers with their addresses", async () => {
    const { api } = await sandboxStore("demo");
    const c = (await api("POST", "/v3/customers", [customer(3)])).body.data[0];
    const address = {
      customer_id: c.id,
      first_name: "Bea",
      last_name: "Buyer",
      address1: "9 Oak Ave",
      city: "Denver",
      state_or_province: "Colorado",
      postal_code: "80202",
      country_code: "US",
    };
    const once = await api("POST", "/v3/customers/addresses", [address]);
    expect(once.body.data).toHaveLength(1);
    const twice = await api("POST", "/v3/customers/addresses", [address]);
    expect(twice.status).toBe(200);
    expect(twice.body.data).toEqual([]);
    expect((await api("GET", `/v3/customers/addresses?customer_id:in=${c.id}`)).body.data).toHaveLength(1);
    expect((await api("DELETE", "/v3/customers")).status).toBe(422);
    expect((await api("DELETE", `/v3/customers?id:in=${c.id}`)).status).toBe(204);
    expect((await api("GET", `/v3/customers/addresses?customer_id:in=${c.id}`)).body.data).toEqual([]);
  });

  it("upserts attribute values per customer and attribute, checking the attribute's type", async () => {
    const { api } = await sandboxStore("demo");
    const attr = (await api("POST", "/v3/customers/attributes", [{ name: "Shoe size EU", type: "number" }]))
      .body.data[0];
    const c = (await api("GET", "/v3/customers?limit=1")).body.data[0];
    const first = await api("PUT", "/v3/customers/attribute-values", [
      { attribute_id: attr.id, customer_id: c.id, value: "41" },
    ]);
    expect(first.status).toBe(200);
    const again = await api("PUT", "/v3/customers/attribute-values", [
      { attribute_id: attr.id, customer_id: c.id, value: "42" },
    ]);
    expect(again.body.data[0].id).toBe(first.body.data[0].id);
    expect(again.body.data[0].attribute_value).toBe("42");
    const bad = await api("PUT", "/v3/customers/attribute-values", [
      { attribute_id: attr.id, customer_id: c.id, value: "large" },
    ]);
    expect(bad.status).toBe(422);
    const dup = await api("POST", "/v3/customers/attributes", [{ name: "Shoe size EU", type: "string" }]);
    expect(dup.status).toBe(409);
    const retype = await api("PUT", "/v3/customers/attributes", [{ id: attr.id, type: "string" }]);
    expect(retype.body.data[0].type).toBe("number");
  });
});

describe("sandbox customer groups (v2), subscribers and wishlists", () => {
  it("v2 groups: bare arrays, 204 past the last page, 409 on a duplicate name", async () => {
    const { api } = await sandboxStore("demo");
    const list = await api("GET", "/v2/customer_groups?limit=2");
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body).toHaveLength(2);
    const past = await api("GET", "/v2/customer_groups?limit=2&page=5");
    expect(past.status).toBe(204);
    expect(past.text).toBe("");
    expect((await api("GET", "/v2/customer_groups/count")).body).toEqual({ count: 3 });
    const created = await api("POST", "/v2/customer_groups", { name: "Trade" });
    expect(created.status).toBe(201);
    expect(created.body.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect((await api("POST", "/v2/customer_groups", { name: "Trade" })).status).toBe(409);
    const badList = await api("POST", "/v2/customer_groups", {
      name: "PL",
      discount_rules: [{ type: "price_list", price_list_id: 999 }],
    });
    expect(badList.status).toBe(422);
    expect(Array.isArray(badList.body)).toBe(true);
  });

  it("subscribers are unique per email and channel", async () => {
    const { api } = await sandboxStore("demo");
    const s = await api("POST", "/v3/customers/subscribers", { email: "news@example.org", first_name: "N" });
    expect(s.status).toBe(200);
    expect((await api("POST", "/v3/customers/subscribers", { email: "news@example.org" })).status).toBe(409);
    expect((await api("DELETE", `/v3/customers/subscribers/${s.body.data.id}`)).status).toBe(204);
  });

  it("generated stores hold one subscriber per email, so churning every subscriber never conflicts", async () => {
    // Seeds 15 and 17 used to subscribe one customer twice: the churn then failed with a 500.
    for (let seed = 1; seed <= 20; seed++) {
      const { api, admin, hash } = await sandboxStore("demo", {}, seed);
      const all = (await api("GET", "/v3/customers/subscribers?limit=250")).body.data as { email: string }[];
      expect(new Set(all.map((x) => x.email)).size, `seed ${seed}`).toBe(all.length);
      const churn = await admin("POST", `/stores/${hash}/mutate`, {
        kind: "churn",
        type: "subscribers",
        share: 1,
      });
      expect(churn.status, `seed ${seed}`).toBe(200);
      expect(churn.body.changed.subscribers.updated).toHaveLength(all.length);
      expect(churn.body.skipped).toEqual([]);
    }
  });

  it("wishlists take items referencing real products, add and remove them", async () => {
    const { api } = await sandboxStore("demo");
    const variant = (await api("GET", "/v3/catalog/variants?limit=1")).body.data[0];
    const c = (await api("GET", "/v3/customers?limit=1")).body.data[0];
    const w = await api("POST", "/v3/wishlists", {
      customer_id: c.id,
      name: "Gifts",
      items: [{ product_id: variant.product_id, variant_id: variant.id }],
    });
    expect(w.status).toBe(200);
    expect(w.body.data.token).toMatch(/^[0-9a-f-]{36}$/);
    const added = await api("POST", `/v3/wishlists/${w.body.data.id}/items`, {
      items: [{ product_id: variant.product_id }],
    });
    expect(added.body.data.items).toHaveLength(2);
    const removed = await api(
      "DELETE",
      `/v3/wishlists/${w.body.data.id}/items/${added.body.data.items[1].id}`,
    );
    expect(removed.body.data.items).toHaveLength(1);
    const bad = await api("POST", "/v3/wishlists", {
      customer_id: c.id,
      name: "Bad",
      items: [{ product_id: 99999999 }],
    });
    expect(bad.status).toBe(422);
    expect((await api("GET", "/v3/wishlists?limit=251")).status).toBe(413);
  });
});

describe("sandbox customer webhooks", () => {
  it("raises store/customer and store/customer/address events, and store/subscriber ones", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", { scope: "store/customer/*", destination: "https://app.example/hooks" });
    await api("POST", "/v3/hooks", { scope: "store/subscriber/*", destination: "https://app.example/hooks" });
    const c = (await api("POST", "/v3/customers", [customer(9)])).body.data[0];
    await api("POST", "/v3/customers/addresses", [
      {
        customer_id: c.id,
        first_name: "B",
        last_name: "B",
        address1: "1 St",
        city: "Austin",
        state_or_province: "Texas",
        postal_code: "78701",
        country_code: "US",
      },
    ]);
    await api("PUT", "/v3/customers", [{ id: c.id, phone: "123" }]);
    await api("POST", "/v3/customers/subscribers", { email: "s9@example.org" });
    const deliveries = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body;
    expect(deliveries.map((d: { scope: string }) => d.scope)).toEqual([
      "store/customer/created",
      "store/customer/address/created",
      "store/customer/updated",
      "store/subscriber/created",
    ]);
    expect(deliveries[0].payload.data).toEqual({ type: "customer", id: c.id });
    expect(deliveries[1].payload.data).toMatchObject({ type: "customer", address: { customer_id: c.id } });
  });

  it("churn touches customers with a moved date_modified", async () => {
    let now = Date.parse("2026-06-01T10:00:00Z");
    const { admin, api, hash } = await sandboxStore("demo", { now: () => now });
    now += 86_400_000;
    const res = (
      await admin("POST", `/stores/${hash}/mutate`, { kind: "churn", type: "customers", share: 0.1, seed: 5 })
    ).body;
    const changed = res.changed.customers.updated as number[];
    expect(changed).toHaveLength(3);
    const since = await api(
      "GET",
      `/v3/customers?date_modified:min=${encodeURIComponent("2026-06-02T00:00:00Z")}`,
    );
    expect(since.body.data.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b)).toEqual(
      [...changed].sort((a, b) => a - b),
    );
  });
});
