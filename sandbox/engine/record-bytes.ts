import { utf8 } from "./http.ts";
import type { Store } from "./store.ts";
import { type Key, modifiedAt, type Rec } from "./table.ts";

/**
 * UTF-8 JSON of stored records, kept beside them so a list page is mostly a copy of ready bytes (the
 * 250-products-with-includes page would otherwise spend most of its time in JSON.stringify and UTF-8
 * encoding). An entry is reused only while the record's own field values are the same objects, so an
 * edit in place (`rec.inventory_level = n`, `p.categories = [...]`) or a replacement invalidates it;
 * only nested edits in place (`rec.custom_url.url = x`) would go unseen, and the sandbox makes none.
 */
interface Entry {
  /** Which serialization produced the bytes (resources sharing a table may shape records differently). */
  shape: object;
  values: unknown[];
  bytes: Uint8Array;
}

const cache = new WeakMap<Rec, Entry>();

/** Whether the record still holds exactly `values`, field by field (no allocation: the hot path). */
function unchanged(rec: Rec, values: unknown[]): boolean {
  let i = 0;
  for (const k in rec) if (rec[k] !== values[i++]) return false;
  return i === values.length;
}

/** The record's JSON bytes as `make` writes them, from the cache while the record is unchanged. */
export function cachedJson(rec: Rec, shape: object, make: () => string): Uint8Array {
  const hit = cache.get(rec);
  if (hit && hit.shape === shape && unchanged(rec, hit.values)) return hit.bytes;
  const bytes = utf8(make());
  cache.set(rec, { shape, values: Object.values(rec), bytes });
  return bytes;
}

const ascii = new Map<string, Uint8Array>();
/** Bytes of a short fixed piece of JSON syntax (`,`, `[`, `,"variants":`), encoded once. */
export function piece(s: string): Uint8Array {
  let b = ascii.get(s);
  if (!b) {
    b = utf8(s);
    ascii.set(s, b);
  }
  return b;
}

/**
 * Whole renderings (includes and computed fields) of records that embed rows of other tables: v2
 * orders with their consignments, line items and fees, customers with their addresses, attributes and
 * form fields. A backup reads every page of them, and each full backup reads them again: without this,
 * the 250-order page costs ≈ 40 ms of CPU in serialize and JSON.stringify.
 *
 * An entry is served only for the same record object (an update replaces it), the same modification
 * time (edits in place, such as a child touching its parent, move it, as BigCommerce moves
 * date_modified on every change) and the same rendering variant (the query parameters that shape the
 * record). A write to the record's table or to a child table drops the entry at once (`Table.watchers`).
 */
export interface RenderSpec {
  /** Query parameters that change a record's rendering (e.g. `include`, `consignment_structure`). */
  params: string[];
  /**
   * Rows rendered inside a record: `owner` gives the key of the record a row belongs to; `key` is the
   * child table's key field when it is not `id` (the table may not exist yet).
   */
  children: { collection: string; key?: string; owner: (row: Rec, store: Store) => Key | undefined }[];
}

interface Rendered {
  rec: Rec;
  modified: number;
  variant: string;
  bytes: Uint8Array;
}

/**
 * Bytes of renderings kept per store. Not every order fits: 50,000 rs-10k orders render to 371 MB, and
 * the sandbox must stay under 1 GB. Renderings past the budget are served but not kept (no eviction:
 * a backup reads pages in the same order every time, so the first records stay cached and hit).
 */
export const RENDER_BUDGET_BYTES = 160e6;

interface StoreRenders {
  bytes: number;
  byResource: Map<string, Map<Key, Rendered>>;
}

const renders = new WeakMap<Store, StoreRenders>();

function cacheOf(store: Store, resource: string, table: string, spec: RenderSpec): Map<Key, Rendered> {
  let perStore = renders.get(store);
  if (!perStore) {
    perStore = { bytes: 0, byResource: new Map() };
    renders.set(store, perStore);
  }
  let entries = perStore.byResource.get(resource);
  if (entries) return entries;
  const own = new Map<Key, Rendered>();
  const account = perStore;
  const drop = (key: Key | undefined) => {
    if (key === undefined) return;
    const e = own.get(key);
    if (!e) return;
    account.bytes -= e.bytes.byteLength;
    own.delete(key);
  };
  const root = store.table(table);
  root.watchers.push((before, after) => {
    if (before) drop(before[root.keyField]);
    if (after) drop(after[root.keyField]);
  });
  for (const child of spec.children) {
    store.table(child.collection, child.key).watchers.push((before, after) => {
      if (before) drop(child.owner(before, store));
      if (after) drop(child.owner(after, store));
    });
  }
  entries = own;
  perStore.byResource.set(resource, entries);
  return entries;
}

/** The rendering variant a request asks for (its values of the spec's query parameters). */
export function renderVariant(spec: RenderSpec, query: URLSearchParams): string {
  let v = "";
  for (const p of spec.params) v += `${query.get(p) ?? "\u0001"}\u0000`;
  return v;
}

/** A record's whole rendering, from the cache while the record and its children are unchanged. */
export function renderedJson(
  store: Store,
  resource: string,
  table: string,
  spec: RenderSpec,
  rec: Rec,
  variant: string,
  make: () => string,
): Uint8Array {
  const entries = cacheOf(store, resource, table, spec);
  const key = rec[store.table(table).keyField] as Key;
  const modified = modifiedAt(rec);
  const hit = entries.get(key);
  if (hit && hit.rec === rec && hit.modified === modified && hit.variant === variant) return hit.bytes;
  const bytes = utf8(make());
  const account = renders.get(store) as StoreRenders;
  if (hit) {
    account.bytes -= hit.bytes.byteLength;
    entries.delete(key);
  }
  if (account.bytes + bytes.byteLength <= RENDER_BUDGET_BYTES) {
    entries.set(key, { rec, modified, variant, bytes });
    account.bytes += bytes.byteLength;
  }
  return bytes;
}
