/**
 * The vault's item lists: one type's records (paged, searched, sorted) and the search across every
 * type. Plain SQL on `records` so the plan stays on the (store_hash, type, ...) indexes; see
 * migrations/*_vault_item_indexes.sql.
 */

export type ItemSort = "changed_desc" | "changed_asc" | "name_asc" | "name_desc";
export type DeletedFilter = "include" | "exclude" | "only";

export type ItemRow = {
  id: string;
  name: string;
  deleted: boolean;
  deletedAt: number | null;
  lastChangedAt: number;
  versionCount: number;
  size: number;
};

type Raw = {
  record_id: string;
  display_name: string;
  deleted: number;
  deleted_at: number | null;
  last_changed_at: number;
  version_count: number;
  size: number;
};

const ORDER: Record<ItemSort, string> = {
  changed_desc: "last_changed_at desc, record_id desc",
  changed_asc: "last_changed_at asc, record_id asc",
  name_asc: "display_name asc, record_id asc",
  name_desc: "display_name desc, record_id desc",
};

/** `%term%` with LIKE's wildcards escaped: a search for "50%" finds "50%", not everything. */
export const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const toItem = (r: Raw): ItemRow => ({
  id: r.record_id,
  name: r.display_name,
  deleted: Boolean(r.deleted),
  deletedAt: r.deleted_at,
  lastChangedAt: r.last_changed_at,
  versionCount: r.version_count,
  size: r.size,
});

export async function listItems(
  db: D1Database,
  storeHash: string,
  type: string,
  opts: { q?: string; page: number; pageSize: number; sort: ItemSort; deleted: DeletedFilter },
): Promise<{ items: ItemRow[]; total: number }> {
  const where = ["store_hash = ?1", "type = ?2"];
  const binds: unknown[] = [storeHash, type];
  if (opts.deleted === "exclude") where.push("deleted = 0");
  if (opts.deleted === "only") where.push("deleted = 1");
  const q = opts.q?.trim();
  if (q) {
    binds.push(likePattern(q));
    // Matching rows are found by scanning the search index alone, then only they are read and sorted.
    where.push(
      `rowid in (select rowid from records indexed by records_store_type_search where store_hash = ?1 and type = ?2 and search_text like ?${binds.length} escape '\\')`,
    );
  }
  const filter = where.join(" and ");
  const pageQuery = db
    .prepare(
      `select record_id, display_name, deleted, deleted_at, last_changed_at, version_count, size from records
       where ${filter} order by ${ORDER[opts.sort]} limit ${opts.pageSize} offset ${(opts.page - 1) * opts.pageSize}`,
    )
    .bind(...binds);
  const countQuery = db.prepare(`select count(*) as n from records where ${filter}`).bind(...binds);
  if (q) {
    // A text search scans the type's rows; a first page that is not full already holds every match.
    const { results } = await pageQuery.all<Raw>();
    if (opts.page === 1 && results.length < opts.pageSize)
      return { items: results.map(toItem), total: results.length };
    const count = await countQuery.first<{ n: number }>();
    return { items: results.map(toItem), total: count?.n ?? 0 };
  }
  const [rows, count] = await db.batch<Raw | { n: number }>([pageQuery, countQuery]);
  return { items: (rows.results as Raw[]).map(toItem), total: (count.results[0] as { n: number })?.n ?? 0 };
}

export type SearchHit = ItemRow & { type: string; matchedOldVersion: boolean };

/**
 * Records of any type whose name, SKU, email, code or id matches (the records' search text), plus
 * records whose earlier versions carried a matching name (renamed or deleted since).
 */
export async function searchAll(
  db: D1Database,
  storeHash: string,
  q: string,
  limit: number,
): Promise<SearchHit[]> {
  const pattern = likePattern(q.trim());
  const [current, older] = await db.batch<Raw & { type: string }>([
    db
      .prepare(
        `select type, record_id, display_name, deleted, deleted_at, last_changed_at, version_count, size from records
         where store_hash = ?1 and search_text like ?2 escape '\\' order by last_changed_at desc limit ?3`,
      )
      .bind(storeHash, pattern, limit),
    db
      .prepare(
        `select r.type, r.record_id, r.display_name, r.deleted, r.deleted_at, r.last_changed_at, r.version_count, r.size
         from (select distinct type, record_id from versions where store_hash = ?1 and lower(display_name) like ?2 escape '\\' limit ?3) v
         join records r on r.store_hash = ?1 and r.type = v.type and r.record_id = v.record_id`,
      )
      .bind(storeHash, pattern, limit),
  ]);
  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  for (const [rows, old] of [
    [current.results, false],
    [older.results, true],
  ] as const) {
    for (const r of rows) {
      const key = `${r.type}\u0000${r.record_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push({ ...toItem(r), type: r.type, matchedOldVersion: old });
    }
  }
  return hits.slice(0, limit);
}
