import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { deflateRawSync } from "node:zlib";
import { expect, it } from "vitest";
import { readVersionBody, recordVersions } from "../worker/backup/vault-read";
import { VaultWriter } from "../worker/backup/vault-writer";
import { installTestStore, jobsOf } from "./support/stores";

it("versions staged one row per entry before an upgrade are flushed after it, bodies intact", async () => {
  const { storeHash } = await installTestStore("empty", { seed: 7 });
  const at = Date.now();
  const bodies = [
    { id: 1, name: "Trail shoe" },
    { id: 2, name: "Rain jacket" },
  ];
  await runInDurableObject(jobsOf(storeHash), async (_instance, state) => {
    const sql = state.storage.sql;
    // The row-per-entry staging table as an object deployed before the batch rows held it mid-job.
    sql.exec(`create table pack_entries (
      seq integer primary key autoincrement, pack_id text not null, type text not null, record_id text not null,
      backup_id text, source text not null, change text not null, captured_at integer not null,
      display_name text not null, search_text text not null, hash text, size integer not null,
      ref_pack_id text, "offset" integer, length integer, body blob)`);
    let offset = 0;
    for (const b of bodies) {
      const json = new TextEncoder().encode(JSON.stringify(b));
      const body = deflateRawSync(json);
      sql.exec(
        `insert into pack_entries (pack_id, type, record_id, backup_id, source, change, captured_at, display_name,
           search_text, hash, size, ref_pack_id, "offset", length, body) values ('oldpack', 'products', ?, null, 'webhook',
           'created', ?, ?, ?, ?, ?, null, ?, ?, ?)`,
        String(b.id),
        at,
        b.name,
        b.name.toLowerCase(),
        `hash-${b.id}`,
        json.byteLength,
        offset,
        body.byteLength,
        body,
      );
      offset += body.byteLength;
    }
    sql.exec(
      `insert into pack_entries (pack_id, type, record_id, backup_id, source, change, captured_at, display_name,
         search_text, hash, size) values ('oldpack', 'brands', '9', null, 'webhook', 'deleted', ?, 'Gone brand', 'gone', null, 0)`,
      at,
    );
    const writer = new VaultWriter(sql, env);
    expect(writer.pendingEntries()).toBe(3);
    expect(await writer.flush()).toEqual({ packs: 1, versions: 3 });
    expect(sql.exec("select count(*) as n from sqlite_master where name = 'pack_entries'").one().n).toBe(0);
  });
  for (const b of bodies) {
    const [v] = await recordVersions(env.DB, storeHash, "products", String(b.id));
    expect(v).toMatchObject({ change: "created", displayName: b.name, packId: "oldpack" });
    expect(await readVersionBody(env, v)).toEqual(b);
  }
  const [gone] = await recordVersions(env.DB, storeHash, "brands", "9");
  expect(gone).toMatchObject({ change: "deleted", packId: null });
});
