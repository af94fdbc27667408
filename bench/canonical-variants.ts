/**
 * Ways of computing the canonical JSON (object keys sorted at every level) compared by
 * bench/canonical.bench.test.ts. Each must give the bytes of `reference` for every record.
 *
 * In workerd on 5,000 rs-10k orders (fastest of 9 rounds, 2026-11-22): JSON.stringify alone 40 ms,
 * the first implementation 308, a template copy per object found by a tag string (templateTag)
 * 145, the shipped worker/backup/canonical.ts 87. Tried and left out: the sorted key list as
 * JSON.stringify's property list (1,073 ms: a lookup of every listed key on every object), the
 * JSON written by hand with JSON.stringify per string (203), Object.assign into the copy instead
 * of a store per key (no gain), objects already in order printed as they are (no gain: an order
 * has 1 of its 12 objects in order).
 */

export function reference(value: unknown): string {
  return JSON.stringify(sortKeysOnce(value));
}
function sortKeysOnce(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysOnce);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysOnce(v);
    }
    return out;
  }
  return value;
}

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

/**
 * Shapes found by their first key (an internalized string: its hash is cached), then length and
 * keys; objects already in order whose children need no change are returned as they are.
 */
type Shape = {
  keys: string[];
  sorted: string[];
  template: Record<string, unknown>;
  /** The input's own key order is already the output's: the object itself serializes the same. */
  inOrder: boolean;
  /** For each output position, the input position of its key. */
  from: number[];
};
const byFirst = new Map<string, Shape[]>();
const EMPTY = Object.freeze({});

function shapeOf(keys: string[]): Shape {
  const n = keys.length;
  let same = byFirst.get(keys[0]);
  if (same) {
    next: for (let s = 0; s < same.length; s++) {
      const shape = same[s];
      const k = shape.keys;
      if (k.length !== n) continue;
      for (let i = n - 1; i > 0; i--) if (k[i] !== keys[i]) continue next;
      return shape;
    }
  } else {
    same = [];
    byFirst.set(keys[0], same);
  }
  const sorted = [...keys].sort().filter((k) => k !== "__proto__");
  const template = JSON.parse(`{${sorted.map((k) => `${JSON.stringify(k)}:null`).join(",")}}`);
  const order = Object.keys(template);
  const inOrder = order.length === n && order.every((k, i) => k === keys[i]) && !keys.includes("toJSON");
  const at = new Map(keys.map((k, i) => [k, i]));
  const from = order.map((k) => at.get(k) as number);
  const shape = { keys, sorted: order, template, inOrder, from };
  same.push(shape);
  return shape;
}

export function firstKey(value: unknown): string {
  return JSON.stringify(firstSort(value));
}
function firstSort(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = firstSort(value[i]);
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const { sorted, template } = shapeOf(keys);
  const out: Record<string, unknown> = { ...template };
  for (let i = 0; i < sorted.length; i++) {
    const v = (value as Record<string, unknown>)[sorted[i]];
    out[sorted[i]] = firstSort(v);
  }
  return out;
}

/** firstKey, plus: arrays and in-order objects whose children are unchanged are kept as they are. */
export function keepSame(value: unknown): string {
  return JSON.stringify(keepSort(value));
}
function keepSort(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const s = keepSort(v);
      if (s !== v) {
        if (out === value) out = value.slice();
        out[i] = s;
      }
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const shape = shapeOf(keys);
  const { sorted } = shape;
  const rec = value as Record<string, unknown>;
  if (shape.inOrder && Object.getPrototypeOf(value) === Object.prototype) {
    for (let i = 0; i < sorted.length; i++) {
      const v = rec[sorted[i]];
      if (typeof v !== "object" || v === null) continue;
      const s = keepSort(v);
      if (s !== v) {
        const out: Record<string, unknown> = { ...shape.template };
        for (let j = 0; j < i; j++) out[sorted[j]] = rec[sorted[j]];
        out[sorted[i]] = s;
        for (let j = i + 1; j < sorted.length; j++) out[sorted[j]] = keepSort(rec[sorted[j]]);
        return out;
      }
    }
    return value;
  }
  const out: Record<string, unknown> = { ...shape.template };
  for (let i = 0; i < sorted.length; i++) out[sorted[i]] = keepSort(rec[sorted[i]]);
  return out;
}

/** keepSame, reading the values in one Object.values call instead of a keyed load each. */
export function valuesOnce(value: unknown): string {
  return JSON.stringify(valuesSort(value));
}
function valuesSort(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const s = valuesSort(v);
      if (s !== v) {
        if (out === value) out = value.slice();
        out[i] = s;
      }
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const shape = shapeOf(keys);
  const { sorted, from } = shape;
  const vals = Object.values(value);
  const out: Record<string, unknown> = { ...shape.template };
  for (let i = 0; i < sorted.length; i++) out[sorted[i]] = valuesSort(vals[from[i]]);
  return out;
}

/** valuesOnce with the primitive test inlined (no call per primitive value). */
export function valuesInline(value: unknown): string {
  return JSON.stringify(typeof value === "object" && value !== null ? inlSort(value) : value);
}
function inlSort(value: object): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const s = inlSort(v);
      if (s !== v) {
        if (out === value) out = value.slice();
        out[i] = s;
      }
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const shape = shapeOf(keys);
  const { sorted, from } = shape;
  const vals = Object.values(value);
  const out: Record<string, unknown> = { ...shape.template };
  for (let i = 0; i < sorted.length; i++) {
    const v = vals[from[i]];
    out[sorted[i]] = typeof v === "object" && v !== null ? inlSort(v) : v;
  }
  return out;
}

/**
 * Object.assign into a per-shape output object kept from one call to the next: the output already
 * has every key in order, so assign overwrites values in place; then object children are replaced
 * by their sorted forms. In-order objects with unchanged children are kept as they are.
 */
