import { beforeAll, describe, expect, it } from "vitest";
import { expectFaultMet, expectSameVault, SCENARIOS, underFault } from "./faults.support";
import {
  finished,
  type Item,
  itemsOf,
  json,
  type Process,
  productsOf,
  startBulk,
  storeAfterMutation,
} from "./recovery.support";

/**
 * Fault matrix, bulk restore: each row takes a demo store generated from the same seed as an
 * undisturbed baseline, backs it up, applies the same bad import (a third of the products edited)
 * and deletes the same two products, backs it up again, then restores the products to the first
 * backup under one fault. The restore updates the imported products and re-creates the deleted ones.
 * Compared with the baseline restore: the live products and the vault (before-restore snapshots and
 * restored versions) must be the same; every item is listed with its outcome; no product is left
 * half-written (each is wholly the version or wholly what it was, with the reason listed).
 */
const SEED = 84;
const BAD_IMPORT = { kind: "bad-import", share: 0.3 } as const;

type Store = Awaited<ReturnType<typeof storeAfterMutation>>;

/** The demo store after a bad import and two products deleted by hand, both backed up. */
const damagedStore = () =>
  storeAfterMutation(SEED, BAD_IMPORT, async (bc) => {
    const ids = (await bc.export()).products.map((p) => p.id as number).sort((a, b) => a - b);
    for (const id of ids.slice(-2)) await bc.del(`/v3/catalog/products/${id}`);
  });

const startRestore = async (store: Store) => {
  const res = await startBulk(store, { backupId: store.version.backupId, types: ["products"] });
  expect(res.status).toBe(202);
  return (await res.json<{ restoreId: string }>()).restoreId;
};

/**
 * What the merchant sees after the restore, checked against the store itself: every affected product
 * is listed with an outcome (an error with its reason), and each product is wholly the version
 * (restored, or re-created under its new id) or wholly what it was before the restore.
 */
async function expectNothingHalfWritten(store: Store, restoreId: string): Promise<Item[]> {
  const items = await itemsOf(store, restoreId, "products");
  const updated = store.mutated.changed.products.updated;
  const deleted = store.before.products
    .map((p) => p.id as number)
    .filter((id) => !store.after.products.some((p) => p.id === id));
  expect(deleted).toHaveLength(2);
  expect(items.map((i) => Number(i.recordId)).sort((a, b) => a - b)).toEqual(
    [...updated, ...deleted].sort((a, b) => a - b),
  );
  const live = await store.bc.export();
  const now = productsOf(live);
  const version = productsOf(store.before);
  const imported = productsOf(store.after);
  for (const item of items) {
    const id = Number(item.recordId);
    expect(["done", "error"], `${item.recordId}: ${item.status}`).toContain(item.status);
    if (item.status === "error") expect(item.message, item.recordId).toMatch(/[a-z]{3,} [a-z]{3,}/i);
    if (item.action === "create") {
      const name = version.get(id) && String(store.before.products.find((p) => p.id === id)?.name);
      const sameName = live.products.filter((p) => p.name === name).map((p) => p.id);
      if (item.status === "done") {
        expect(sameName).toEqual([Number(item.newId)]);
        expect(now.get(Number(item.newId)), item.recordId).toEqual(version.get(id));
      } else expect(sameName, `${item.recordId} half re-created`).toEqual([]);
    } else {
      expect(now.get(id), `${item.recordId} half-updated`).toEqual(
        item.status === "done" ? version.get(id) : imported.get(id),
      );
    }
  }
  return items;
}

let baseline: { store: Store; products: unknown };

/** The store's products as the merchant sees them, without the store hash (image URLs carry it). */
const liveProducts = async (store: Store) =>
  JSON.parse(
    JSON.stringify([...productsOf(await store.bc.export())]).replaceAll(store.storeHash, "{store}"),
  ) as unknown;

beforeAll(async () => {
  const store = await damagedStore();
  const restoreId = await startRestore(store);
  const done = await finished(store, restoreId);
  expect(done.restore).toMatchObject({ status: "done", errorCount: 0 });
  const items = await expectNothingHalfWritten(store, restoreId);
  expect(items.some((i) => i.action === "create")).toBe(true);
  expect(items.some((i) => i.action === "update")).toBe(true);
  baseline = { store, products: await liveProducts(store) };
}, 120_000);

describe("a bulk restore under each fault", () => {
  it.each(SCENARIOS)(
    "$name: ends done with the store and vault of an undisturbed restore",
    async (scenario) => {
      const store = await damagedStore();
      const run = await underFault(store.storeHash, scenario, {
        job: "bulk restore",
        everyMs: 150,
        start: () => startRestore(store),
      });
      const view = await json<Process>(store.api(`/api/recovery/restores/${run.started}`));
      await expectNothingHalfWritten(store, run.started);

      expect(run.status.error).toBeNull();
      expect(run.status.status).toBe("done");
      expect(view.restore).toMatchObject({ status: "done", errorCount: 0 });
      expectFaultMet(scenario, run);
      expect(await liveProducts(store)).toEqual(baseline.products);
      await expectSameVault(store.storeHash, baseline.store.storeHash, scenario.name);
    },
    120_000,
  );
});
