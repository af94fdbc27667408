import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  finished,
  type Item,
  itemsOf,
  json,
  otherRecords,
  productsOf,
  reuploaded,
  startBulk,
  storeAfterMutation,
} from "./recovery.support";
import { installViaOAuth, sandbox } from "./support/install";
import { runBackup, storeApi } from "./support/vault-fixture";

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

describe("Bulk Recovery: deleted records", () => {
  it("re-creates deleted products and a deleted category under new ids, with the products' category references pointing at the new category", async () => {
    type Rec = Record<string, unknown>;
    let categoryId = 0;
    const store = await storeAfterMutation(62, { kind: "delete", share: 0.1 }, async (bc) => {
      const ex = await bc.export();
      const catOf = (c: Rec) => Number(c.category_id ?? c.id);
      const parents = new Set(ex.categories.map((c) => Number(c.parent_id)));
      const used = (id: number) =>
        ex.products.filter((p) => ((p.categories as number[]) ?? []).includes(id)).length;
      // A leaf category some live products are in.
      const leaf = ex.categories
        .map(catOf)
        .filter((id) => !parents.has(id) && used(id) > 0)
        .sort((a, b) => used(b) - used(a))[0];
      categoryId = leaf;
      await bc.del(`/v3/catalog/trees/categories?category_id:in=${leaf}`);
    });
    const deleted = store.mutated.changed.products.deleted;
    expect(deleted.length).toBeGreaterThan(0);
    expect(categoryId).toBeGreaterThan(0);

    const body = { backupId: store.version.backupId, types: ["products", "categories"] };
    const plan = await json<{ types: { type: string; update: number; create: number; delete: number }[] }>(
      store.api("/api/recovery/plan", { method: "POST", json: body }),
    );
    // Dependency order: categories before the products that reference them.
    expect(plan.types.map((t) => t.type)).toEqual(["categories", "products"]);
    expect(plan.types[0]).toMatchObject({ update: 0, create: 1, delete: 0 });
    expect(plan.types[1].create).toBe(deleted.length);

    const { restoreId } = await json<{ restoreId: string }>(startBulk(store, body));
    const done = await finished(store, restoreId);
    expect(done.restore).toMatchObject({ status: "done", errorCount: 0 });
    for (const t of done.types) {
      const planned = plan.types.find((p) => p.type === t.type);
      expect(t.changed).toEqual({
        update: planned?.update,
        create: planned?.create,
        delete: planned?.delete,
      });
    }

    const [category] = await itemsOf(store, restoreId, "categories");
    expect(category).toMatchObject({ recordId: String(categoryId), action: "create", status: "done" });
    const newCategory = Number(category.newId);
    expect(newCategory).toBeGreaterThan(0);
    expect(newCategory).not.toBe(categoryId);

    // Every product, re-created or not, is as in the version with the old category id replaced by the new one.
    const products = await itemsOf(store, restoreId, "products");
    const newIdOf = new Map(products.map((i) => [Number(i.recordId), Number(i.newId ?? i.recordId)]));
    const restored = await store.bc.export();
    const swap = (ex: typeof restored) =>
      ex.products.map((p) => ({
        ...p,
        categories: ((p.categories as number[]) ?? []).map((c) => (c === categoryId ? newCategory : c)),
      }));
    const expected = productsOf({ ...store.before, products: swap(store.before) });
    const actual = productsOf(restored);
    for (const [id, state] of expected) {
      const now = actual.get(newIdOf.get(id) ?? id);
      if (deleted.includes(id)) expect(reuploaded(now)).toEqual(reuploaded(state));
      else expect(now).toEqual(state);
    }
    expect(actual.size).toBe(expected.size);
    for (const old of deleted) expect(newIdOf.get(old)).not.toBe(old);
  });
});

