import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRestore } from "../worker/restore/restore-log";
import {
  finished,
  type Item,
  itemsOf,
  json,
  otherRecords,
  productsOf,
  startBulk,
  storeAfterMutation,
} from "./recovery.support";
import { sandbox } from "./support/install";

type Rec = Record<string, unknown>;
type Stats = { requests: Record<string, number>; total_requests: number };

const sum = (stats: Stats, match: (route: string) => boolean) =>
  Object.entries(stats.requests)
    .filter(([route]) => match(route))
    .reduce((s, [, n]) => s + n, 0);

describe("Bulk Recovery: API calls per restored product", () => {
  it("reads the live store once per 250 products, writes 10 products and 50 variants a call, and reads nothing again after writing", async () => {
    let variantsChanged = 0;
    let productsWithVariantChanges = 0;
    // Every product of the demo store hit by a bad import, and the prices of variants of several of them changed too.
    const store = await storeAfterMutation(67, { kind: "bad-import", share: 1 }, async (bc) => {
      const ex = await bc.export();
      const byProduct = new Map<number, Rec[]>();
      for (const v of ex.product_variants ?? [])
        if (Array.isArray(v.option_values) && v.option_values.length > 0)
          byProduct.set(Number(v.product_id), [...(byProduct.get(Number(v.product_id)) ?? []), v]);
      for (const [productId, variants] of [...byProduct].slice(0, 12)) {
        for (const v of variants) {
          await bc.put(`/v3/catalog/products/${productId}/variants/${v.id}`, {
            price: Number(v.price ?? 10) + 7,
          });
          variantsChanged++;
        }
        productsWithVariantChanges++;
      }
    });
    const products = store.mutated.changed.products.updated;
    const n = products.length;
    expect(n).toBe(store.before.products.length);
    expect(productsWithVariantChanges).toBeGreaterThan(1);
    expect(variantsChanged).toBeGreaterThan(productsWithVariantChanges);

    const body = { backupId: store.version.backupId, types: ["products"] };
    const plan = await json<{ types: { update: number }[]; calls: number }>(
      store.api("/api/recovery/plan", { method: "POST", json: body }),
    );
    expect(plan.types[0].update).toBe(n);

    // 204 without a body: the helper's JSON parse fails after the reset.
    await sandbox(`/__sandbox/stores/${store.storeHash}/stats`, { method: "DELETE" }).catch(() => undefined);
    const { restoreId } = await json<{ restoreId: string }>(startBulk(store, body));
    const done = await finished(store, restoreId);
    const stats = await sandbox<Stats>(`/__sandbox/stores/${store.storeHash}/stats`);

    expect(done.restore).toMatchObject({ status: "done", errorCount: 0, successCount: n });
    // Verified from what BigCommerce answered to the writes: nothing reported as not accepted.
    const items = await itemsOf(store, restoreId, "products");
    expect(items.map((i: Item) => [i.status, i.action, i.message])).toEqual(
      items.map(() => ["done", "update", "Restored."]),
    );
    const restored = await store.bc.export();
    expect(productsOf(restored)).toEqual(productsOf(store.before));
    expect(otherRecords(restored)).toEqual(otherRecords(store.after));

    // Writes: 10 products a call, the variants of each batch of 10 products in calls of up to 50.
    const reads = Math.ceil(n / 250);
    expect(sum(stats, (r) => r === "PUT /v3/catalog/products")).toBe(Math.ceil(n / 10));
    const variantWrites = sum(stats, (r) => r === "PUT /v3/catalog/variants");
    expect(variantWrites).toBeGreaterThanOrEqual(Math.ceil(variantsChanged / 50));
    expect(variantWrites).toBeLessThanOrEqual(
      Math.min(Math.ceil(n / 10), Math.ceil(variantsChanged / 50) + 2),
    );
    expect(sum(stats, (r) => r.startsWith("PUT /v3/catalog/products/"))).toBe(0);

    // Reads: per 250 products one listing and one metafields page, options/modifiers 10 products a
    // call for those that need them, complex rules for products with modifiers; nothing after writing.
    const withModifiers = new Set((store.after.product_modifiers ?? []).map((m) => Number(m.product_id)))
      .size;
    expect(sum(stats, (r) => r === "GET /v3/catalog/products/metafields")).toBe(reads);
    expect(sum(stats, (r) => r === "GET /v3/catalog/products")).toBeLessThanOrEqual(
      reads + Math.ceil(n / 10),
    );
    expect(sum(stats, (r) => r.endsWith("/complex-rules"))).toBeLessThanOrEqual(withModifiers);
    const allReads = sum(stats, (r) => r.startsWith("GET "));
    expect(allReads).toBeLessThanOrEqual(reads * 2 + Math.ceil(n / 10) + withModifiers);
    expect(stats.total_requests).toBe(
      allReads + sum(stats, (r) => r === "PUT /v3/catalog/products") + variantWrites,
    );

    // The dry run's estimate is the restore's calls, but for the variant writes it cannot see.
    expect(Math.abs(plan.calls - (stats.total_requests - variantWrites))).toBeLessThanOrEqual(
      Math.max(2, Math.round(stats.total_requests * 0.05)),
    );
  }, 180_000);
});

describe("Bulk Recovery: recording a large restore", () => {
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: "products",
      recordId: String(i + 1),
      displayName: `Product ${i + 1}`,
      versionId: i % 7 === 0 ? null : i + 1,
    }));
  const count = async (restoreId: string) =>
    (await env.DB.prepare(
      "select count(*) as n, sum(from_version_id is null) as deletions from restore_items where restore_id = ?",
    )
      .bind(restoreId)
      .first<{ n: number; deletions: number }>()) ?? { n: 0, deletions: 0 };

  it("records every item of a 25,000-record restore, and a restore that fails part-way leaves no item behind", async () => {
    const many = items(25_000);
    const id = await createRestore(env, {
      storeHash: "large-restore",
      kind: "bulk",
      createdBy: "test",
      targetAt: 1,
      items: many,
    });
    const row = await env.DB.prepare("select total_count, status from restores where id = ?")
      .bind(id)
      .first<{ total_count: number; status: string }>();
    expect(row).toEqual({ total_count: 25_000, status: "planned" });
    expect(await count(id)).toEqual({
      n: 25_000,
      deletions: many.filter((i) => i.versionId === null).length,
    });
    const last = await env.DB.prepare(
      "select display_name, from_version_id, status from restore_items where restore_id = ? and record_id = '25000'",
    )
      .bind(id)
      .first();
    expect(last).toEqual({ display_name: "Product 25000", from_version_id: 25_000, status: "pending" });

    // The same record twice, past the first batch of 10,000: refused by the items' key, nothing kept.
    const twice = [...items(15_000), ...items(1)];
    await expect(
      createRestore(env, {
        storeHash: "large-restore",
        kind: "bulk",
        createdBy: "test",
        targetAt: 2,
        items: twice,
      }),
    ).rejects.toThrow();
    const left = await env.DB.prepare(
      "select (select count(*) from restores where store_hash = 'large-restore') as restores, (select count(*) from restore_items where store_hash = 'large-restore') as items",
    ).first();
    expect(left).toEqual({ restores: 1, items: 25_000 });
  }, 120_000);
});
