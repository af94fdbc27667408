import { contentTypes, getType } from "../bigcommerce/registry";
import type { Version } from "../db/schema";
import { inflateRange } from "./body-deflate";
import { packKey } from "./vault-writer";

/** What reading a body needs from a version row (D1 columns or the drizzle `Version`). */
export type VersionLocation = Pick<
  Version,
  "storeHash" | "packId" | "offset" | "length" | "bodyOffset" | "size" | "change"
>;
/** A version row as the readers select it to fetch bodies in bulk (`readBodies`). */
export type LocatedVersion = VersionLocation & Pick<Version, "id" | "recordId">;

/**
 * A version's body, read back with one R2 range request and inflated. Null for a deletion.
 * Throws when the pack is missing (a vault inconsistency worth surfacing, never silently empty).
 */
export async function readVersionBody<T = Record<string, unknown>>(
  env: Env,
  version: VersionLocation,
): Promise<T | null> {
  if (version.change === "deleted" || !version.packId || version.offset === null || version.length === null)
    return null;
  const obj = await env.VAULT.get(packKey(version.storeHash, version.packId), {
    range: { offset: version.offset, length: version.length },
  });
  if (!obj) throw new Error(`Pack ${version.packId} is missing from the vault`);
  // workerd's native zlib (nodejs_compat) inflates raw DEFLATE several times faster than fflate. The
  // range ends with this body; the frame's earlier bodies come before it (body-deflate.ts).
  const inflated = inflateRange(new Uint8Array(await obj.arrayBuffer()));
  return JSON.parse(new TextDecoder().decode(inflated.subarray(version.bodyOffset))) as T;
}

type VersionRow = {
  id: number;
  store_hash: string;
  type: string;
  record_id: string;
  backup_id: string | null;
  source: string;
  change: "created" | "updated" | "deleted";
  captured_at: number;
  display_name: string;
  hash: string | null;
  size: number;
  pack_id: string | null;
  offset: number | null;
  length: number | null;
  body_offset: number;
};

export type StateVersion = VersionLocation & {
  id: number;
  type: string;
  recordId: string;
  backupId: string | null;
  capturedAt: number;
  displayName: string;
  hash: string | null;
  size: number;
};

const toStateVersion = (r: VersionRow): StateVersion => ({
  id: r.id,
  storeHash: r.store_hash,
  type: r.type,
  recordId: r.record_id,
  backupId: r.backup_id,
  change: r.change,
  capturedAt: r.captured_at,
  displayName: r.display_name,
  hash: r.hash,
  size: r.size,
  packId: r.pack_id,
  offset: r.offset,
  length: r.length,
  bodyOffset: r.body_offset,
});

/**
 * The state of one type at time `at`: for each record, its latest version captured at or before
 * `at`. Records whose latest version is a deletion are left out unless `includeDeleted`. Ordered
 * by record id, paged (`page` from 1). Bulk recovery, point-in-time restore and exports read this.
 */
export async function stateAt(
  db: D1Database,
  storeHash: string,
  type: string,
  at: number,
  opts: { page?: number; pageSize?: number; includeDeleted?: boolean; recordIds?: string[] } = {},
): Promise<{ versions: StateVersion[]; hasMore: boolean }> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 500, 1), 5000);
  const page = Math.max(opts.page ?? 1, 1);
  const filterIds = opts.recordIds ? "and record_id in (select value from json_each(?4))" : "";
  const { results } = await db
    .prepare(
      `select * from (
         select v.*, row_number() over (partition by record_id order by captured_at desc, id desc) as rn
         from versions v where store_hash = ?1 and type = ?2 and captured_at <= ?3 ${filterIds}
       ) where rn = 1 ${opts.includeDeleted ? "" : "and change != 'deleted'"}
       order by record_id limit ${pageSize + 1} offset ${(page - 1) * pageSize}`,
    )
    .bind(storeHash, type, at, ...(opts.recordIds ? [JSON.stringify(opts.recordIds)] : []))
    .all<VersionRow>();
  return { versions: results.slice(0, pageSize).map(toStateVersion), hasMore: results.length > pageSize };
}

/** Every version of one record, newest first. */
export async function recordVersions(
  db: D1Database,
  storeHash: string,
  type: string,
  recordId: string,
): Promise<StateVersion[]> {
  const { results } = await db
    .prepare(
      "select * from versions where store_hash = ? and type = ? and record_id = ? order by captured_at desc, id desc",
    )
    .bind(storeHash, type, recordId)
    .all<VersionRow>();
  return results.map(toStateVersion);
}

export type TypeStorage = {
  group: "store" | "content";
  type: string;
  label: string;
  items: number;
  bytes: number;
  restoreMode: "automatic" | "team_assisted";
};

/**
 * Item Storage: per type, the records currently held (not deleted) and the compressed bytes its
 * versions occupy in packs (a body shared by several versions counts once).
 */
export async function itemStorage(db: D1Database, storeHash: string): Promise<TypeStorage[]> {
  const [items, bytes] = await db.batch<{ type: string; n: number }>([
    db
      .prepare("select type, count(*) as n from records where store_hash = ? and deleted = 0 group by type")
      .bind(storeHash),
    db
      .prepare(
        // A frame's ranges share their start and overlap: each frame counts once, through its farthest body.
        `select type, sum(length) as n from (
           select type, pack_id, "offset", max(length) as length from versions
           where store_hash = ? and pack_id is not null group by type, pack_id, "offset"
         ) group by type`,
      )
      .bind(storeHash),
  ]);
  const count = new Map(items.results.map((r) => [r.type, r.n]));
  const size = new Map(bytes.results.map((r) => [r.type, r.n]));
  return contentTypes.map((t) => ({
    group: t.group,
    type: t.key,
    label: t.label,
    items: count.get(t.key) ?? 0,
    bytes: size.get(t.key) ?? 0,
    restoreMode: getType(t.key).restore.mode,
  }));
}
