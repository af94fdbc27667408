import { inflateSync } from "fflate";
import { newId } from "../lib/ids";
import { chunks, packKey } from "./vault-writer";

const DAY_MS = 86_400_000;
/** A pack whose live entries fill less than this share of it is rewritten without the dead ones. */
export const COMPACT_BELOW = 0.5;

/**
 * Retention, step 1: deletes versions captured before the store's retention window, except each
 * record's latest version (a record always keeps its current state, however old) and versions a
 * restore still points at (what undo would put back). Returns how many versions went.
 */
export async function pruneVersions(
  env: Env,
  storeHash: string,
  now = Date.now(),
): Promise<{ deleted: number }> {
  const store = await env.DB.prepare("select retention_days from stores where hash = ?")
    .bind(storeHash)
    .first<{ retention_days: number }>();
  if (!store) return { deleted: 0 };
  const cutoff = now - store.retention_days * DAY_MS;
  let deleted = 0;
  for (;;) {
    const { results } = await env.DB.prepare(
      `select v.id, v.type, v.record_id from versions v
       where v.store_hash = ?1 and v.captured_at < ?2
         and exists (select 1 from versions n where n.store_hash = v.store_hash and n.type = v.type and n.record_id = v.record_id
                     and (n.captured_at > v.captured_at or (n.captured_at = v.captured_at and n.id > v.id)))
         and not exists (select 1 from restore_items r where r.store_hash = v.store_hash
                         and (r.from_version_id = v.id or r.before_version_id = v.id))
       limit 2000`,
    )
      .bind(storeHash, cutoff)
      .all<{ id: number; type: string; record_id: string }>();
    if (results.length === 0) break;
    const statements = chunks(results, 500).map((chunk) =>
      env.DB.prepare("delete from versions where id in (select value from json_each(?))").bind(
        JSON.stringify(chunk.map((r) => r.id)),
      ),
    );
    const touched = [
      ...new Map(results.map((r) => [`${r.type}\u0000${r.record_id}`, [r.type, r.record_id]])).values(),
    ];
    for (const chunk of chunks(touched, 500)) {
      statements.push(
        env.DB.prepare(
          `update records set version_count = (select count(*) from versions v where v.store_hash = records.store_hash
             and v.type = records.type and v.record_id = records.record_id)
           where store_hash = ?1 and exists (select 1 from json_each(?2) j
             where j.value->>'$[0]' = records.type and j.value->>'$[1]' = records.record_id)`,
        ).bind(storeHash, JSON.stringify(chunk)),
      );
    }
    await env.DB.batch(statements);
    deleted += results.length;
    if (results.length < 2000) break;
  }
  return { deleted };
}

/**
 * Retention, step 2: gives back pack space no version uses any more. A pack with no live entry is
 * deleted from R2 (deletes are free); a pack less than half alive is compacted: its live entries
 * are copied into a new pack, the versions pointing at them are moved there in one D1 batch, then
 * the old pack is deleted. Entries are located by (offset, length), so a body shared by several
 * versions (content-addressed dedupe) moves once and all its versions follow.
 *
 * Must not run while versions are waiting to be flushed: they may point into a pack being
 * rewritten. The StoreJobs object runs it inside `blockConcurrencyWhile` after a flush.
 */
export async function reclaimPacks(
  env: Env,
  storeHash: string,
): Promise<{ deleted: number; compacted: number; bytesFreed: number }> {
  const out = { deleted: 0, compacted: 0, bytesFreed: 0 };
  const { results: packs } = await env.DB.prepare(
    `select p.id, p.size, coalesce(l.live, 0) as live from packs p
     left join (select pack_id, sum(length) as live from (select distinct pack_id, "offset", length from versions where store_hash = ?1)
                group by pack_id) l on l.pack_id = p.id
     where p.store_hash = ?1`,
  )
    .bind(storeHash)
    .all<{ id: string; size: number; live: number }>();
  for (const pack of packs) {
    if (pack.live === 0) {
      await env.VAULT.delete(packKey(storeHash, pack.id));
      await env.DB.prepare("delete from packs where id = ?").bind(pack.id).run();
      out.deleted++;
      out.bytesFreed += pack.size;
      continue;
    }
    if (pack.live >= pack.size * COMPACT_BELOW) continue;
    const obj = await env.VAULT.get(packKey(storeHash, pack.id));
    if (!obj) continue;
    const bytes = new Uint8Array(await obj.arrayBuffer());
    const { results: entries } = await env.DB.prepare(
      `select distinct "offset", length from versions where store_hash = ? and pack_id = ? order by "offset"`,
    )
      .bind(storeHash, pack.id)
      .all<{ offset: number; length: number }>();
    const newPackId = newId();
    const fresh = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
    const moves: [number, number][] = [];
    let at = 0;
    for (const e of entries) {
      const slice = bytes.subarray(e.offset, e.offset + e.length);
      inflateSync(slice); // a damaged entry stops the compaction before anything is rewritten
      fresh.set(slice, at);
      moves.push([e.offset, at]);
      at += e.length;
    }
    await env.VAULT.put(packKey(storeHash, newPackId), fresh, {
      customMetadata: { store: storeHash, entries: String(entries.length) },
    });
    const statements = [
      env.DB.prepare(
        "insert into packs (id, store_hash, key, size, entries, created_at) values (?, ?, ?, ?, ?, ?)",
      ).bind(
        newPackId,
        storeHash,
        packKey(storeHash, newPackId),
        fresh.byteLength,
        entries.length,
        Date.now(),
      ),
      ...chunks(moves, 1000).map((chunk) =>
        env.DB.prepare(
          `update versions set pack_id = ?3, "offset" = (select j.value->>'$[1]' from json_each(?4) j where j.value->>'$[0]' = versions."offset")
           where store_hash = ?1 and pack_id = ?2 and "offset" in (select j.value->>'$[0]' from json_each(?4) j)`,
        ).bind(storeHash, pack.id, newPackId, JSON.stringify(chunk)),
      ),
      env.DB.prepare("delete from packs where id = ?").bind(pack.id),
    ];
    await env.DB.batch(statements);
    await env.VAULT.delete(packKey(storeHash, pack.id));
    out.compacted++;
    out.bytesFreed += pack.size - fresh.byteLength;
  }
  return out;
}
