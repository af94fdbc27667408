/**
 * Earlier ways of computing the canonical JSON (object keys sorted at every level), compared with
 * the shipped one by bench/canonical.bench.test.ts. Each gives the bytes of `reference` for every record.
 *
 * In workerd on 5,000 rs-10k orders (fastest of 9 rounds, 2026-11-22): JSON.stringify alone 40 ms,
 * the first implementation 308, a template copy per object found by a tag string (templateTag)
 * 145, the shipped worker/backup/canonical.ts 87. Tried and left out: the sorted key list as
 * JSON.stringify's property list (1,073 ms: a lookup of every listed key on every object), the
 * JSON written by hand with JSON.stringify per string (203), Object.assign into the copy instead
 * of a store per key (no gain), objects already in order printed as they are (no gain: an order
 * has 1 of its 12 objects in order), lookup by first key alone (145 -> 136 ms), Object.values
 * alone (-> 113–119 ms). The tried variants' code is in the history (d9c1357).
 */
import { reference } from "../test/support/canonical-reference";

/** The implementation at 746243e: a template copy per key list, found by a tag string. */
export function templateTag(value: unknown): string {
  return JSON.stringify(tagSort(value));
}
type TagShape = { keys: string[]; sorted: string[]; template: Record<string, unknown> };
const tagShapes = new Map<string, TagShape[]>();
function tagSort(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = tagSort(value[i]);
    return out;
  }
  const { sorted, template } = tagShapeOf(Object.keys(value));
  const out: Record<string, unknown> = { ...template };
  for (let i = 0; i < sorted.length; i++) {
    const v = (value as Record<string, unknown>)[sorted[i]];
    if (v === undefined) throw new Error("bench input has no undefined");
    out[sorted[i]] = tagSort(v);
  }
  return out;
}
function tagShapeOf(keys: string[]): TagShape {
  const n = keys.length;
  const tag = n === 0 ? "" : `${n}\u0000${keys[0]}\u0000${keys[n - 1]}`;
  let same = tagShapes.get(tag);
  if (same) {
    next: for (const shape of same) {
      for (let i = 1; i < n - 1; i++) if (shape.keys[i] !== keys[i]) continue next;
      return shape;
    }
  } else {
    same = [];
    tagShapes.set(tag, same);
  }
  const sorted = [...keys].sort().filter((k) => k !== "__proto__");
  const template = JSON.parse(`{${sorted.map((k) => `${JSON.stringify(k)}:null`).join(",")}}`);
  const shape = { keys, sorted, template };
  same.push(shape);
  return shape;
}

export const variants: Record<string, (value: unknown) => string> = {
  reference,
  templateTag,
  "stringify (no sort)": (v) => JSON.stringify(v),
};
