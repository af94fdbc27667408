import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { readVersionBody, stateAt } from "../worker/backup/vault-read";
import { type ContentType, contentTypes as registryTypes } from "../worker/bigcommerce/registry";

const contentTypes = registryTypes as readonly ContentType[];

import {
  expectedIds,
  exportCollection,
  ownIds,
  type SandboxExport,
  typesInExport,
} from "./support/export-map";
import { backupNow, installTestStore, jobsOf, sandboxAdmin } from "./support/stores";

/** Every version row of the store, as comparable tuples. */
async function vaultSnapshot(storeHash: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id, change, hash from versions where store_hash = ? order by id",
  )
    .bind(storeHash)
    .all<{ type: string; record_id: string; change: string; hash: string | null }>();
  return results;
}

describe("full backup of the demo store", () => {
  let storeHash: string;
  let exported: SandboxExport;

  beforeAll(async () => {
    ({ storeHash } = await installTestStore("demo"));
    await backupNow(storeHash);
    exported = await sandboxAdmin<SandboxExport>(`/stores/${storeHash}/export`);
  });

  it("captures every record of every type the store has", async () => {
    const covered = typesInExport(exported);
    expect(covered.length).toBeGreaterThan(0);
    for (const type of covered) {
      const { versions } = await stateAt(env.DB, storeHash, type.key, Date.now(), { pageSize: 5000 });
      const held = [
        ...new Set(
          ownIds(
            type,
            versions.map((v) => v.recordId),
          ),
        ),
      ];
      expect(held.sort(), type.key).toEqual(expectedIds(type, exported).sort());
    }
  });

  it("stores bodies that read back equal to the store's records", async () => {
    for (const type of typesInExport(exported)) {
      const rows = exportCollection(type, exported);
      if (!rows?.length) continue;
      const { versions } = await stateAt(env.DB, storeHash, type.key, Date.now(), { pageSize: 1 });
      const body = await readVersionBody(env, versions[0]);
      expect(body, type.key).not.toBeNull();
      expect(typeof body, type.key).toBe("object");
    }
  });

  it("stores no new version when nothing changed", async () => {
    const before = await vaultSnapshot(storeHash);
    const status = await backupNow(storeHash);
    const after = await vaultSnapshot(storeHash);
    expect(after).toEqual(before);
    const versions = Object.values(status.progress.types).reduce((n, p) => n + p.versions + p.deleted, 0);
    expect(versions).toBe(0);
  });

  it("after churn, versions exactly the changed records and marks deleted ones", async () => {
    const before = await vaultSnapshot(storeHash);
    const mutation = await sandboxAdmin<{
      changed: Record<string, { created: unknown[]; updated: unknown[]; deleted: unknown[] }>;
    }>(`/stores/${storeHash}/mutate`, { json: { kind: "churn", share: 0.2, seed: 7 } });
    await sandboxAdmin(`/stores/${storeHash}/mutate`, {
      json: { kind: "delete", type: "customers", share: 0.1, seed: 3 },
    }).catch(() => undefined);
    const backupAt = Date.now();
    await backupNow(storeHash);
    const after = await vaultSnapshot(storeHash);
    const fresh = after.slice(before.length);
    expect(fresh.length).toBeGreaterThan(0);
    const now = await sandboxAdmin<SandboxExport>(`/stores/${storeHash}/export`);
    // Every new version is of a record that exists now with different content, or is gone now.
    for (const type of contentTypes) {
      const mine = fresh.filter((v) => v.type === type.key);
      if (mine.length === 0 || !exportCollection(type, now)) continue;
      const ids = new Set(expectedIds(type, now));
      for (const v of mine.map((x) => ({ ...x, record_id: ownIds(type, [x.record_id])[0] }))) {
        if (v.change === "deleted")
          expect(ids.has(v.record_id), `${type.key} ${v.record_id} deleted`).toBe(false);
        else expect(ids.has(v.record_id), `${type.key} ${v.record_id} changed`).toBe(true);
      }
    }
    // Every record the mutation reports as changed in a backed-up collection got exactly one new version.
    for (const type of contentTypes) {
      const changed = mutation.changed[type.key];
      if (!changed || type.parent) continue;
      const versioned = new Set(fresh.filter((v) => v.type === type.key).map((v) => v.record_id));
      for (const id of [...changed.updated, ...changed.created, ...changed.deleted].map(String)) {
        expect(versioned.has(id), `${type.key} ${id} has a new version`).toBe(true);
      }
    }
    expect(backupAt).toBeLessThan(Date.now());
  });

  it("refuses a second backup while one runs", async () => {
    const stub = jobsOf(storeHash);
    const first = await stub.startBackup({ kind: "manual" });
    const second = await stub.startBackup({ kind: "manual" });
    expect(first.started).toBe(true);
    expect(second).toMatchObject({ started: false, code: "job_running" });
    if (first.started) await stub.cancel(first.jobId);
  });
});
