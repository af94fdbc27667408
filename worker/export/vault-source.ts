import { inflateRawSync } from "node:zlib";
import { type StateVersion, stateAt } from "../backup/vault-read";
import { packKey } from "../backup/vault-writer";

/** Records per step of an export from the vault (one D1 query and a few R2 range reads). */
export const VAULT_PAGE_SIZE = 500;

/**
 * Two bodies of one pack closer than this are read with one range request (packs are at most
 * 4 MiB; a backup writes a type's records next to each other, so a page is mostly contiguous).
 */
const MERGE_GAP = 256 * 1024;

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
): Promise<{ records: { recordId: string; body: unknown }[]; next: string | null }> {
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
    records: versions.map((v, i) => ({ recordId: v.recordId, body: bodies[i] })),
    next: ids.length < VAULT_PAGE_SIZE ? null : ids[ids.length - 1],
  };
}

/**
 * The versions' bodies, in order. Reads each pack's needed span in as few range requests as the
 * gaps allow (one per record would be 500 requests a page), then inflates each entry.
 */
export async function readBodies(env: Env, versions: StateVersion[]): Promise<unknown[]> {
  const out: unknown[] = new Array(versions.length).fill(null);
  const byPack = new Map<string, number[]>();
  versions.forEach((v, i) => {
    if (!v.packId || v.offset === null || v.length === null) return;
    const list = byPack.get(v.packId) ?? [];
    list.push(i);
    byPack.set(v.packId, list);
  });
  const decoder = new TextDecoder();
  for (const [packId, indexes] of byPack) {
    indexes.sort((a, b) => (versions[a].offset as number) - (versions[b].offset as number));
    let group: number[] = [];
    const readGroup = async () => {
      if (!group.length) return;
      const first = versions[group[0]].offset as number;
      const end = Math.max(
        ...group.map((i) => (versions[i].offset as number) + (versions[i].length as number)),
      );
      const obj = await env.VAULT.get(packKey(versions[group[0]].storeHash, packId), {
        range: { offset: first, length: end - first },
      });
      if (!obj) throw new Error(`Pack ${packId} is missing from the vault`);
      const bytes = new Uint8Array(await obj.arrayBuffer());
      for (const i of group) {
        const at = (versions[i].offset as number) - first;
        const entry = bytes.subarray(at, at + (versions[i].length as number));
        out[i] = JSON.parse(decoder.decode(inflateRawSync(entry)));
      }
      group = [];
    };
    let groupEnd = 0;
    for (const i of indexes) {
      const v = versions[i];
      if (group.length && (v.offset as number) - groupEnd > MERGE_GAP) await readGroup();
      group.push(i);
      groupEnd = Math.max(groupEnd, (v.offset as number) + (v.length as number));
    }
    await readGroup();
  }
  return out;
}
