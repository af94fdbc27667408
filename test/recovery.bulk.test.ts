import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
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

describe("Bulk Recovery: restore products after a bad import", () => {
  it("compares the version with the latest, dry-runs, restores every affected product to the version and nothing else, emails the recipients, and undo brings the import back", async () => {
    const store = await storeAfterMutation(61);
    const affected = store.mutated.changed.products.updated;
    expect(affected.length).toBeGreaterThan(0);

    // The version's table: Backed up items and Compare to the latest.
    const state = await json<{
      types: { type: string; backedUp: number; updated: number; changed: boolean; restoreMode: string }[];
    }>(store.api(`/api/recovery/state?backupId=${store.version.backupId}`));
    const products = state.types.find((t) => t.type === "products");
    expect(products).toMatchObject({
      backedUp: store.before.products.length,
      updated: affected.length,
      changed: true,
    });
    expect(state.types.find((t) => t.type === "brands")).toMatchObject({ changed: false });

    // Version differences: counts and the changed records.
    const compare = await json<{
      added: number;
      updated: number;
      deleted: number;
      unchanged: number;
      items: { recordId: string; change: string }[];
      total: number;
    }>(store.api(`/api/recovery/compare/products?backupId=${store.version.backupId}&pageSize=5`));
    expect(compare).toMatchObject({
      added: 0,
      updated: affected.length,
      deleted: 0,
      unchanged: store.before.products.length - affected.length,
      total: affected.length,
    });
    expect(compare.items.length).toBe(Math.min(5, affected.length));
    expect(compare.items.every((i) => i.change === "updated" && affected.includes(Number(i.recordId)))).toBe(
      true,
    );

    // The dry run.
    const body = { backupId: store.version.backupId, types: ["products"], emails: ["ops@example.com"] };
    const plan = await json<{
      types: { type: string; update: number; create: number; delete: number }[];
      calls: number;
      etaMs: number;
    }>(store.api("/api/recovery/plan", { method: "POST", json: body }));
    expect(plan.types).toEqual([
      expect.objectContaining({ type: "products", update: affected.length, create: 0, delete: 0 }),
    ]);
    expect(plan.calls).toBeGreaterThan(0);
    expect(plan.etaMs).toBeGreaterThan(0);

    const res = await startBulk(store, body);
    expect(res.status).toBe(202);
    const { restoreId } = await res.json<{ restoreId: string }>();
    const done = await finished(store, restoreId);
    expect(done.restore).toMatchObject({ status: "done", percent: 100, errorCount: 0, canUndo: true });
    expect(done.restore.emails).toEqual(["ops@example.com"]);
    // The dry run's counts are what the restore did.
    expect(done.types).toEqual([
      expect.objectContaining({
        type: "products",
        status: "done",
        total: affected.length,
        completed: affected.length,
        successful: affected.length,
        errors: 0,
        changed: { update: plan.types[0].update, create: 0, delete: 0 },
      }),
    ]);
    const items = await itemsOf(store, restoreId, "products");
    expect(items.every((i: Item) => i.status === "done" && i.action === "update")).toBe(true);

    // Every product is as in the version; nothing else changed.
    const restored = await store.bc.export();
    expect(productsOf(restored)).toEqual(productsOf(store.before));
    expect(otherRecords(restored)).toEqual(otherRecords(store.after));

    // The recipients got the summary.
    const mail = await env.DB.prepare(
      "select subject, \"to\" from outbox where kind = 'restore_finished' and store_hash = ?",
    )
      .bind(store.storeHash)
      .first<{ subject: string; to: string }>();
    expect(mail?.subject).toMatch(/bulk restore finished/i);
    expect(JSON.parse(mail?.to ?? "[]")).toEqual(["ops@example.com"]);

    // Recovery history lists it; undo returns the bad import; a second undo is refused.
    const history = await json<{
      rows: { id: string; status: string; successCount: number; errorCount: number; canUndo: boolean }[];
    }>(store.api("/api/recovery/history?status=done"));
    expect(history.rows[0]).toMatchObject({
      id: restoreId,
      status: "done",
      successCount: affected.length,
      errorCount: 0,
      canUndo: true,
    });
    const undo = await store.api(`/api/recovery/restores/${restoreId}/undo`, { method: "POST" });
    expect(undo.status).toBe(202);
    const undone = await finished(store, (await undo.json<{ restoreId: string }>()).restoreId);
    expect(undone.restore).toMatchObject({ status: "done", errorCount: 0 });
    expect(productsOf(await store.bc.export())).toEqual(productsOf(store.after));
    expect((await store.api(`/api/recovery/restores/${restoreId}/undo`, { method: "POST" })).status).toBe(
      409,
    );
  });
});
