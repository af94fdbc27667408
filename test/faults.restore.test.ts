import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectFaultMet,
  expectReadableFailure,
  expectSameVault,
  report,
  SCENARIOS,
  underFault,
} from "./faults.support";
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
import { sandbox } from "./support/install";
import { jobsOf } from "./support/stores";

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

/**
 * Products as the merchant compares them, with the image file names BigCommerce assigns on upload
 * left out (a re-created product's images are uploaded again: same files, new URLs), in image order.
 */
function comparable(ex: Record<string, Record<string, unknown>[]>): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const [id, state] of productsOf(ex)) {
    const s = state as { images?: { image_url?: string; sort_order?: number }[] } | null;
    if (!s?.images) {
      out.set(id, state);
      continue;
    }
    const images = s.images
      .map((i) => ({
        ...i,
        image_url: String(i.image_url).replace(/\/products\/\d+\/(?:\d+-)?([^/]+)$/, "/products/$1"),
      }))
      .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
    out.set(id, { ...s, images });
  }
  return out;
}

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
  const now = comparable(live);
  const version = comparable(store.before);
  const imported = comparable(store.after);
  for (const item of items) {
    const id = Number(item.recordId);
    expect(["done", "error"], `${item.recordId}: ${item.status}`).toContain(item.status);
    if (item.status === "error") expect(item.message, item.recordId).toMatch(/[a-z]{3,} [a-z]{3,}/i);
    if (item.action === "create" || item.newId) {
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

type Delivery = { headers: Record<string, string>; payload: { hash: string } };

/** Waits until the webhook route has no capture queued for this store (the consumer cleared every mark). */
async function eventuallyNoPendingCapture(storeHash: string) {
  const until = Date.now() + 20_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const pending = await env.DB.prepare(
      "select count(*) as n from seen_nonces where nonce like ? and expires_at > ?",
    )
      .bind(`capture:${storeHash}:%`, Date.now())
      .first<number>("n");
    const job = await jobsOf(storeHash).status();
    if (pending === 0 && job?.status !== "running") return;
    if (Date.now() > until) throw new Error(`captures still pending: ${pending}`);
  }
}

let baseline: { store: Store; products: unknown };

/** The store's products as the merchant sees them, without the store hash (image URLs carry it). */
const liveProducts = async (store: Store) =>
  JSON.parse(
    JSON.stringify([...comparable(await store.bc.export())]).replaceAll(store.storeHash, "{store}"),
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
  it.concurrent.each(SCENARIOS)(
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

describe("a bulk restore whose own writes are announced by webhooks, duplicated, delayed and out of order", () => {
  it("records no version beyond the undisturbed restore's: each announced product is already in the vault as restored", async () => {
    const store = await damagedStore();
    // Automatic sync (a Pro feature) registers the hooks of the plan's synced types.
    expect((await store.api("/api/plan", { method: "PUT", json: { plan: "pro" } })).status).toBe(200);
    expect((await jobsOf(store.storeHash).syncWebhooks(true)).created).toBeGreaterThan(0);
    await sandbox(`/__sandbox/stores/${store.storeHash}/webhooks/deliveries?drain=1`);
    await sandbox(`/__sandbox/stores/${store.storeHash}/faults`, {
      method: "PUT",
      json: { webhookDuplicateRate: 0.5, webhookDelayMs: 300, seed: 21 },
    });
    const restoreId = await startRestore(store);
    const done = await finished(store, restoreId);
    expect(done.restore).toMatchObject({ status: "done", errorCount: 0 });
    await new Promise((r) => setTimeout(r, 400));
    const deliveries = (
      await sandbox<Delivery[]>(`/__sandbox/stores/${store.storeHash}/webhooks/deliveries?drain=1`)
    ).reverse();
    const announced = new Set(deliveries.map((d) => d.payload.hash)).size;
    expect(deliveries.length).toBeGreaterThan(announced); // some came twice
    for (const d of deliveries) {
      const res = await exports.default.fetch("http://app.test/webhooks/bigcommerce", {
        method: "POST",
        headers: { "content-type": "application/json", ...d.headers },
        body: JSON.stringify(d.payload),
      });
      expect(res.status).toBe(200);
    }
    // The captures run from the queue: wait until none is pending, then compare.
    await eventuallyNoPendingCapture(store.storeHash);
    await sandbox(`/__sandbox/stores/${store.storeHash}/faults`, {
      method: "PUT",
      json: { webhookDuplicateRate: 0, webhookDelayMs: 0 },
    });
    report({
      job: "bulk restore",
      scenario: "its writes announced by webhooks",
      deliveries: deliveries.length,
      announced,
    });
    const echoed = await env.DB.prepare(
      "select record_id from versions where store_hash = ? and source = 'webhook' order by record_id",
    )
      .bind(store.storeHash)
      .all<{ record_id: string }>();
    await expectNothingHalfWritten(store, restoreId);
    expect(await liveProducts(store)).toEqual(baseline.products);
    // The restore recorded each product as it left it, so reading it again finds nothing new.
    expect(
      echoed.results.map((r) => r.record_id),
      "versions the restore got wrong",
    ).toEqual([]);
    await expectSameVault(store.storeHash, baseline.store.storeHash, "webhooks after a restore");
  }, 120_000);
});

describe("a bulk restore where half the calls fail", () => {
  const scenario = {
    name: "half the calls fail (5xx)",
    faults: { error5xxRate: 0.5, seed: 31 },
    evidence: "errors_5xx" as const,
  };
  let store: Store;
  let run: Awaited<ReturnType<typeof underFault<string>>>;
  let items: Item[];

  beforeAll(async () => {
    store = await damagedStore();
    run = await underFault(store.storeHash, scenario, {
      job: "bulk restore",
      start: () => startRestore(store),
    });
    items = await itemsOf(store, run.started, "products");
  }, 120_000);

  it("ends done, or fails saying why, with every item's outcome listed and nothing half-written", async () => {
    expectFaultMet(scenario, run);
    const view = await json<Process>(store.api(`/api/recovery/restores/${run.started}`));
    if (run.status.status !== "done") expectReadableFailure(run.status);
    else expect(view.restore.status).toBe("done");
    expect(view.restore.errorCount).toBe(items.filter((i) => i.status === "error").length);
    expect(view.restore.successCount).toBe(items.filter((i) => i.status === "done").length);
    await expectNothingHalfWritten(store, run.started);
    if (view.restore.errorCount === 0) expect(await liveProducts(store)).toEqual(baseline.products);
  });

  // A step that fails after re-creating a deleted product is retried: the retry finds the product
  // under its new id, and the item list must still say it was re-created, with that id.
  it("reports the deleted products as re-created, even when a step was retried", () => {
    const deleted = store.before.products
      .map((p) => String(p.id))
      .filter((id) => !store.after.products.some((p) => String(p.id) === id));
    expect(items.filter((i) => deleted.includes(i.recordId)).map((i) => i.action)).toEqual([
      "create",
      "create",
    ]);
  });
});
