import { bodiesFrom } from "../backup/body-deflate";
import { type StateVersion, stateAt } from "../backup/vault-read";
import { packKey } from "../backup/vault-writer";
import type { StagedRecord } from "./staging";

/** Records per step of an export from the vault (one D1 query and a few R2 range reads). */
export const VAULT_PAGE_SIZE = 500;

/**
 * Packs read whole and kept for the next pages (packs are at most 4 MiB, and a backup writes a
 * type's records next to each other, so consecutive pages of a type mostly read the same packs):
 * each pack is read once per export instead of once per page, with a few MiB of memory.
 */
const PACKS_KEPT = 3;
const packCache = new Map<string, Promise<Uint8Array>>();

/** Drops the kept packs (an export's end: their memory is not held between exports). */
export function forgetPacks() {
  packCache.clear();
}

function readPack(env: Env, storeHash: string, packId: string): Promise<Uint8Array> {
  const key = packKey(storeHash, packId);
  const kept = packCache.get(key);
  if (kept) {
    packCache.delete(key);
    packCache.set(key, kept);
    return kept;
  }
  const read = env.VAULT.get(key).then(async (obj) => {
    if (!obj) throw new Error(`Pack ${packId} is missing from the vault`);
    return new Uint8Array(await obj.arrayBuffer());
  });
  read.catch(() => packCache.delete(key));
  packCache.set(key, read);
  while (packCache.size > PACKS_KEPT) packCache.delete(packCache.keys().next().value as string);
  return read;
}

/**
 * When the vault last captured a change of any of these types (a record's `last_changed_at` is its
 * latest version's capture time): what an export from the vault is "as of". Null when nothing of
 * them was ever backed up. One index seek per type (records_store_type_changed_id).
 */
export async function lastCaptureAt(
  db: D1Database,
  storeHash: string,
  types: string[],
): Promise<number | null> {
  const row = await db
    .prepare(
      `select max((select max(last_changed_at) from records where store_hash = ?1 and type = t.value)) as at
       from json_each(?2) t`,
    )
    .bind(storeHash, JSON.stringify(types))
    .first<{ at: number | null }>();
  return row?.at ?? null;
}

/** Records not deleted per type: the totals of a vault export's progress bars. */
export async function vaultCounts(
  db: D1Database,
  storeHash: string,
  types: string[],
): Promise<Record<string, number>> {
  const { results } = await db
    .prepare(
      `select type, count(*) as n from records
       where store_hash = ? and type in (select value from json_each(?)) and deleted = 0 group by type`,
    )
    .bind(storeHash, JSON.stringify(types))
    .all<{ type: string; n: number }>();
  return Object.fromEntries(types.map((t) => [t, results.find((r) => r.type === t)?.n ?? 0]));
}

/** What an export of these types holds, from the vault: records not deleted and their JSON size. */
export async function vaultSize(
  db: D1Database,
  storeHash: string,
  types: string[],
): Promise<{ records: number; bytes: number }> {
  const row = await db
    .prepare(
      `select count(*) as records, coalesce(sum(size), 0) as bytes from records
       where store_hash = ? and type in (select value from json_each(?)) and deleted = 0`,
    )
    .bind(storeHash, JSON.stringify(types))
    .first<{ records: number; bytes: number }>();
  return { records: row?.records ?? 0, bytes: row?.bytes ?? 0 };
}

/**
 * One page of a type as the vault holds it at `at`: the next VAULT_PAGE_SIZE record ids after
 * `after` (keyset on the records table's primary key, so every page costs the same; paging `stateAt`
 * by offset re-ranks every version of the type per page), then their latest version at `at` through
 * `stateAt` (deletions left out), bodies read from the packs. `next` is null after the last page.
 */
