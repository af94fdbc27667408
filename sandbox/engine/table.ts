export type Key = number | string;

/**
 * Creation/modification times (ms) of records kept in response shape ("lean" resources), which carry
 * no `_created`/`_modified` fields so they can go to JSON.stringify as they are.
 */
export const times = new WeakMap<object, { c: number; m: number }>();

/** Creation time (ms) of a record: its `_created` field, or the side table of lean records. */
export const createdAt = (rec: Rec): number => rec._created ?? times.get(rec)?.c ?? 0;
/** Last modification time (ms) of a record. */
export const modifiedAt = (rec: Rec): number => rec._modified ?? times.get(rec)?.m ?? 0;

/** Sets a record's modification time wherever it keeps it. */
export function setModified(rec: Rec, ms: number): void {
  if ("_modified" in rec) rec._modified = ms;
  else {
    const t = times.get(rec);
    if (t) t.m = ms;
    else times.set(rec, { c: ms, m: ms });
  }
}
// biome-ignore lint/suspicious/noExplicitAny: records are free-form JSON objects shaped by each resource.
export type Rec = Record<string, any>;

/**
 * One collection of records, kept in insertion (= id) order, with optional secondary indexes
 * (e.g. product_id for product children) so includes and nested lists never scan the whole table.
 */
export class Table {
  readonly rows = new Map<Key, Rec>();
  private readonly indexes = new Map<string, Map<unknown, Set<Key>>>();
  private ordered: Rec[] | null = null;
  /**
   * Called after every insert, replace and delete with the row before and after (renderings cached
   * elsewhere, e.g. an order's with its line items, are dropped from here when a child row changes).
   */
  readonly watchers: ((before: Rec | undefined, after: Rec | undefined) => void)[] = [];
  /** Moves on every insert, replace and delete (not on edits in place). */
  version = 0;
  constructor(readonly keyField: string) {}

  get size(): number {
    return this.rows.size;
  }

  get(key: Key): Rec | undefined {
    return this.rows.get(key);
  }

  /** All rows in insertion order (cached until the next insert/delete). */
  all(): Rec[] {
    if (!this.ordered) this.ordered = Array.from(this.rows.values());
    return this.ordered;
  }

  ensureIndex(field: string): void {
    if (this.indexes.has(field)) return;
    const idx = new Map<unknown, Set<Key>>();
    for (const [k, r] of this.rows) addTo(idx, r[field], k);
    this.indexes.set(field, idx);
  }

  /** Rows whose `field` equals `value`, in insertion order. */
  by(field: string, value: unknown): Rec[] {
    this.ensureIndex(field);
    const keys = this.indexes.get(field)?.get(value);
    if (!keys) return [];
    const out: Rec[] = [];
    for (const k of keys) {
      const r = this.rows.get(k);
      if (r) out.push(r);
    }
    return out;
  }

  insert(rec: Rec): Rec {
    const key = rec[this.keyField] as Key;
    const before = this.watchers.length ? this.rows.get(key) : undefined;
    this.rows.set(key, rec);
    for (const [field, idx] of this.indexes) addTo(idx, rec[field], key);
    this.ordered = null;
    this.version++;
    for (const w of this.watchers) w(before, rec);
    return rec;
  }

  /** Replace a record in place (same key), keeping indexes right. */
  replace(rec: Rec): Rec {
    const key = rec[this.keyField] as Key;
    const old = this.rows.get(key);
    // A replacement built by spreading the old record keeps its side-table times.
    if (old && !times.has(rec) && !("_modified" in rec)) {
      const t = times.get(old);
      if (t) times.set(rec, { ...t });
    }
    if (old)
      for (const [field, idx] of this.indexes)
        if (old[field] !== rec[field]) removeFrom(idx, old[field], key);
    this.rows.set(key, rec);
    for (const [field, idx] of this.indexes) addTo(idx, rec[field], key);
    this.ordered = null;
    this.version++;
    for (const w of this.watchers) w(old, rec);
    return rec;
  }

  delete(key: Key): Rec | undefined {
    const old = this.rows.get(key);
    if (!old) return undefined;
    this.rows.delete(key);
    for (const [field, idx] of this.indexes) removeFrom(idx, old[field], key);
    this.ordered = null;
    this.version++;
    for (const w of this.watchers) w(old, undefined);
    return old;
  }
}

function addTo(idx: Map<unknown, Set<Key>>, value: unknown, key: Key) {
  if (value === undefined) return;
  let s = idx.get(value);
  if (!s) {
    s = new Set();
    idx.set(value, s);
  }
  s.add(key);
}

function removeFrom(idx: Map<unknown, Set<Key>>, value: unknown, key: Key) {
  const s = idx.get(value);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) idx.delete(value);
}