describe("Bulk Recovery API rules", () => {
  it("gates point-in-time to Pro, refuses team-assisted and unknown types and bad emails, shows nothing to another store, and is documented", async () => {
    const store = await storeAfterMutation(63);
    const at = store.version.at;
    const pit = await store.api(`/api/recovery/state?at=${at}`);
    expect(pit.status).toBe(403);
    expect((await pit.json<{ error: { code: string } }>()).error.code).toBe("plan_required");
    expect((await store.api("/api/plan", { method: "PUT", json: { plan: "pro" } })).status).toBe(200);
    // Any moment on Pro: the state at the first backup's end is that backup's version.
    const state = await json<{ types: { type: string; updated: number }[] }>(
      store.api(`/api/recovery/state?at=${at}`),
    );
    expect(state.types.find((t) => t.type === "products")?.updated).toBe(
      store.mutated.changed.products.updated.length,
    );

    const plan = (body: Record<string, unknown>) =>
      store.api("/api/recovery/plan", {
        method: "POST",
        json: { backupId: store.version.backupId, ...body },
      });
    const teamAssisted = await plan({ types: ["themes"] });
    expect(teamAssisted.status).toBe(422);
    expect((await teamAssisted.json<{ error: { message: string } }>()).error.message).toMatch(/7 days/);
    expect((await plan({ types: ["nope"] })).status).toBe(400);
    expect((await plan({ types: [] })).status).toBe(400);
    const badEmail = await startBulk(store, {
      backupId: store.version.backupId,
      types: ["products"],
      emails: ["not-an-email"],
    });
    expect(badEmail.status).toBe(400);
    expect((await badEmail.json<{ error: { field: string } }>()).error.field).toBe("emails");
    const nothing = await startBulk(store, { backupId: store.version.backupId, types: ["brands"] });
    expect(nothing.status).toBe(422);

    const { restoreId } = await json<{ restoreId: string }>(
      startBulk(store, { backupId: store.version.backupId, types: ["products"] }),
    );
    await finished(store, restoreId);
    const other = await storeAfterMutation(64);
    expect((await other.api(`/api/recovery/restores/${restoreId}`)).status).toBe(404);
    expect((await other.api(`/api/recovery/restores/${restoreId}/undo`, { method: "POST" })).status).toBe(
      404,
    );
    expect((await other.api(`/api/recovery/state?backupId=${store.version.backupId}`)).status).toBe(404);
    expect((await json<{ rows: unknown[] }>(other.api("/api/recovery/history"))).rows).toEqual([]);

    const doc = await json<{ paths: Record<string, unknown> }>(store.api("/api/openapi.json"));
    for (const path of [
      "/api/recovery/versions",
      "/api/recovery/state",
      "/api/recovery/compare/{type}",
      "/api/recovery/plan",
      "/api/recovery/restores",
      "/api/recovery/restores/{restoreId}",
      "/api/recovery/restores/{restoreId}/items",
      "/api/recovery/restores/{restoreId}/cancel",
      "/api/recovery/restores/{restoreId}/retry",
      "/api/recovery/restores/{restoreId}/undo",
      "/api/recovery/history",
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});

describe("Bulk Recovery: price list records", () => {
  it("puts back price list records changed in bulk, written a batch per price list", async () => {
    const session = await installViaOAuth("demo", 65);
    await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const bc = storeApi(session.storeHash, session.sandboxToken);
    const types = ["price_lists", "price_list_records"];
    await runBackup(session.storeHash, types);
    type Rec = { price_list_id: number; variant_id: number; currency: string; price: number };
    const key = (r: Rec) => `${r.price_list_id}:${r.variant_id}:${r.currency}`;
    const prices = async () =>
      new Map(((await bc.export()).price_list_records as Rec[]).map((r) => [key(r), r.price]));
    const before = await prices();
    const records = (await bc.export()).price_list_records as Rec[];
    const listId = records[0].price_list_id;
    const changed = records.filter((r) => r.price_list_id === listId).slice(0, 12);
    expect(changed.length).toBeGreaterThan(1);
    await bc.put(
      `/v3/pricelists/${listId}/records`,
      changed.map((r) => ({ variant_id: r.variant_id, currency: r.currency, price: r.price + 100 })),
    );
    await runBackup(session.storeHash, types);
    const { versions } = await json<{ versions: { backupId: string }[] }>(
      session.api("/api/recovery/versions"),
    );

    // 204 without a body: the helper's JSON parse fails after the reset.
    await sandbox(`/__sandbox/stores/${session.storeHash}/stats`, { method: "DELETE" }).catch(
      () => undefined,
    );
    const { restoreId } = await json<{ restoreId: string }>(
      startBulk(session, { backupId: versions[1].backupId, types: ["price_list_records"] }),
    );
    const done = await finished(session, restoreId);
    expect(done.restore).toMatchObject({ status: "done", errorCount: 0, successCount: changed.length });
    expect(done.types[0].changed).toEqual({ update: changed.length, create: 0, delete: 0 });
    expect(await prices()).toEqual(before);
    const stats = await sandbox<{ requests: Record<string, number> }>(
      `/__sandbox/stores/${session.storeHash}/stats`,
    );
    const writes = Object.entries(stats.requests)
      .filter(([k]) => k.startsWith("PUT /v3/pricelists/"))
      .reduce((s, [, n]) => s + n, 0);
    expect(writes).toBe(1);
  });
});

describe("Bulk Recovery: records created after the version", () => {
  it("keeps them by default, deletes them only when asked, and undo brings them back", async () => {
    let createdId = 0;
    const store = await storeAfterMutation(66, { kind: "bad-import", share: 0.05 }, async (bc) => {
      createdId = (
        await bc.post<{ id: number }>("/v3/catalog/products", {
          name: "Added later",
          type: "physical",
          weight: 1,
          price: 5,
          sku: "LATER-1",
        })
      ).data.id;
    });
    const compare = await json<{ added: number; items: { recordId: string; change: string }[] }>(
      store.api(`/api/recovery/compare/products?backupId=${store.version.backupId}`),
    );
    expect(compare.added).toBe(1);
    expect(compare.items).toContainEqual(
      expect.objectContaining({ recordId: String(createdId), change: "added" }),
    );

    const plan = (deleteCreated: boolean) =>
      json<{ types: { update: number; delete: number; keep: number }[] }>(
        store.api("/api/recovery/plan", {
          method: "POST",
          json: { backupId: store.version.backupId, types: ["products"], deleteCreated },
        }),
      );
    expect((await plan(false)).types[0]).toMatchObject({ delete: 0, keep: 1 });
    const updates = store.mutated.changed.products.updated.length;
    expect((await plan(true)).types[0]).toMatchObject({ update: updates, delete: 1, keep: 0 });

    const { restoreId } = await json<{ restoreId: string }>(
      startBulk(store, { backupId: store.version.backupId, types: ["products"], deleteCreated: true }),
    );
    const done = await finished(store, restoreId);
    expect(done.types[0].changed).toEqual({ update: updates, create: 0, delete: 1 });
    expect((await store.bc.export()).products.find((p) => p.id === createdId)).toBeUndefined();
    expect(productsOf(await store.bc.export())).toEqual(productsOf(store.before));

    const undo = await json<{ restoreId: string }>(
      store.api(`/api/recovery/restores/${restoreId}/undo`, { method: "POST" }),
    );
    const undone = await finished(store, undo.restoreId);
    expect(undone.restore).toMatchObject({ status: "done", errorCount: 0 });
    const back = (await store.bc.export()).products.filter((p) => p.sku === "LATER-1");
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ name: "Added later", price: 5 });
  });
});
