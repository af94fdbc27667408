import { concatBytes } from "../lib/bytes";
import { newId } from "../lib/ids";
import { type BodyPlace, bodiesFrom, deflateBodies } from "./body-deflate";
import { chunks, packKey } from "./vault-writer";

const DAY_MS = 86_400_000;
/** A pack with fewer than this share of its bodies alive is rewritten without the dead ones. */
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
 * Retention, step 2: gives back pack space no version uses any more. A pack with no live body is
 * deleted from R2 (deletes are free); a pack with fewer than half its bodies alive is compacted: its
 * live bodies are compressed again into a new pack (in new frames, body-deflate.ts), the versions
 * pointing at them are moved there in one D1 batch, then the old pack is deleted. A body is located by
 * its (offset, length), so a body shared by several versions (content-addressed dedupe) moves once
 * and all its versions follow.
 *
 * Must not run while versions are waiting to be flushed: they may point into a pack being
 * rewritten. The StoreJobs object runs it inside `blockConcurrencyWhile` after a flush.
 */
export async function reclaimPacks(
  env: Env,
  storeHash: string,
): Promise<{ deleted: number; compacted: number; bytesFreed: number }> {
  const out = { deleted: 0, compacted: 0, bytesFreed: 0 };
  // Live = the bodies some version still points at (a shared body once), against the bodies the
  // pack was written with: frames make a pack's bytes per body uneven, its body count is exact.
  const { results: packs } = await env.DB.prepare(
    `select p.id, p.size, p.entries, coalesce(l.live, 0) as live from packs p
     left join (select pack_id, count(*) as live from (
                  select distinct pack_id, "offset", length from versions where store_hash = ?1 and pack_id is not null
                ) group by pack_id) l on l.pack_id = p.id
     where p.store_hash = ?1`,
  )
    .bind(storeHash)
    .all<{ id: string; size: number; entries: number; live: number }>();
  for (const pack of packs) {
    if (pack.live === 0) {
      await env.VAULT.delete(packKey(storeHash, pack.id));
      await env.DB.prepare("delete from packs where id = ?").bind(pack.id).run();
      out.deleted++;
      out.bytesFreed += pack.size;
      continue;
    }
    if (pack.live >= pack.entries * COMPACT_BELOW) continue;
    const obj = await env.VAULT.get(packKey(storeHash, pack.id));
    if (!obj) continue;
    const bytes = new Uint8Array(await obj.arrayBuffer());
    const { results: live } = await env.DB.prepare(
      `select type, "offset", length, body_offset as bodyOffset, size from versions
       where store_hash = ? and pack_id = ? group by "offset", length order by "offset", length`,
    )
      .bind(storeHash, pack.id)
      .all<BodyPlace & { type: string }>();
    // The live bodies are compressed again, in frames of one type each (a frame's dead bodies cannot
    // be cut out of its stream). A damaged body throws here, before anything is rewritten.
    const byType = new Map<string, (BodyPlace & { type: string })[]>();
    for (const e of live) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
    const parts: Uint8Array[] = [];
    /** [old offset, old length, new offset, new length, new body offset] */
    const moves: [number, number, number, number, number][] = [];
    let at = 0;
    for (const places of byType.values()) {
      let frameAt = at;
      deflateBodies(bodiesFrom(bytes, 0, places)).forEach((d, k) => {
        if (d.first) frameAt = at;
        parts.push(d.bytes);
        at += d.bytes.byteLength;
        moves.push([places[k].offset, places[k].length, frameAt, at - frameAt, d.bodyOffset]);
      });
    }
    const fresh = concatBytes(parts);
    const newPackId = newId();
    await env.VAULT.put(packKey(storeHash, newPackId), fresh, {
      customMetadata: { store: storeHash, entries: String(live.length) },
    });
    const moved = (column: number) =>
      `(select j.value->>'$[${column}]' from json_each(?4) j
        where j.value->>'$[0]' = versions."offset" and j.value->>'$[1]' = versions.length)`;
    const statements = [
      env.DB.prepare(
        "insert into packs (id, store_hash, key, size, entries, created_at) values (?, ?, ?, ?, ?, ?)",
      ).bind(newPackId, storeHash, packKey(storeHash, newPackId), fresh.byteLength, live.length, Date.now()),
      // SQLite evaluates every SET expression against the row as it was: all three match its old place.
      ...chunks(moves, 1000).map((chunk) =>
        env.DB.prepare(
          `update versions set pack_id = ?3, "offset" = ${moved(2)}, length = ${moved(3)}, body_offset = ${moved(4)}
           where store_hash = ?1 and pack_id = ?2 and exists (select 1 from json_each(?4) j
             where j.value->>'$[0]' = versions."offset" and j.value->>'$[1]' = versions.length)`,
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
