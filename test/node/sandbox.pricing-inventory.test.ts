import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

describe("sandbox price lists", () => {
  it("upserts records by variant or SKU (PUT ≤1000), creates them once (POST ≤100) and includes sku/tiers on request", async () => {
    const { api } = await sandboxStore("demo");
    const variants = (await api("GET", "/v3/catalog/variants?limit=3")).body.data;
    const list = (await api("POST", "/v3/pricelists", { name: "Trade" })).body.data;
    expect((await api("POST", "/v3/pricelists", { name: "Trade" })).status).toBe(409);
    const put = await api("PUT", `/v3/pricelists/${list.id}/records`, [
      { variant_id: variants[0].id, currency: "USD", price: 10 },
      {
        sku: variants[1].sku,
        currency: "usd",
        price: 11,
        bulk_pricing_tiers: [{ quantity_min: 5, quantity_max: null, type: "percent", amount: 3 }],
      },
    ]);
    expect(put.status).toBe(200);
    const again = await api("PUT", `/v3/pricelists/${list.id}/records`, [
      { variant_id: variants[0].id, currency: "usd", price: 9 },
    ]);
    expect(again.status).toBe(200);
    const records = (await api("GET", `/v3/pricelists/${list.id}/records`)).body;
    expect(records.meta.pagination.total).toBe(2);
    expect(records.data[0]).toMatchObject({ variant_id: variants[0].id, price: 9, currency: "usd" });
    expect(records.data[0].sku).toBeUndefined();
    expect(records.data[0].bulk_pricing_tiers).toBeUndefined();
    const full = (
      await api(
        "GET",
        `/v3/pricelists/${list.id}/records?include=sku,bulk_pricing_tiers&sku=${variants[1].sku}`,
      )
    ).body.data[0];
    expect(full).toMatchObject({
      sku: variants[1].sku,
      bulk_pricing_tiers: [{ quantity_min: 5, type: "percent", amount: 3 }],
    });
    const created = await api("POST", `/v3/pricelists/${list.id}/records`, [
      { variant_id: variants[2].id, currency: "usd", price: 12 },
      { variant_id: variants[0].id, currency: "usd", price: 1 },
    ]);
    expect(created.status).toBe(207);
    expect(created.body.errors[0].status).toBe(409);
    const tooMany = Array.from({ length: 1001 }, () => ({
      variant_id: variants[0].id,
      currency: "usd",
      price: 1,
    }));
    expect((await api("PUT", `/v3/pricelists/${list.id}/records`, tooMany)).status).toBe(413);
    expect((await api("POST", `/v3/pricelists/${list.id}/records`, tooMany.slice(0, 101))).status).toBe(413);
    expect(
      (
        await api("PUT", `/v3/pricelists/${list.id}/records`, [
          { variant_id: 99999999, currency: "usd", price: 1 },
        ])
      ).status,
    ).toBe(422);
    expect(
      (await api("GET", `/v3/pricelists/${list.id}/records/${variants[0].id}/usd`)).body.data.price,
    ).toBe(9);
  });

  it("assigns lists to groups and channels 25 at a time and raises price list webhooks", async () => {
    const { api, admin, hash } = await sandboxStore("demo");
    await api("POST", "/v3/hooks", { scope: "store/priceList/*", destination: "https://app.example/hooks" });
    const list = (await api("POST", "/v3/pricelists", { name: "Wholesale 2" })).body.data;
    const a = await api("POST", "/v3/pricelists/assignments", [
      { price_list_id: list.id, customer_group_id: 3, channel_id: 1 },
    ]);
    expect(a.status).toBe(200);
    expect(
      (
        await api("POST", "/v3/pricelists/assignments", [
          { price_list_id: list.id, customer_group_id: 3, channel_id: 1 },
        ])
      ).status,
    ).toBe(409);
    const many = Array.from({ length: 26 }, () => ({ price_list_id: list.id, channel_id: 1 }));
    expect((await api("POST", "/v3/pricelists/assignments", many)).status).toBe(413);
    await api("PUT", `/v3/pricelists/${list.id}`, { name: "Wholesale 3" });
    const scopes = (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body.map(
      (d: { scope: string }) => d.scope,
    );
    expect(scopes).toEqual([
      "store/priceList/created",
      "store/priceList/assignment/created",
      "store/priceList/updated",
    ]);
    expect((await api("DELETE", `/v3/pricelists/${list.id}`)).status).toBe(204);
    expect((await api("GET", `/v3/pricelists/assignments?price_list_id=${list.id}`)).body.data).toEqual([]);
  });
});

describe("sandbox locations and inventory", () => {
  it("location writes answer a transaction id; codes are unique; the default location stays", async () => {
    const { api } = await sandboxStore("demo");
    const created = await api("POST", "/v3/inventory/locations", [{ code: "POPUP", label: "Pop-up store" }]);
    expect(created.status).toBe(200);
    expect(created.body.transaction_id).toEqual(expect.any(String));
    expect((await api("POST", "/v3/inventory/locations", [{ code: "POPUP", label: "Again" }])).status).toBe(
      409,
    );
    const all = (await api("GET", "/v3/inventory/locations")).body.data;
    expect(all.map((l: { code: string }) => l.code)).toContain("POPUP");
    expect((await api("DELETE", "/v3/inventory/locations?location_id:in=1")).status).toBe(422);
  });

  it("generates catalog stock that matches location stock: variants the total, tracking products their variants' sum", async () => {
    const { api } = await sandboxStore("demo");
    const items = (await api("GET", "/v3/inventory/items?limit=250")).body.data as {
      identity: { variant_id: number };
      locations: { total_inventory_onhand: number }[];
    }[];
    const onHand = new Map(
      items.map((i) => [
        i.identity.variant_id,
        i.locations.reduce((n, l) => n + l.total_inventory_onhand, 0),
      ]),
    );
    const products = (await api("GET", "/v3/catalog/products?limit=250&include=variants")).body.data;
    let checked = 0;
    for (const p of products) {
      let sum = 0;
      for (const v of p.variants) {
        expect(v.inventory_level, `variant ${v.id}`).toBe(onHand.get(v.id));
        sum += v.inventory_level;
        checked++;
      }
      if (p.inventory_tracking !== "none") expect(p.inventory_level, `product ${p.id}`).toBe(sum);
    }
    expect(checked).toBe(onHand.size);
  });

  it("absolute adjustments set stock per location (≤2000 items) and the variant follows the total", async () => {
    const { api } = await sandboxStore("demo");
    const variant = (await api("GET", "/v3/catalog/variants?limit=1")).body.data[0];
    const adjust = await api("PUT", "/v3/inventory/adjustments/absolute", {
      reason: "stock take",
      items: [
        { location_id: 1, variant_id: variant.id, quantity: 7 },
        { location_id: 2, sku: variant.sku, quantity: 5 },
      ],
    });
    expect(adjust.status).toBe(200);
    const item = (await api("GET", `/v3/inventory/items?variant_id:in=${variant.id}`)).body.data[0];
    expect(
      item.locations.map((l: { location_id: number; total_inventory_onhand: number }) => [
        l.location_id,
        l.total_inventory_onhand,
      ]),
    ).toEqual([
      [1, 7],
      [2, 5],
    ]);
    const atLocation = (await api("GET", `/v3/inventory/locations/2/items?variant_id:in=${variant.id}`)).body
      .data[0];
    expect(atLocation).toMatchObject({ total_inventory_onhand: 5, identity: { variant_id: variant.id } });
    const catalogVariant = (
      await api("GET", `/v3/catalog/products/${variant.product_id}/variants/${variant.id}`)
    ).body.data;
    expect(catalogVariant.inventory_level).toBe(12);
    const tooMany = Array.from({ length: 2001 }, () => ({
      location_id: 1,
      variant_id: variant.id,
      quantity: 1,
    }));
    expect((await api("PUT", "/v3/inventory/adjustments/absolute", { items: tooMany })).status).toBe(413);
    expect(
      (
        await api("PUT", "/v3/inventory/adjustments/absolute", {
          items: [{ location_id: 99, variant_id: variant.id, quantity: 1 }],
        })
      ).status,
    ).toBe(422);
  });
});