type Pool = { objects: Record<string, unknown>[]; used: number };
const assignPools = new Map<Shape, Pool>();
const assignUsed: Pool[] = [];
export function assignPooled(value: unknown): string {
  try {
    return JSON.stringify(typeof value === "object" && value !== null ? assignSort(value, true) : value);
  } finally {
    for (const p of assignUsed) p.used = 0;
    assignUsed.length = 0;
  }
}
export function assignFresh(value: unknown): string {
  return JSON.stringify(typeof value === "object" && value !== null ? assignSort(value, false) : value);
}
function assignSort(value: object, pooled: boolean): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const s = assignSort(v, pooled);
      if (s !== v) {
        if (out === value) out = value.slice();
        out[i] = s;
      }
    }
    return out;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const shape = shapeOf(keys);
  const vals = Object.values(value);
  if (shape.inOrder) {
    let i = 0;
    for (; i < vals.length; i++) {
      const v = vals[i];
      if (typeof v === "object" && v !== null && assignSort(v, pooled) !== v) break;
    }
    if (i === vals.length) return value;
  }
  let out: Record<string, unknown>;
  if (pooled) {
    let pool = assignPools.get(shape);
    if (!pool) {
      pool = { objects: [], used: 0 };
      assignPools.set(shape, pool);
    }
    if (pool.used === 0) assignUsed.push(pool);
    out = pool.objects[pool.used];
    if (!out) {
      out = { ...shape.template };
      pool.objects.push(out);
    }
    pool.used++;
  } else out = { ...shape.template };
  Object.assign(out, value);
  const { keys: inKeys } = shape;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (typeof v === "object" && v !== null) out[inKeys[i]] = assignSort(v, pooled);
  }
  return out;
}

/**
 * The shipped way (kept outputs per shape) with arrays and objects in separate functions, a call
 * counter instead of a list of lent shapes, and optionally in-order objects with primitive values
 * printed as they are.
 */
type KeptShape = Shape & { kept: Record<string, unknown>[]; used: number; call: number };
const keptShapes = new Map<Shape, KeptShape>();
let call = 0;
export function splitKept(value: unknown): string {
  call++;
  return JSON.stringify(typeof value === "object" && value !== null ? splitSort(value, false) : value);
}
export function splitKeptInOrder(value: unknown): string {
  call++;
  return JSON.stringify(typeof value === "object" && value !== null ? splitSort(value, true) : value);
}
function splitSort(value: object, inOrder: boolean): unknown {
  return Array.isArray(value) ? splitArray(value, inOrder) : splitObject(value, inOrder);
}
function splitArray(value: unknown[], inOrder: boolean): unknown {
  let out: unknown[] = value;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== "object" || v === null) continue;
    const s = Array.isArray(v) ? splitArray(v, inOrder) : splitObject(v, inOrder);
    if (s !== v) {
      if (out === value) out = value.slice();
      out[i] = s;
    }
  }
  return out;
}
function splitObject(value: object, inOrder: boolean): unknown {
  const keys = Object.keys(value);
  if (keys.length === 0) return EMPTY;
  const base = shapeOf(keys);
  let shape = keptShapes.get(base);
  if (!shape) {
    shape = { ...base, kept: [], used: 0, call: 0 };
    keptShapes.set(base, shape);
  }
  const values = Object.values(value);
  if (inOrder && shape.inOrder && Object.getPrototypeOf(value) === Object.prototype) {
    let i = 0;
    while (i < values.length && (typeof values[i] !== "object" || values[i] === null)) i++;
    if (i === values.length) return value;
  }
  if (shape.call !== call) {
    shape.call = call;
    shape.used = 0;
  }
  let out = shape.kept[shape.used];
  if (!out) {
    out = { ...shape.template };
    shape.kept.push(out);
  }
  shape.used++;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[keys[i]] =
      typeof v !== "object" || v === null
        ? v
        : Array.isArray(v)
          ? splitArray(v, inOrder)
          : splitObject(v, inOrder);
  }
  return out;
}

export const variants: Record<string, (value: unknown) => string> = {
  reference,
  templateTag,
  firstKey,
  keepSame,
  valuesOnce,
  valuesInline,
  assignPooled,
  assignFresh,
  splitKept,
  splitKeptInOrder,
  "stringify (no sort)": (v) => JSON.stringify(v),
};

/** Where the time goes: the walk alone, then adding one step at a time (not canonical output). */
function walkParts(value: unknown, level: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walkParts(value[i], level);
    return value;
  }
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(value);
  if (level === 0) {
    for (let i = 0; i < keys.length; i++) walkParts(rec[keys[i]], level);
    return value;
  }
  const shape = shapeOf(keys);
  if (level === 1) {
    for (let i = 0; i < keys.length; i++) walkParts(rec[keys[i]], level);
    return value;
  }
  const vals = Object.values(value);
  if (level === 2) {
    for (let i = 0; i < vals.length; i++) walkParts(vals[i], level);
    return value;
  }
  const out: Record<string, unknown> = { ...shape.template };
  if (level === 3) {
    for (let i = 0; i < vals.length; i++) walkParts(vals[i], level);
    return out;
  }
  const { sorted, from } = shape;
  for (let i = 0; i < sorted.length; i++) out[sorted[i]] = walkParts(vals[from[i]], level);
  return out;
}
export const parts: Record<string, (value: unknown) => unknown> = {
  "part: Object.keys walk": (v) => walkParts(v, 0),
  "part: + shape lookup": (v) => walkParts(v, 1),
  "part: + Object.values": (v) => walkParts(v, 2),
  "part: + template copy": (v) => walkParts(v, 3),
  "part: + keyed stores": (v) => walkParts(v, 4),
};
