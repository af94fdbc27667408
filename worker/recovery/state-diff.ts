import type { LocatedVersion } from "../backup/vault-read";
/**
 * The vault's state at a moment compared with its latest state, per record, in SQL: for each record
 * its latest version at or before `at` (the target) and its latest version overall. Only hashes are
 * compared, no body is read, so the Bulk Recovery table and Version differences stay cheap on
 * stores with many records.
 *
 * - `added`: no content at `at`, exists now (created after the version).
 * - `updated`: content at both, different.
 * - `deleted`: content at `at`, deleted since (a restore re-creates it).
 * - `unchanged`: the same content.
 * Records re-created by a restore under a new id are represented by their old id, not counted as added.
 */

export type Diff = "added" | "updated" | "deleted" | "unchanged";

/** `?1` store, `?2` at, and `?3` type when `oneType`. */
function pairsSql(oneType: boolean): string {
  const latestOf = (bounded: boolean) => `
    select type, record_id, id, hash, change, display_name from (
      select type, record_id, id, hash, change, display_name,
             row_number() over (partition by type, record_id order by captured_at desc, id desc) as rn
      from versions where store_hash = ?1 ${oneType ? "and type = ?3" : ""} ${bounded ? "and captured_at <= ?2" : ""}
    ) where rn = 1`;
  return `
    with latest as (${latestOf(false)}), target as (${latestOf(true)}),
    pairs as (
      select l.type, l.record_id, coalesce(t.display_name, l.display_name) as name, t.id as target_id, l.id as latest_id,
        case
          when t.change is not null and t.change != 'deleted' then
            case when l.change = 'deleted' then 'deleted' when t.hash = l.hash then 'unchanged' else 'updated' end
          when l.change != 'deleted' then
            case when exists (select 1 from id_map m where m.store_hash = ?1 and m.type = l.type and m.new_id = l.record_id)
              then 'moved' else 'added' end
          else 'gone'
        end as diff,
        (t.change is not null and t.change != 'deleted') as at_target
      from latest l left join target t on t.type = l.type and t.record_id = l.record_id
    )`;
}

export type TypeDiffCounts = {
  type: string;
  backedUp: number;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
};

/** Per type: records held at `at` (Backed up items) and how the latest state differs. */
export async function diffCounts(db: D1Database, storeHash: string, at: number): Promise<TypeDiffCounts[]> {
  const { results } = await db
    .prepare(
      `${pairsSql(false)}
       select type, sum(at_target) as backedUp,
              sum(diff = 'added') as added, sum(diff = 'updated') as updated,
              sum(diff = 'deleted') as deleted, sum(diff = 'unchanged') as unchanged
       from pairs group by type`,
    )
    .bind(storeHash, at)
    .all<TypeDiffCounts>();
  return results.map((r) => ({
    type: r.type,
    backedUp: Number(r.backedUp ?? 0),
    added: Number(r.added ?? 0),
    updated: Number(r.updated ?? 0),
    deleted: Number(r.deleted ?? 0),
    unchanged: Number(r.unchanged ?? 0),
  }));
}

export type DiffRow = { recordId: string; name: string; diff: Diff; targetVersionId: number | null };

/** The changed records of one type (added, updated, deleted), by record id, paged. */
export async function changedRecords(
  db: D1Database,
  storeHash: string,
  type: string,
  at: number,
  opts: { page: number; pageSize: number; diffs?: Diff[] },
): Promise<{ rows: DiffRow[]; total: number }> {
  const diffs = JSON.stringify(opts.diffs ?? ["added", "updated", "deleted"]);
  const [page, count] = await db.batch<{
    record_id: string;
    name: string;
    diff: Diff;
    target_id: number | null;
    n: number;
  }>([
    db
      .prepare(
        `${pairsSql(true)}
         select record_id, name, diff, target_id from pairs where diff in (select value from json_each(?4))
         order by record_id limit ?5 offset ?6`,
      )
      .bind(storeHash, at, type, diffs, opts.pageSize, (opts.page - 1) * opts.pageSize),
    db
      .prepare(
        `${pairsSql(true)} select count(*) as n from pairs where diff in (select value from json_each(?4))`,
      )
      .bind(storeHash, at, type, diffs),
  ]);
  return {
    rows: page.results.map((r) => ({
      recordId: r.record_id,
      name: r.name,
      diff: r.diff,
      targetVersionId: r.target_id,
    })),
    total: Number(count.results[0]?.n ?? 0),
  };
}

/** Every record of the type a restore to `at` must touch (no paging: the restore's item list). */
export async function restoreTargets(
  db: D1Database,
  storeHash: string,
  type: string,
  at: number,
  deleteCreated: boolean,
): Promise<DiffRow[]> {
  const diffs: Diff[] = deleteCreated ? ["updated", "deleted", "added"] : ["updated", "deleted"];
  const { results } = await db
    .prepare(
      `${pairsSql(true)}
       select record_id, name, diff, target_id from pairs where diff in (select value from json_each(?4)) order by record_id`,
    )
    .bind(storeHash, at, type, JSON.stringify(diffs))
    .all<{ record_id: string; name: string; diff: Diff; target_id: number | null }>();
  return results.map((r) => ({
    recordId: r.record_id,
    name: r.name,
    diff: r.diff,
    targetVersionId: r.diff === "added" ? null : r.target_id,
  }));
}

/**
 * Where the latest versions of up to `limit` records a restore to `at` finds live (updated, and
 * added when they are to be deleted) are kept, picked evenly across them by record id: what the
 * dry run reads to learn how many of them need their conditional sub-resources read.
 */
export async function liveSample(
  db: D1Database,
  storeHash: string,
  type: string,
  at: number,
  deleteCreated: boolean,
  limit: number,
) {
  const diffs: Diff[] = deleteCreated ? ["updated", "added"] : ["updated"];
  const { results } = await db
    .prepare(
      `${pairsSql(true)}
       select v.id, v.store_hash as storeHash, v.record_id as recordId, v.change, v.pack_id as packId, v."offset", v.length,
         v.body_offset as bodyOffset, v.size
       from versions v where v.id in (
         select latest_id from (
           select latest_id, row_number() over (order by record_id) as rn, count(*) over () as n
           from pairs where diff in (select value from json_each(?4))
         ) where ((rn - 1) * ?5) / n < (rn * ?5) / n
       )`,
    )
    .bind(storeHash, at, type, JSON.stringify(diffs), limit)
    .all<LocatedVersion>();
  return results;
}

/** When the vault last captured anything for the store (the "latest version" date). */
export async function latestCaptureAt(db: D1Database, storeHash: string): Promise<number | null> {
  const row = await db
    .prepare("select max(captured_at) as at from versions where store_hash = ?")
    .bind(storeHash)
    .first<{ at: number | null }>();
  return row?.at ?? null;
}
