import { type ApiRecord, type BigCommerceClient, recordIdOf, type V3List } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";

/**
 * Records as they are now, with their children, by vault record id; null for an id BigCommerce no
 * longer has. Types whose list filters by many ids (`list.byIds`) are read a page of ids per call, and
 * every type's children are fetched once for all the records: a webhook batch of ten product edits
 * costs a listing and one call per child list instead of ten reads and ten rounds of children.
 */
export async function readRecords(
  client: BigCommerceClient,
  type: ContentType,
  ids: string[],
): Promise<Map<string, ApiRecord | null>> {
  const wanted = [...new Set(ids)];
  const found = new Map<string, ApiRecord | null>(wanted.map((id) => [id, null]));
  const { byIds, pageSize } = type.list;
  if (byIds && !type.parent) {
    for (let i = 0; i < wanted.length; i += pageSize) {
      const chunk = wanted.slice(i, i + pageSize);
      const { body } = await client.request<V3List>("GET", type.api, type.list.path, {
        query: { ...(type.list.query ?? {}), [byIds]: chunk.join(","), limit: pageSize },
      });
      for (const record of body?.data ?? []) {
        const id = recordIdOf(type, record);
        if (found.has(id)) found.set(id, record);
      }
    }
  } else {
    for (const id of wanted) found.set(id, await client.getRecord(type, id, { children: false }));
  }
  const records = [...found.values()].filter((r): r is ApiRecord => r !== null);
  if (records.length) await client.fetchChildren(type, records);
  return found;
}
