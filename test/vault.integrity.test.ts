import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { packKey } from "../worker/backup/vault-writer";
import { checkVault } from "../worker/integrity/vault-check";
import { type AppSession, loadAs } from "./support/install";
import { backupNow, installTestStore } from "./support/stores";

/**
 * `npm run vault:check` and POST /api/vault/check: a clean vault reports nothing; every corruption of
 * a body or an index row is found.
 */
let storeHash: string;
let session: AppSession;

type V = { id: number; pack_id: string; offset: number; length: number; hash: string };

async function bodyVersions(): Promise<V[]> {
  return (
    await env.DB.prepare(
      `select id, pack_id, "offset", length, hash from versions where store_hash = ? and pack_id is not null order by id`,
    )
      .bind(storeHash)
      .all<V>()
  ).results;
}

async function withPackBytes(packId: string, edit: (bytes: Uint8Array) => void, run: () => Promise<void>) {
  const key = packKey(storeHash, packId);
  const original = new Uint8Array(await (await env.VAULT.get(key))!.arrayBuffer());
  const changed = original.slice();
  edit(changed);
  await env.VAULT.put(key, changed);
  try {
    await run();
  } finally {
    await env.VAULT.put(key, original);
  }
}

beforeAll(async () => {
  ({ storeHash } = await installTestStore("demo", { seed: 51 }));
  await backupNow(storeHash, ["products", "brands", "categories", "customers", "coupons", "pages"]);
  session = await loadAs(storeHash);
}, 180_000);

describe("vault integrity check", () => {
  it("re-reads every body of a clean vault and finds nothing wrong", async () => {
    const res = await session.api("/api/vault/check", { method: "POST" });
    expect(res.status).toBe(200);
    const report = await res.json<{ versions: number; bodiesChecked: number; problems: unknown[] }>();
    expect(report.versions).toBeGreaterThan(50);
    expect(report.bodiesChecked).toBeGreaterThan(50);
    expect(report.problems).toEqual([]);
  });

  it("finds every corrupted body (one flipped byte in each of 25 versions, one at a time)", async () => {
    const all = await bodyVersions();
    const sample = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 25)) === 0).slice(0, 25);
    let found = 0;
    for (const v of sample) {
      // Its own bytes: a range starts at its frame's first byte, so the body's own share begins
      // where the frame's previous body ends (body-deflate.ts).
      const before = all.filter(
        (o) => o.pack_id === v.pack_id && o.offset === v.offset && o.length < v.length,
      );
      const own = Math.max(0, ...before.map((o) => o.length));
      await withPackBytes(
        v.pack_id,
        (b) => {
          b[v.offset + own + Math.floor((v.length - own) / 2)] ^= 0x5a;
        },
        async () => {
          const report = await checkVault(env, storeHash);
          if (
            report.problems.some(
              (p) => p.versionId === v.id && (p.kind === "hash_mismatch" || p.kind === "unreadable"),
            )
          )
            found++;
        },
      );
    }
    expect(sample.length).toBe(25);
    expect(found).toBe(sample.length);
  });

  it("finds corrupted index rows: wrong hash, range outside the pack, missing pack, stale item list", async () => {
    const [a, b, c] = await bodyVersions();
    const cases: { sql: string; args: unknown[]; undo: string; undoArgs: unknown[]; kind: string }[] = [
      {
        sql: "update versions set hash = ? where id = ?",
        args: ["0".repeat(64), a.id],
        undo: "update versions set hash = ? where id = ?",
        undoArgs: [a.hash, a.id],
        kind: "hash_mismatch",
      },
      {
        sql: `update versions set "offset" = ? where id = ?`,
        args: [10_000_000, b.id],
        undo: `update versions set "offset" = ? where id = ?`,
        undoArgs: [b.offset, b.id],
        kind: "range_outside_pack",
      },
      {
        sql: "update versions set pack_id = ? where id = ?",
        args: ["no-such-pack", c.id],
        undo: "update versions set pack_id = ? where id = ?",
        undoArgs: [c.pack_id, c.id],
        kind: "pack_row_missing",
      },
      {
        sql: "update records set current_hash = 'stale' where store_hash = ? and rowid = (select min(rowid) from records where store_hash = ? and deleted = 0)",
        args: [storeHash, storeHash],
        undo: "select 1",
        undoArgs: [],
        kind: "record_out_of_date",
      },
    ];
    for (const k of cases) {
      await env.DB.prepare(k.sql)
        .bind(...k.args)
        .run();
      const report = await checkVault(env, storeHash);
      expect(
        report.problems.map((p) => p.kind),
        k.kind,
      ).toContain(k.kind);
      await env.DB.prepare(k.undo)
        .bind(...k.undoArgs)
        .run();
    }
    await env.VAULT.delete(packKey(storeHash, a.pack_id));
    const report = await checkVault(env, storeHash);
    expect(report.problems.map((p) => p.kind)).toContain("pack_missing");
  });
});
