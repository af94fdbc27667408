import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

const billing = {
  first_name: "Ana",
  last_name: "Costa",
  street_1: "1 Rua Augusta",
  city: "Lisboa",
  state: "Lisboa",
  zip: "1100-053",
  country: "Portugal",
  country_iso2: "PT",
  email: "ana@example.org",
};

describe("sandbox orders (v2)", () => {
  it("lists bare arrays, answers 204 past the last page and 413 above 250", async () => {
    const { api } = await sandboxStore("demo");
    const page = await api("GET", "/v2/orders?limit=15&page=3");
    expect(page.status).toBe(200);
    expect(Array.isArray(page.body)).toBe(true);
    expect(page.body.map((o: { id: number }) => o.id)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    const past = await api("GET", "/v2/orders?limit=15&page=4");
    expect(past.status).toBe(204);
    expect(past.text).toBe("");
    expect((await api("GET", "/v2/orders?limit=251")).status).toBe(413);
    expect((await api("GET", "/v2/orders/count")).body).toEqual({ count: 40 });
  });

  it("embeds line items and fees with include=consignments.line_items,fees&consignment_structure=object", async () => {
    const { api } = await sandboxStore("demo");
    const plain = (await api("GET", "/v2/orders?limit=1")).body[0];
    expect(plain.consignments).toEqual({
      url: expect.stringContaining(`/v2/orders/${plain.id}/consignments`),
      resource: `/orders/${plain.id}/consignments`,
    });
    expect(plain.products.resource).toBe(`/orders/${plain.id}/products`);
    const list = (
      await api(
        "GET",
        "/v2/orders?limit=50&include=consignments.line_items,fees&consignment_structure=object",
      )
    ).body;
    expect(list).toHaveLength(40);
    for (const order of list.slice(0, 10)) {
      const products = (await api("GET", `/v2/orders/${order.id}/products`)).body;
      const embedded = order.consignments.shipping.flatMap((s: { line_items: unknown[] }) => s.line_items);
      expect(embedded).toEqual(products);
      expect(Array.isArray(order.fees)).toBe(true);
      expect(products.reduce((n: number, p: { quantity: number }) => n + p.quantity, 0)).toBe(
        order.items_total,
      );
    }
    const withoutLines = (
      await api("GET", "/v2/orders?limit=1&include=consignments&consignment_structure=object")
    ).body[0];
    expect(withoutLines.consignments.shipping[0].line_items[0]).toEqual({
      url: expect.any(String),
      resource: expect.stringMatching(/^\/orders\/\d+\/products\/\d+$/),
    });
  });

  it("filters by min_date_modified, min_id and customer", async () => {
    let now = Date.parse("2026-11-21T12:00:00Z");
    const { api } = await sandboxStore("demo", { now: () => now });
    now += 60_000;
    await api("PUT", "/v2/orders/5", { staff_notes: "called the customer" });
    const changed = await api(
      "GET",
      `/v2/orders?min_date_modified=${encodeURIComponent("Sat, 21 Nov 2026 12:00:30 +0000")}`,
    );
    expect(changed.body.map((o: { id: number }) => o.id)).toEqual([5]);
    expect((await api("GET", "/v2/orders?min_id=38")).body.map((o: { id: number }) => o.id)).toEqual([
      38, 39, 40,
    ]);
    const newest = (await api("GET", "/v2/orders?sort=date_created:desc&limit=3")).body.map(
      (o: { id: number }) => o.id,
    );
    expect(newest).toEqual([40, 39, 38]);
    const touched = (await api("GET", "/v2/orders?sort=date_modified:desc&limit=1")).body[0];
    expect(touched.id).toBe(5);
    const one = (await api("GET", "/v2/orders/7")).body;
    if (one.customer_id) {
      const mine = (await api("GET", `/v2/orders?customer_id=${one.customer_id}`)).body;
      expect(mine.every((o: { customer_id: number }) => o.customer_id === one.customer_id)).toBe(true);
    }
  });

  it("creates an order from catalog and custom lines with server ids, computed totals and a given date_created", async () => {
    const { api } = await sandboxStore("demo");
    const variant = (await api("GET", "/v3/catalog/variants?limit=1")).body.data[0];
    const created = await api("POST", "/v2/orders", {
      id: 5000,
      is_deleted: true,
      status_id: 10,
      date_created: "Tue, 05 Mar 2024 10:00:00 +0000",
      billing_address: billing,
      products: [
        {
          product_id: variant.product_id,
          variant_id: variant.id,
          quantity: 2,
          price_inc_tax: 10,
          price_ex_tax: 10,
        },
        { name: "Engraving", quantity: 1, price_inc_tax: 5, price_ex_tax: 5 },
      ],
      external_source: "M-MIG",
      external_order_id: "legacy-77",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 41,
      is_deleted: false,
      status: "Completed",
      date_created: "Tue, 05 Mar 2024 10:00:00 +0000",
      subtotal_inc_tax: "25.0000",
      total_inc_tax: "25.0000",
      items_total: 3,
      external_source: "M-MIG",
      external_order_id: "legacy-77",
    });
    const lines = (await api("GET", "/v2/orders/41/products")).body;
    expect(lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [variant.sku, 2],
      ["", 1],
    ]);
    expect(
      (await api("GET", "/v2/orders?external_order_id=legacy-77")).body.map((o: { id: number }) => o.id),
    ).toEqual([41]);
    const noProducts = await api("POST", "/v2/orders", { billing_address: billing });
    expect(noProducts.status).toBe(422);
    expect(Array.isArray(noProducts.body)).toBe(true);
    const badProduct = await api("POST", "/v2/orders", {
      billing_address: billing,
      products: [{ product_id: 99999999, quantity: 1 }],
    });
    expect(badProduct.status).toBe(422);
  });

  it("archives on DELETE: gone from the list, still readable with is_deleted, store/order/archived raised", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", { scope: "store/order/*", destination: "https://app.example/hooks" });
    expect((await api("DELETE", "/v2/orders/3")).status).toBe(204);
    expect((await api("GET", "/v2/orders?limit=5")).body.map((o: { id: number }) => o.id)).toEqual([
      1, 2, 4, 5, 6,
    ]);
    expect((await api("GET", "/v2/orders/3")).body.is_deleted).toBe(true);
    expect((await api("GET", "/v2/orders?is_deleted=true")).body.map((o: { id: number }) => o.id)).toEqual([
      3,
    ]);
    await api("PUT", "/v2/orders/4", { status_id: 5 });
    const deliveries = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body;
    const scopes = deliveries.map((d: { scope: string }) => d.scope);
    expect(scopes).toContain("store/order/archived");
    expect(scopes).toContain("store/order/updated");
    const status = deliveries.find((d: { scope: string }) => d.scope === "store/order/statusUpdated");
    expect(status.payload.data).toMatchObject({ type: "order", id: 4, status: { new_status_id: 5 } });
  });

  it("the admin delete mutation removes orders with their lines, addresses and transactions", async () => {
    const { admin, api, hash } = await sandboxStore("demo");
    const res = (
      await admin("POST", `/stores/${hash}/mutate`, { kind: "delete", type: "orders", share: 0.1, seed: 2 })
    ).body;
    const deleted = res.changed.orders.deleted as number[];
    expect(deleted).toHaveLength(4);
    for (const id of deleted) expect((await api("GET", `/v2/orders/${id}/products`)).status).toBe(404);
    const exported = (await admin("GET", `/stores/${hash}/export`)).body;
    const orphans = exported.order_products.filter((l: { order_id: number }) => deleted.includes(l.order_id));
    expect(orphans).toEqual([]);
    expect(exported.orders).toHaveLength(36);
  });

  it("serves v3 transactions read-only and order metafields with 409 on a duplicate key", async () => {
    const { api } = await sandboxStore("demo");
    const paid = (await api("GET", "/v2/orders?status_id=10&limit=1")).body[0];
    const tx = await api("GET", `/v3/orders/${paid.id}/transactions`);
    expect(tx.status).toBe(200);
    expect(tx.body.data[0]).toMatchObject({ event: "purchase", order_id: String(paid.id), currency: "USD" });
    expect((await api("POST", `/v3/orders/${paid.id}/transactions`, { event: "refund" })).status).toBe(404);
    expect((await api("GET", "/v3/orders/999999/transactions")).status).toBe(404);
    const mf = { namespace: "erp", key: "ref", value: "A1", permission_set: "read" };
    expect((await api("POST", `/v3/orders/${paid.id}/metafields`, mf)).status).toBe(200);
    expect((await api("POST", `/v3/orders/${paid.id}/metafields`, mf)).status).toBe(409);
  });
});
