import { utf8 } from "./http.ts";
import type { Rec } from "./table.ts";

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
