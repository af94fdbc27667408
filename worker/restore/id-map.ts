import type { ApiRecord } from "../bigcommerce/client";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { mapAt, valuesAt } from "./body-paths";

/**
 * Old→new ids of re-created records, per store and type (D1 `id_map`). BigCommerce assigns a new id
 * to a re-created record, so every later restore that names the old id is pointed at the new one.
 */

/** Ids that mean "none" in BigCommerce references (no brand, root category, automatic related products). */
const NO_REFERENCE = new Set(["0", "-1", ""]);

/** Where ids now live: each old id mapped to the newest id (following a record re-created more than once). */
export async function currentIds(
  db: D1Database,
  storeHash: string,
  type: string,
  ids: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let pending = [...new Set(ids.filter((id) => !NO_REFERENCE.has(id)))];
  const resolved = new Map<string, string>(pending.map((id) => [id, id]));
  for (let hop = 0; hop < 5 && pending.length > 0; hop++) {
    const { results } = await db
      .prepare(
        "select old_id, new_id from id_map where store_hash = ? and type = ? and old_id in (select value from json_each(?))",
      )
      .bind(storeHash, type, JSON.stringify(pending))
      .all<{ old_id: string; new_id: string }>();
    const step = new Map(results.map((r) => [r.old_id, r.new_id]));
    for (const [orig, cur] of resolved) {
      const next = step.get(cur);
      if (next) resolved.set(orig, next);
    }
    pending = results.map((r) => r.new_id);
  }
  for (const [orig, cur] of resolved) if (orig !== cur) out.set(orig, cur);
  return out;
}

export async function liveIdOf(
  db: D1Database,
  storeHash: string,
  type: string,
  recordId: string,
): Promise<string> {
  return (await currentIds(db, storeHash, type, [recordId])).get(recordId) ?? recordId;
}

export async function saveIdMapping(
  db: D1Database,
  storeHash: string,
  type: string,
  oldId: string,
  newId: string,
  now: number,
) {
  if (oldId === newId) return;
  await db
    .prepare(
      "insert into id_map (store_hash, type, old_id, new_id, created_at) values (?, ?, ?, ?, ?) on conflict (store_hash, type, old_id) do update set new_id = excluded.new_id, created_at = excluded.created_at",
    )
    .bind(storeHash, type, oldId, newId, now)
    .run();
}

/** The body with every reference (per the write spec) pointing at the referenced record's current id. */
export async function remapReferences(
  db: D1Database,
  storeHash: string,
  type: string,
  body: ApiRecord,
): Promise<ApiRecord> {
  let out = body;
  for (const ref of writeSpecOf(type).refs ?? []) {
    if (ref.when && !ref.when(body)) continue;
    const ids = valuesAt(out, ref.path).map(String);
    if (ids.length === 0) continue;
    const map = await currentIds(db, storeHash, ref.type, ids);
    if (map.size === 0) continue;
    out = mapAt(out, ref.path, (v) => {
      const next = map.get(String(v));
      if (next === undefined) return v;
      return typeof v === "number" && /^-?\d+$/.test(next) ? Number(next) : next;
    });
  }
  return out;
}
