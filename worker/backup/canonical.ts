import { readPath } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";

/**
 * JSON with object keys sorted at every level: equal content gives equal bytes, whatever the API's
 * key order. The bytes are the vault's content hashes: any change here must give identical output
 * for every input (test/vault.canonical.test.ts keeps the first implementation as its reference).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortKeys(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  const keys = sortedKeys(Object.keys(value));
  for (let i = 0; i < keys.length; i++) {
    const v = (value as Record<string, unknown>)[keys[i]];
    if (v !== undefined) out[keys[i]] = sortKeys(v);
  }
  return out;
}

/**
 * Records of one type repeat a few key lists (an order's 80 fields, its addresses, its line items),
 * so each list is sorted once and its order reused: sorting was a third of the canonical form's time.
 * A list is found by its length and end keys, then compared key by key.
 */
type Shape = { keys: string[]; sorted: string[] };
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES = 5000;
const SHAPES_PER_TAG = 8;

function sortedKeys(keys: string[]): string[] {
  const n = keys.length;
  if (n < 2) return keys;
  const tag = `${n}\u0000${keys[0]}\u0000${keys[n - 1]}`;
  let same = shapes.get(tag);
  if (same) {
    next: for (const shape of same) {
      for (let i = 1; i < n - 1; i++) if (shape.keys[i] !== keys[i]) continue next;
      return shape.sorted;
    }
  } else {
    // Objects keyed by data (ids, names) make new lists without end: start over rather than grow.
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    same = [];
    shapes.set(tag, same);
  }
  const sorted = [...keys].sort();
  if (same.length < SHAPES_PER_TAG) same.push({ keys, sorted });
  return sorted;
}

/** The name a merchant recognises: the first non-empty display field. */
export function displayNameOf(
  type: ContentType,
  record: Record<string, unknown>,
  fallbackId: string,
): string {
  for (const field of type.display.name) {
    const v = readPath(record, field);
    if (v !== undefined && v !== null && String(v).trim() !== "") return String(v).slice(0, 300);
  }
  return fallbackId;
}

/** Lower-cased search fields plus the id: what the item search matches. */
export function searchTextOf(type: ContentType, record: Record<string, unknown>, id: string): string {
  const parts = new Set<string>([id.toLowerCase()]);
  for (const field of type.display.search) {
    const v = readPath(record, field);
    if (v !== undefined && v !== null && typeof v !== "object") parts.add(String(v).toLowerCase());
  }
  return [...parts].join(" ").slice(0, 1000);
}
