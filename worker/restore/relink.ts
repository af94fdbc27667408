import { stateAt } from "../backup/vault-read";
import type { ApiRecord, BigCommerceClient } from "../bigcommerce/client";
import { type ContentType, getType } from "../bigcommerce/registry";
import { inboundRefs } from "../bigcommerce/write-spec";
import { mapAt, valuesAt } from "./body-paths";
import { currentIds } from "./id-map";
import { readBodies } from "./vault-bodies";
import { writeFields } from "./write-record";

export type RelinkResult = { type: string; label: string; records: number };

/**
 * After a deleted record is re-created under a new id, the records that pointed at it (as the vault
 * saw them at `at`) point at the new id again: a category's products get the category back, a
 * redirect follows its product. Only the referencing field is written.
 */
export async function relinkReferences(
  env: Env,
  client: BigCommerceClient,
  storeHash: string,
  type: ContentType,
  oldId: string,
  newId: string,
  at: number,
): Promise<RelinkResult[]> {
  const results: RelinkResult[] = [];
  for (const { from, ref } of inboundRefs(type.key)) {
    const fromType = getType(from);
    if (fromType.restore.mode !== "automatic") continue;
    const referencing = await recordsReferencing(env, storeHash, fromType, ref.path, ref.when, oldId, at);
    if (referencing.length === 0) continue;
    const liveIds = await currentIds(env.DB, storeHash, from, referencing);
    const ids = referencing.map((id) => liveIds.get(id) ?? id);
    const field = ref.path.split(".")[0].replace(/\[\]$/, "");
    const live = await liveFields(client, fromType, ids, field);
    let written = 0;
    for (const [id, record] of live) {
      const next = relinked(record, ref.path, field, oldId, newId);
      if (next === undefined) continue;
      await writeFields(client, fromType, id, { [field]: next });
      written++;
    }
    if (written > 0) results.push({ type: from, label: fromType.label, records: written });
  }
  return results;
}

/** The field's new value, or undefined when the live record already points at the new id (or no longer at the old one). */
function relinked(record: ApiRecord, path: string, field: string, oldId: string, newId: string): unknown {
  const typed = /^\d+$/.test(newId) ? Number(newId) : newId;
  if (path === `${field}[]`) {
    const list = Array.isArray(record[field]) ? (record[field] as unknown[]) : [];
    if (list.some((v) => String(v) === newId)) return undefined;
    return [...list.filter((v) => String(v) !== oldId), typed];
  }
  if (!valuesAt(record, path).some((v) => String(v) === oldId)) return undefined;
  return mapAt(record, path, (v) => (String(v) === oldId ? typed : v))[field];
}

async function recordsReferencing(
  env: Env,
  storeHash: string,
  type: ContentType,
  path: string,
  when: ((r: ApiRecord) => boolean) | undefined,
  id: string,
  at: number,
): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1; ; page++) {
    const { versions, hasMore } = await stateAt(env.DB, storeHash, type.key, at, { page, pageSize: 2000 });
    const bodies = await readBodies(env, versions);
    for (const v of versions) {
      const body = bodies.get(v.id);
      if (!body || (when && !when(body))) continue;
      if (valuesAt(body, path).some((x) => String(x) === id)) out.push(v.recordId);
    }
    if (!hasMore) break;
  }
  return out;
}

/** The live value of one field for each record (one list call per 250 where the API filters by id). */
async function liveFields(
  client: BigCommerceClient,
  type: ContentType,
  ids: string[],
  field: string,
): Promise<Map<string, ApiRecord>> {
  const out = new Map<string, ApiRecord>();
  const idField = typeof type.idField === "string" ? type.idField : null;
  if (type.api === "v3" && idField === "id" && type.list.paging === "v3_page" && !type.parent) {
    for (let i = 0; i < ids.length; i += 250) {
      const chunk = ids.slice(i, i + 250);
      const { body } = await client.request<{ data?: ApiRecord[] }>("GET", "v3", type.list.path, {
        query: { "id:in": chunk.join(","), include_fields: field, limit: 250 },
      });
      for (const r of body?.data ?? []) out.set(String(r.id), r);
    }
    return out;
  }
  for (const id of ids) {
    const record = await client.getRecord(type, id);
    if (record) out.set(id, record);
  }
  return out;
}
