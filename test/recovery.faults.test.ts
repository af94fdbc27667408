import { describe, expect, it } from "vitest";
import {
  finished,
  itemsOf,
  json,
  type Process,
  productsOf,
  reuploaded,
  startBulk,
  storeAfterMutation,
} from "./recovery.support";
import { sandbox } from "./support/install";
import { waitForJob } from "./support/vault-fixture";

const faults = (storeHash: string, config: Record<string, number>) =>
  sandbox(`/__sandbox/stores/${storeHash}/faults`, { method: "PUT", json: config });

describe("Bulk Recovery under faults, cancel and a second restore", () => {
  it("ends a restore hit by a storm of 429s and 5xx with every product restored or its error listed, none half-written", async () => {
    const store = await storeAfterMutation(71, { kind: "bad-import", share: 1 });
    const affected = store.mutated.changed.products.updated;
    // A bulk restore of the 50 products takes about 20 calls: a dense storm so that several are hit.
    await faults(store.storeHash, { error5xxRate: 0.35, overload429Rate: 0.15, seed: 5 });
    const { restoreId } = await json<{ restoreId: string }>(
      startBulk(store, { backupId: store.version.backupId, types: ["products"] }),
    );
    const done = await finished(store, restoreId);
    await faults(store.storeHash, { error5xxRate: 0, overload429Rate: 0 });
    const stats = await sandbox<{ errors_5xx: number; overload_429: number }>(
      `/__sandbox/stores/${store.storeHash}/stats`,
    );
    expect(stats.errors_5xx + stats.overload_429).toBeGreaterThan(5);

    const items = await itemsOf(store, restoreId, "products");
    expect(items).toHaveLength(affected.length);
    for (const item of items) {
      expect(["done", "error"]).toContain(item.status);
      if (item.status === "error") expect(item.message).toBeTruthy();
    }
    expect(done.restore.successCount + done.restore.errorCount).toBe(affected.length);
    // Each product is either wholly as in the version (restored) or wholly as it was (its error listed).
    const now = productsOf(await store.bc.export());
    const version = productsOf(store.before);
    const imported = productsOf(store.after);
    for (const item of items) {
      const id = Number(item.recordId);
      expect(now.get(id)).toEqual(item.status === "done" ? version.get(id) : imported.get(id));
    }
  }, 180_000);

  it("cancel stops after the current batch with a consistent record of what changed, a second restore is refused meanwhile, and undo returns the store to its state before the restore", async () => {
    const store = await storeAfterMutation(72, { kind: "bad-import", share: 1 });
    const affected = store.mutated.changed.products.updated;
    // Every call takes 150 ms, so the restore runs long enough to be interrupted.
    await faults(store.storeHash, { slowRate: 1, slowMs: 150, seed: 1 });
    const body = { backupId: store.version.backupId, types: ["products"] };
    const { restoreId } = await json<{ restoreId: string }>(startBulk(store, body));

    const second = await startBulk(store, body);
    expect(second.status).toBe(409);
    expect((await second.json<{ error: { code: string } }>()).error.code).toBe("job_running");

    // Wait for the first batch, then cancel.
    let view: Process;
    for (;;) {
      view = await json<Process>(store.api(`/api/recovery/restores/${restoreId}`));
      if (view.restore.completed > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancel = await store.api(`/api/recovery/restores/${restoreId}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    expect((await cancel.json<{ message: string }>()).message).toMatch(/already changed/);
    await waitForJob(store.storeHash, 120_000);
    await faults(store.storeHash, { slowRate: 0, slowMs: 0 });
    const done = await finished(store, restoreId);
    expect(done.restore).toMatchObject({ status: "fail", cancelled: true, canUndo: true });

    const items = await itemsOf(store, restoreId, "products");
    const changed = items.filter((i) => i.status === "done");
    const cancelled = items.filter((i) => i.status === "skipped");
    expect(changed.length).toBeGreaterThan(0);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(changed.length + cancelled.length).toBe(affected.length);
    expect(cancelled.every((i) => /cancelled/i.test(i.message ?? ""))).toBe(true);
    expect(done.changed).toEqual([
      expect.objectContaining({ type: "products", action: "update", count: changed.length }),
    ]);

    // What the record says changed is exactly what changed in the store.
    const now = productsOf(await store.bc.export());
    const version = productsOf(store.before);
    const imported = productsOf(store.after);
    for (const i of changed) expect(now.get(Number(i.recordId))).toEqual(version.get(Number(i.recordId)));
    for (const i of cancelled) expect(now.get(Number(i.recordId))).toEqual(imported.get(Number(i.recordId)));

    const undo = await json<{ restoreId: string }>(
      store.api(`/api/recovery/restores/${restoreId}/undo`, { method: "POST" }),
    );
    const undone = await finished(store, undo.restoreId);
    expect(undone.restore).toMatchObject({ status: "done", errorCount: 0 });
    expect(productsOf(await store.bc.export())).toEqual(imported);

    const history = await json<{
      rows: { id: string; kind: string; status: string; undoneBy: string | null }[];
    }>(store.api("/api/recovery/history"));
    expect(history.rows.map((r) => [r.kind, r.status])).toEqual([
      ["undo", "done"],
      ["bulk", "fail"],
    ]);
    expect(history.rows[1].undoneBy).toBe(undo.restoreId);
  }, 180_000);

  it("lists a record that cannot be restored with the reason, and Retry failed items restores it once the cause is gone", async () => {
    const store = await storeAfterMutation(73, { kind: "delete", share: 0.04 });
    const deleted = store.mutated.changed.products.deleted;
    expect(deleted.length).toBeGreaterThan(0);
    const name = String(store.before.products.find((p) => p.id === deleted[0])?.name);
    // Someone re-entered a product under the deleted one's name: BigCommerce keeps names unique.
    const blocker = (
      await store.bc.post<{ id: number }>("/v3/catalog/products", {
        name,
        type: "physical",
        weight: 1,
        price: 1,
        sku: "BLOCKER-1",
      })
    ).data.id;

    const { restoreId } = await json<{ restoreId: string }>(
      startBulk(store, { backupId: store.version.backupId, types: ["products"] }),
    );
    const done = await finished(store, restoreId);
    expect(done.restore).toMatchObject({ status: "fail", errorCount: 1, successCount: deleted.length - 1 });
    const failed = (await itemsOf(store, restoreId, "products")).filter((i) => i.status === "error");
    expect(failed).toEqual([expect.objectContaining({ recordId: String(deleted[0]), action: "create" })]);
    expect(failed[0].message).toContain(name);
    // Nothing half-written: the product is not there under any id, the blocker is untouched.
    const during = await store.bc.export();
    expect(during.products.filter((p) => p.name === name).map((p) => p.id)).toEqual([blocker]);

    await store.bc.put(`/v3/catalog/products/${blocker}`, { name: `${name} (copy)` });
    const retry = await store.api(`/api/recovery/restores/${restoreId}/retry`, {
      method: "POST",
      json: { type: "products" },
    });
    expect(retry.status).toBe(202);
    expect((await retry.json<{ retried: number }>()).retried).toBe(1);
    const again = await finished(store, restoreId);
    expect(again.restore).toMatchObject({ status: "done", errorCount: 0, successCount: deleted.length });
    const item = (await itemsOf(store, restoreId, "products")).find((i) => i.recordId === String(deleted[0]));
    expect(item).toMatchObject({ status: "done", action: "create" });
    const restored = productsOf(await store.bc.export());
    expect(reuploaded(restored.get(Number(item?.newId)))).toEqual(
      reuploaded(productsOf(store.before).get(deleted[0])),
    );
    expect(
      (await store.api(`/api/recovery/restores/${restoreId}/retry`, { method: "POST", json: {} })).status,
    ).toBe(409);
  }, 180_000);
});