export async function vaultPage(
  env: Env,
  storeHash: string,
  type: string,
  at: number,
  after: string,
): Promise<{ records: StagedRecord[]; next: string | null }> {
  const { results } = await env.DB.prepare(
    "select record_id from records where store_hash = ? and type = ? and record_id > ? order by record_id limit ?",
  )
    .bind(storeHash, type, after, VAULT_PAGE_SIZE)
    .all<{ record_id: string }>();
  const ids = results.map((r) => r.record_id);
  if (!ids.length) return { records: [], next: null };
  const { versions } = await stateAt(env.DB, storeHash, type, at, {
    recordIds: ids,
    pageSize: VAULT_PAGE_SIZE,
  });
  const bodies = await readBodies(env, versions);
  return {
    records: versions.map((v, i) => ({ recordId: v.recordId, body: bodies[i].body, json: bodies[i].json })),
    next: ids.length < VAULT_PAGE_SIZE ? null : ids[ids.length - 1],
  };
}

/** A page needing at least this many entries of a pack reads the pack whole (and keeps it); fewer: range reads. */
const WHOLE_PACK_ENTRIES = 16;
/** Two bodies of one pack closer than this are read with one range request. */
const MERGE_GAP = 256 * 1024;

/**
 * The versions' bodies, in order, parsed (for the CSVs) and as the vault's text (`json`, UTF-8): the
 * vault stores canonical JSON, one line that JSON.stringify of the parsed body gives again byte for
 * byte, so it is the JSON Lines line as it is (no second stringify, no re-encoding). Per pack: read whole (kept for the next pages, see readPack) when
 * the page needs many of its entries, else in as few range requests as the gaps allow; one pack read
 * is in flight ahead of the one being inflated, so memory holds at most two packs beyond those kept.
 */
export async function readBodies(
  env: Env,
  versions: StateVersion[],
): Promise<{ body: unknown; json?: Uint8Array }[]> {
  const out: { body: unknown; json?: Uint8Array }[] = new Array(versions.length).fill({ body: null });
  const byPack = new Map<string, number[]>();
  versions.forEach((v, i) => {
    if (!v.packId || v.offset === null || v.length === null) return;
    const list = byPack.get(v.packId) ?? [];
    list.push(i);
    byPack.set(v.packId, list);
  });
  const offsetOf = (i: number) => versions[i].offset as number;
  const endOf = (i: number) => offsetOf(i) + (versions[i].length as number);
  /** Byte spans to read for one pack: [first offset, end, indexes]. */
  const spans = (indexes: number[]): [number, number, number[]][] => {
    indexes.sort((a, b) => offsetOf(a) - offsetOf(b));
    const out: [number, number, number[]][] = [];
    for (const i of indexes) {
      const last = out.at(-1);
      if (last && offsetOf(i) - last[1] <= MERGE_GAP) {
        last[1] = Math.max(last[1], endOf(i));
        last[2].push(i);
      } else out.push([offsetOf(i), endOf(i), [i]]);
    }
    return out;
  };
  type Read = { base: number; bytes: Promise<Uint8Array>; indexes: number[] };
  const reads: (() => Read)[] = [];
  for (const [packId, indexes] of byPack) {
    const storeHash = versions[indexes[0]].storeHash;
    if (indexes.length >= WHOLE_PACK_ENTRIES || packCache.has(packKey(storeHash, packId))) {
      reads.push(() => ({ base: 0, bytes: readPack(env, storeHash, packId), indexes }));
      continue;
    }
    for (const [first, end, group] of spans(indexes))
      reads.push(() => ({
        base: first,
        bytes: env.VAULT.get(packKey(storeHash, packId), {
          range: { offset: first, length: end - first },
        }).then(async (obj) => {
          if (!obj) throw new Error(`Pack ${packId} is missing from the vault`);
          return new Uint8Array(await obj.arrayBuffer());
        }),
        indexes: group,
      }));
  }
  const decoder = new TextDecoder();
  let ahead = reads.length ? reads[0]() : null;
  for (let r = 0; ahead; r++) {
    const current = ahead;
    ahead = r + 1 < reads.length ? reads[r + 1]() : null;
    ahead?.bytes.catch(() => undefined);
    const bytes = await current.bytes;
    const jsons = bodiesFrom(
      bytes,
      current.base,
      current.indexes.map((i) => ({
        offset: offsetOf(i),
        length: versions[i].length as number,
        bodyOffset: versions[i].bodyOffset,
        size: versions[i].size,
      })),
    );
    current.indexes.forEach((i, k) => {
      out[i] = { body: JSON.parse(decoder.decode(jsons[k])), json: jsons[k] };
    });
  }
  return out;
}
