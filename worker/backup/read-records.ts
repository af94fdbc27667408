import {
  type ApiRecord,
  type BigCommerceClient,
  type ListCursor,
  recordIdOf,
  type V3List,
} from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";

/** Below this many ids, single reads cost no more calls than a listing by modification date. */
const LIST_BY_DATE_FROM = 3;
/** A bound on one batch's date listing, whatever a busy store changed meanwhile. */
const MAX_DATE_PAGES = 20;

/**
 * Records as they are now, with their children, by vault record id; null for an id BigCommerce no
 * longer has. Types whose list filters by many ids (`list.byIds`) are read a page of ids per call, and
 * every type's children are fetched once for all the records: a webhook batch of ten product edits
 * costs a listing and one call per child list instead of ten reads and ten rounds of children.
 *
 * `changedSince`: none of the records changed before this time (a webhook batch's earliest event).
 * A type without an ids filter but with a modification-date filter (v2 orders) is then listed from
 * that time, at most a page per two ids (and 20 pages); ids the listing did not return (a busy
 * store's other changes filled the pages, or the record is gone) are read one by one.
 */
export async function readRecords(
  client: BigCommerceClient,
  type: ContentType,
  ids: string[],
  opts: { changedSince?: number } = {},
): Promise<Map<string, ApiRecord | null>> {
  const wanted = [...new Set(ids)];
  const found = new Map<string, ApiRecord | null>(wanted.map((id) => [id, null]));
  const { byIds, pageSize } = type.list;
  const byDate =
    !byIds &&
    !type.parent &&
    type.incremental &&
    opts.changedSince !== undefined &&
    wanted.length >= LIST_BY_DATE_FROM;
  if (byDate) {
    const missing = new Set(wanted);
    // Each page is one call: worth it while it could still spare two single reads. The batch's ids
    // are spread over everything the store changed since, so pages are as large as the API allows.
    const maxPages = Math.min(MAX_DATE_PAGES, Math.ceil(wanted.length / 2));
    let cursor: ListCursor | null = null;
    for (let pages = 0; pages < maxPages && missing.size > 0; pages++) {
      const page = await client.listPage(type, { cursor, modifiedSince: opts.changedSince });
      for (const record of page.records) {
        const id = recordIdOf(type, record);
        if (missing.delete(id)) found.set(id, record);
      }
      cursor = page.next;
      if (!cursor) break;
    }
    for (const id of missing) found.set(id, await client.getRecord(type, id, { children: false }));
  } else if (byIds && !type.parent) {
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
