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
  const { sorted, template } = shapeOf(Object.keys(value));
  // A copy of the shape's template already has the keys in order: filling it keeps V8's fast
  // object layout, where adding 80 keys one by one made a slow dictionary object (and a slow
  // JSON.stringify of it).
  const out: Record<string, unknown> = { ...template };
  for (let i = 0; i < sorted.length; i++) {
    const v = (value as Record<string, unknown>)[sorted[i]];
    // An undefined value drops its key: rare (records come from JSON), built key by key instead.
    if (v === undefined) return sortKeysOneByOne(value as Record<string, unknown>, sorted);
    out[sorted[i]] = sortKeys(v);
  }
  return out;
}

function sortKeysOneByOne(value: Record<string, unknown>, sorted: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of sorted) {
    const v = value[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/**
 * Records of one type repeat a few key lists (an order's 80 fields, its addresses, its line items):
 * each list is sorted once and gets a template object with its keys in that order. A list is found
 * by its length and end keys, then compared key by key.
 */
type Shape = { keys: string[]; sorted: string[]; template: Record<string, unknown> };
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES = 5000;
const SHAPES_PER_TAG = 8;

function shapeOf(keys: string[]): Shape {
  const n = keys.length;
  const tag = n === 0 ? "" : `${n}\u0000${keys[0]}\u0000${keys[n - 1]}`;
  let same = shapes.get(tag);
  if (same) {
    next: for (const shape of same) {
      for (let i = 1; i < n - 1; i++) if (shape.keys[i] !== keys[i]) continue next;
      return shape;
    }
  } else {
    // Objects keyed by data (ids, names) make new lists without end: start over rather than grow.
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    same = [];
    shapes.set(tag, same);
  }
  // "__proto__" set on a plain object changes its prototype instead of adding a key: the first
  // implementation never wrote it out, so neither does this one.
  const sorted = [...keys].sort().filter((k) => k !== "__proto__");
  // JSON.parse builds objects in V8's fast layout (and orders integer-like keys first, as assignment does).
  const template = JSON.parse(`{${sorted.map((k) => `${JSON.stringify(k)}:null`).join(",")}}`);
  const shape = { keys, sorted, template };
  if (same.length < SHAPES_PER_TAG) same.push(shape);
  return shape;
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
