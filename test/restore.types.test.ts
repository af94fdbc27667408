import { beforeAll, describe, expect, it } from "vitest";
import { type ContentType, contentTypes, getType, restoreOrder } from "../worker/bigcommerce/registry";
import { type AppSession, installViaOAuth, sandbox } from "./support/install";
import { restoreThrough, runBackup, storeApi, versionsOf } from "./support/vault-fixture";

/**
 * Every content type restored automatically, straight from the registry: a record the sandbox's
 * churn changed goes back to its backed-up fields, and a deleted record comes back. Types the
 * sandbox cannot churn or delete on its own are left to the product and customer tests.
 */

type Changes = Record<
  string,
  { created: (string | number)[]; updated: (string | number)[]; deleted: (string | number)[] }
>;
type Mutation = { changed: Changes; before: Record<string, Record<string, Record<string, unknown>>> };

/** The sandbox's resource for a registry type, where the names differ. */
const sandboxName: Record<string, string> = { widget_placements: "placements" };

const automatic = (contentTypes as readonly ContentType[]).filter(
  (t) =>
    t.restore.mode === "automatic" &&
    !t.parent &&
    t.list.paging !== "singletons" &&
    typeof t.idField === "string",
);

let session: AppSession & { sandboxToken: string };
let bc: ReturnType<typeof storeApi>;

beforeAll(async () => {
  session = await installViaOAuth("demo", 31);
  await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
    method: "PUT",
    json: { quota: "unlimited" },
  });
  bc = storeApi(session.storeHash, session.sandboxToken);
  await runBackup(
    session.storeHash,
    automatic.map((t) => t.key),
  );
}, 120_000);

const mutate = (kind: "churn" | "delete", type: string) =>
  sandbox<Mutation>(`/__sandbox/stores/${session.storeHash}/mutate`, {
    method: "POST",
    json: { kind, type: sandboxName[type] ?? type, share: 0.00001, seed: 5 },
  });

/** The record as the sandbox holds it now (its export), by id field. */
async function exported(type: ContentType, id: string) {
  const ex = await bc.export();
  const rows = ex[sandboxName[type.key] ?? type.key] ?? [];
  return rows.find((r) => String(r[type.idField as string]) === id || String(r.id) === id);
}

describe.each(automatic.map((t) => [t.key, t] as const))("%s", (key, type) => {
  it("puts back a record the store changed", async (ctx) => {
    const res = await mutate("churn", key).catch(() => null);
    const changedIds = res?.changed[sandboxName[key] ?? key]?.updated ?? [];
    if (!res || changedIds.length === 0) return ctx.skip();
    const id = String(changedIds[0]);
    const before = res.before[sandboxName[key] ?? key]?.[id] ?? {};
    const { versions } = await versionsOf(session, key, id);
    const result = await restoreThrough(
      session,
      key,
      id,
      versions.find((v) => v.source === "backup")?.id ?? versions[0].id,
    );
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({ status: "done" });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    const now = await exported(type, id);
    for (const [field, value] of Object.entries(before)) expect(now?.[field], field).toEqual(value);
  });
});

// Deletions cascade in the store (a tree takes its categories along), so dependents go first.
const deletionOrder = restoreOrder(automatic.map((t) => t.key)).reverse();

describe.each(deletionOrder.map((k) => [k, getType(k)] as const))("%s", (key) => {
  it("re-creates a deleted record", async (ctx) => {
    const res = await mutate("delete", key).catch(() => null);
    const deleted = res?.changed[sandboxName[key] ?? key]?.deleted ?? [];
    if (!res || deleted.length === 0) return ctx.skip();
    // A deletion cascades to dependents first: the last record deleted is the one the others hang from.
    const id = String(deleted.at(-1));
    const { versions } = await versionsOf(session, key, id).catch(() => ({
      versions: [] as { id: number; source: string }[],
    }));
    if (versions.length === 0) return ctx.skip();
    const version = versions.find((v) => v.source === "backup") ?? versions[0];
    const result = await restoreThrough(session, key, id, version.id);
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({
      status: "done",
      action: "create",
    });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    expect(Number(result.items[0].newId) || result.items[0].newId).toBeTruthy();
  });
});
