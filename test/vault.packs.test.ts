import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readVersionBody, recordVersions, stateAt } from "../worker/backup/vault-read";
import { readBodies } from "../worker/restore/vault-bodies";
import { backupNow, installTestStore, jobsOf, sandboxAdmin } from "./support/stores";

const DAY = 86_400_000;

async function packObjects(storeHash: string) {
  const listed = await env.VAULT.list({ prefix: `packs/${storeHash}/` });
  return listed.objects;
}

async function countVersions(storeHash: string) {
  const row = await env.DB.prepare("select count(*) as n from versions where store_hash = ?")
    .bind(storeHash)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("vault packs", () => {
  it("stores a whole backup in a few compressed packs, each version readable by byte range", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 3 });
    await backupNow(storeHash);
    const versions = await countVersions(storeHash);
    const objects = await packObjects(storeHash);
    expect(versions).toBeGreaterThan(200);
    // One R2 object per few thousand versions, not one per version.
    expect(objects.length).toBeLessThanOrEqual(Math.ceil(versions / 500) + 2);
    const packsRows = await env.DB.prepare(
      "select count(*) as n, sum(size) as bytes from packs where store_hash = ?",
    )
      .bind(storeHash)
      .first<{ n: number; bytes: number }>();
    expect(packsRows?.n).toBe(objects.length);
    expect(packsRows?.bytes).toBe(objects.reduce((n, o) => n + o.size, 0));

    const { versions: customers } = await stateAt(env.DB, storeHash, "customers", Date.now(), {
      pageSize: 5,
    });
    const exported = await sandboxAdmin<{ customers: { id: number; email: string }[] }>(
      `/stores/${storeHash}/export`,
    );
    for (const v of customers) {
      const body = await readVersionBody<{ id: number; email: string }>(env, v);
      expect(body?.email).toBe(exported.customers.find((c) => String(c.id) === v.recordId)?.email);
      // Compressed: the range (its frame's earlier bodies, then this one) is smaller than their canonical JSON.
      expect(v.length as number).toBeLessThan(v.bodyOffset + v.size);
    }
  });

  it("compresses a page's bodies together in frames, and reads every one back alone or in bulk", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 6 });
    await backupNow(storeHash, ["customers", "orders"]);
    const exported = await sandboxAdmin<{ customers: { id: number; email: string }[] }>(
      `/stores/${storeHash}/export`,
    );
    const { versions } = await stateAt(env.DB, storeHash, "customers", Date.now(), { pageSize: 5000 });
    expect(versions.length).toBe(exported.customers.length);
    // Later bodies of a frame start past the earlier ones.
    expect(versions.some((v) => v.bodyOffset > 0)).toBe(true);
    for (const v of versions) {
      const body = await readVersionBody<{ id: number; email: string }>(env, v);
      expect(body?.email).toBe(exported.customers.find((c) => String(c.id) === v.recordId)?.email);
    }
    // The same bodies read in bulk (whole packs, one inflate per frame) are the same records.
    const bulk = await readBodies(env, versions);
    expect(versions.map((v) => (bulk.get(v.id) as { id: number } | undefined)?.id)).toEqual(
      versions.map((v) => Number(v.recordId)),
    );
    // A frame is stored once: the pack bytes are each frame's farthest range, and far fewer than
    // the canonical JSON they hold.
    const { results } = await env.DB.prepare(
      `select max(length) as bytes, sum(size) as raw from versions where store_hash = ? and pack_id is not null
       group by pack_id, "offset"`,
    )
      .bind(storeHash)
      .all<{ bytes: number; raw: number }>();
    const stored = results.reduce((n, r) => n + r.bytes, 0);
    const packs = (await packObjects(storeHash)).reduce((n, o) => n + o.size, 0);
    expect(stored).toBe(packs);
    expect(stored).toBeLessThan(results.reduce((n, r) => n + r.raw, 0) * 0.25);
  });

  it("keeps identical content once (content-addressed)", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 4 });
    await backupNow(storeHash, ["customers"]);
    const { results } = await env.DB.prepare(
      `select hash, count(*) as n, count(distinct pack_id || ':' || "offset") as places from versions
       where store_hash = ? and hash is not null group by hash`,
    )
      .bind(storeHash)
      .all<{ hash: string; n: number; places: number }>();
    expect(results.every((r) => r.places === 1)).toBe(true);
  });

  it("prunes versions past the retention window, keeps every record's latest, and gives pack space back", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 5 });
    await backupNow(storeHash, ["products", "customers"]);
    for (const seed of [1, 2, 3]) {
      await sandboxAdmin(`/stores/${storeHash}/mutate`, {
        json: { kind: "churn", type: "products", share: 0.5, seed },
      });
      await backupNow(storeHash, ["products", "customers"]);
    }
    const before = await countVersions(storeHash);
    const { versions: latestBefore } = await stateAt(env.DB, storeHash, "products", Date.now() + DAY, {
      pageSize: 5000,
    });
    const bytesBefore = (await packObjects(storeHash)).reduce((n, o) => n + o.size, 0);

    await env.DB.prepare("update stores set retention_days = 1 where hash = ?").bind(storeHash).run();
    const result = await jobsOf(storeHash).pruneVault(Date.now() + 2 * DAY);
    expect(result.versionsDeleted).toBeGreaterThan(0);
    expect(await countVersions(storeHash)).toBe(before - result.versionsDeleted);

    // Each record still has exactly its latest version, and it still reads back.
    const { versions: latestAfter } = await stateAt(env.DB, storeHash, "products", Date.now() + DAY, {
      pageSize: 5000,
    });
    expect(latestAfter.map((v) => [v.recordId, v.hash])).toEqual(
      latestBefore.map((v) => [v.recordId, v.hash]),
    );
    for (const v of latestAfter.slice(0, 10)) {
      expect(await recordVersions(env.DB, storeHash, "products", v.recordId)).toHaveLength(1);
      expect((await readVersionBody(env, v))?.id).toBe(Number(v.recordId));
    }
    const count = await env.DB.prepare("select sum(version_count) as n from records where store_hash = ?")
      .bind(storeHash)
      .first<{ n: number }>();
    expect(count?.n).toBe(await countVersions(storeHash));

    // Dead entries were dropped from R2: whole packs deleted or rewritten smaller.
    expect(result.packsDeleted + result.packsCompacted).toBeGreaterThan(0);
    const bytesAfter = (await packObjects(storeHash)).reduce((n, o) => n + o.size, 0);
    expect(bytesAfter).toBeLessThan(bytesBefore);
    expect(bytesBefore - bytesAfter).toBe(result.bytesFreed);
  });
});
