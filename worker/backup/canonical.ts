import { readPath } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";

/**
 * JSON with object keys sorted at every level: equal content gives equal bytes, whatever the API's
 * key order. The bytes are the vault's content hashes: any change here must give identical output
 * for every input (test/vault.canonical.test.ts keeps the first implementation as its reference).
 *
 * Records of one type repeat a few key lists (an order's 74 fields, its addresses, its line items):
 * each list ("shape") is sorted once, and the sorted copies JSON.stringify reads are objects kept
 * per shape from one call to the next, already holding every key in order: filling them in place
 * allocates nothing and keeps V8's fast object layout (bench/canonical.bench.test.ts: 1.7x faster
 * than a fresh template copy per object in workerd).
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  // A getter or toJSON that calls back in would refill the copies this call is still reading.
  if (busy) return JSON.stringify(sortKeysPlain(value));
  busy = true;
  try {
    return JSON.stringify(sortKeys(value));
  } finally {
    for (const shape of lent) shape.used = 0;
    lent.length = 0;
    busy = false;
  }
}

let busy = false;
/** Shapes whose kept copies this call has handed out. */
const lent: Shape[] = [];

function sortKeys(value: object): unknown {
  if (Array.isArray(value)) {
    // The copy JSON.stringify would print differently: the first implementation's map() made a
    // plain array, which has no toJSON of its own.
    if ((value as { toJSON?: unknown }).toJSON !== undefined) return sortKeysPlain(value);
    // An array of primitives (ids, channel lists) is printed as it is, without a copy.
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const sorted = sortKeys(v);
      if (sorted !== v) {
        if (out === value) out = value.slice();
        out[i] = sorted;
      }
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const shape = shapeOf(keys);
  // One read of every value instead of a keyed load each. A getter that deletes a later key makes
  // the two lists disagree: the plain way reads key by key, as the first implementation did.
  const values = Object.values(value);
  if (shape.plainOnly || values.length !== keys.length) return sortKeysPlain(value);
  let out: Record<string, unknown>;
  if (shape.used < shape.kept.length) out = shape.kept[shape.used];
  else {
    out = { ...shape.template };
    // A kept output holds on to the last values written in it until the next: only lists seen
    // before (a type's repeated ones, not lists keyed by data) keep any, and never many in all.
    if (shape.seen && shape.kept.length < KEPT_PER_SHAPE && keptCount < MAX_KEPT) {
      shape.kept.push(out);
      keptCount++;
    }
    shape.seen = true;
  }
  if (shape.used++ === 0) lent.push(shape);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // An undefined value is written too: JSON.stringify leaves its key out, as the first
    // implementation did by never adding it.
    out[keys[i]] = typeof v === "object" && v !== null ? sortKeys(v) : v;
  }
  return out;
}

/** The first implementation, for the inputs the fast path leaves alone. */
function sortKeysPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysPlain);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeysPlain(v);
  }
  return out;
}

const EMPTY = Object.freeze({});

type Shape = {
  keys: string[];
  /** An object with the shape's keys in output order (values null), copied for new outputs. */
  template: Record<string, unknown>;
  /** Outputs kept from one call to the next; the first `used` of them are in use in this call. */
  kept: Record<string, unknown>[];
  used: number;
  seen: boolean;
  /**
   * "__proto__" set on a plain object changes its prototype instead of adding a key: the first
   * implementation never wrote it out, and a kept output must never have its prototype changed.
   */
  plainOnly: boolean;
};
/** Shapes by their first key (a string whose hash V8 keeps), then compared key by key. */
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;
let keptCount = 0;
const MAX_SHAPES = 5000;
const SHAPES_PER_FIRST_KEY = 32;
/** A record with thousands of alike objects (an array of line items) keeps this many; the rest are fresh copies. */
const KEPT_PER_SHAPE = 64;
const MAX_KEPT = 2000;

function shapeOf(keys: string[]): Shape {
  const n = keys.length;
  let same = shapes.get(keys[0]);
  if (same) {
    next: for (let s = 0; s < same.length; s++) {
      const shape = same[s];
      const k = shape.keys;
      if (k.length !== n) continue;
      for (let i = n - 1; i > 0; i--) if (k[i] !== keys[i]) continue next;
      return shape;
    }
  } else {
    // Objects keyed by data (ids, names) make new lists without end: start over rather than grow.
    if (shapeCount >= MAX_SHAPES) {
      shapes.clear();
      shapeCount = 0;
      keptCount = 0;
    }
    same = [];
    shapes.set(keys[0], same);
  }
  const sorted = [...keys].sort().filter((k) => k !== "__proto__");
  // JSON.parse builds objects in V8's fast layout (and orders integer-like keys first, as assignment does).
  const template = JSON.parse(`{${sorted.map((k) => `${JSON.stringify(k)}:null`).join(",")}}`);
  const shape: Shape = { keys, template, kept: [], used: 0, seen: false, plainOnly: sorted.length !== n };
  if (same.length < SHAPES_PER_FIRST_KEY) {
    same.push(shape);
    shapeCount++;
  } else {
    // A busy first key ("id") with more lists than kept: the newest replaces one at random.
    const at = (Math.random() * same.length) | 0;
    keptCount -= same[at].kept.length;
    same[at] = shape;
  }
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
