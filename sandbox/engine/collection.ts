import type { Context, Hono } from "hono";
import { type Ctx, emit } from "./context.ts";
import {
  ApiError,
  invalid,
  isoDate,
  jsonResponse,
  notFound,
  parseDateParam,
  RawJson,
  rfc2822,
  utf8,
} from "./http.ts";
import { cachedJson, piece, type RenderSpec, renderedJson, renderVariant } from "./record-bytes.ts";
import type { Rng } from "./rng.ts";
import { createdAt, type Key, modifiedAt, type Rec, type Table, times } from "./table.ts";
import { flushEvents } from "./webhooks.ts";

export type Op =
  | "list"
  | "get"
  | "create"
  | "update"
  | "delete"
  | "batchCreate"
  | "batchUpdate"
  | "batchDelete";
export type FieldType = "string" | "number" | "boolean" | "array" | "object" | "any";

/**
 * A content type served the BigCommerce way. Most behaviour (paging, filters, includes, field selection,
 * read-only and unknown fields, validation, uniqueness, dates, webhooks, batches) comes from these
 * declarations; hooks cover what is specific. See sandbox/README.md "Adding a resource".
 */
export interface ResourceDef {
  /** Unique name: stats, export and `ctx`-level lookups use it (e.g. "products", "product_images"). */
  name: string;
  /** Storage table; several resources may share one (e.g. variants per product and store-wide). Default: name. */
  collection?: string;
  version: "v2" | "v3";
  /** Hono path under /stores/:store_hash/{version}, e.g. "/catalog/products/:product_id/images". */
  path: string;
  /** Key field of the records: "id" (default, server-assigned integers) or e.g. "uuid". */
  key?: string;
  keyType?: "number" | "string";
  /** Nested resources: the URL param naming the parent, the record field holding it, the parent's collection. */
  parent?: { param: string; field: string; collection: string; notFound?: string };
  /** OAuth scope: "store_v2_products" reads with it or its `_read_only` twin and writes with it only. */
  scope: string | { read: string[]; write: string[] };
  /** Operations served (default list, get, create, update, delete). */
  ops?: Op[];
  defaultLimit?: number;
  /** Largest `limit` accepted (413 above). Default 250. */
  maxLimit?: number;
  /** Adjusts the page size actually served (products: 10 when options/modifiers are included). */
  pageLimit?: (limit: number, ctx: Ctx) => number;
  /** v3 cursor paging with `before`/`after` (and meta.cursor_pagination). */
  cursor?: boolean;
  /** Largest batch body (413 above). Default 10. */
  maxBatch?: number;
  /** Every writable field with its default; input keys not listed here (or read-only) are ignored. */
  defaults: Rec;
  /** Field type overrides where the default value does not say it (e.g. null defaults). */
  types?: Record<string, FieldType>;
  /** Server-assigned fields: ignored when written. */
  readOnly?: string[];
  /** Input keys used by hooks (embedded children) that are not stored on the record. */
  embedded?: string[];
  required?: string[];
  enums?: Record<string, readonly unknown[]>;
  /** Unique keys: 409 with `title` on a duplicate; `perParent` limits the check to siblings. */
  unique?: { fields: string[]; title: string; perParent?: boolean }[];
  /** Fields filterable as `f`, `f:in`, `f:not_in`, `f:min`, `f:max`, `f:greater`, `f:less`, `f:like`. */
  filters?: string[];
  /** Query params with their own meaning (e.g. products `keyword`). */
  customFilters?: Record<string, (rec: Rec, value: string, ctx: Ctx) => boolean>;
  /** Fields accepted by `sort=` (with `direction=asc|desc`). */
  sortable?: string[];
  /** What `direction=asc|desc` orders by when no `sort=` is given (lists whose only order is by id). */
  directionSort?: string;
  /** Fields indexed for fast lookups (the parent field is indexed automatically). */
  indexes?: string[];
  /** `include=` names and how to compute them; `include` holds every name requested. */
  includes?: Record<string, (rec: Rec, ctx: Ctx, include: Set<string>) => unknown>;
  /** Dates kept on the record (names of the fields) and their format; v3 ISO 8601, v2 RFC 2822. */
  dates?: { created?: string; modified?: string };
  /** Records only this request may see (e.g. scripts of the calling client). */
  visible?: (rec: Rec, ctx: Ctx) => boolean;
  /** Extra 422 checks: return `{field: message}` for invalid input. */
  validate?: (input: Rec, ctx: Ctx, existing?: Rec) => Record<string, string | undefined> | undefined | void;
  /** Sets computed and server-assigned fields on the merged record before it is stored. */
  build?: (rec: Rec, input: Rec, ctx: Ctx, existing?: Rec) => void;
  /** Runs after the record is stored (creates embedded children, etc.). */
  afterWrite?: (rec: Rec, input: Rec, ctx: Ctx, kind: "create" | "update") => void;
  /** Runs before a record is deleted (cascade to children). */
  onDelete?: (rec: Rec, ctx: Ctx) => void;
  /** Stored record -> response shape (computed fields). Receives a copy without `_` fields. */
  serialize?: (out: Rec, ctx: Ctx) => Rec;
  /** Webhooks of this type: emits `{scope}/created|updated|deleted` with data `{type, id, ...data(rec)}`. */
  webhooks?: { scope: string; type: string; data?: (rec: Rec) => Rec; key?: string };
  /** A change here also moves the parent's date_modified and raises the parent's `updated` webhook. */
  touchParent?: boolean;
  /** Status of a successful single create (v3 default 200, v2 201). */
  createStatus?: number;
  /** DELETE of one record answers 200 with the deleted record instead of 204 (e.g. /v3/hooks). */
  deleteReturnsBody?: boolean;
  /** Admin `mutate` kind "churn": the update body of a realistic everyday edit of `rec`. */
  churn?: (rec: Rec, rng: Rng) => Rec;
  /** Admin `mutate` kind "bad-import": the update body a botched CSV import would apply to `rec`. */
  badImport?: (rec: Rec, rng: Rng) => Rec;
  /**
   * Records are stored exactly in response shape: no `_` fields (times live in a side table, see
   * `createdAt`/`modifiedAt`), no `serialize` hook; lists then go to JSON.stringify without copies.
   * Update lean records through the engine or with `table.replace({...rec, ...})`.
   */
  lean?: boolean;
  /** Fields stored on the record but never returned (e.g. the parent id of custom fields); not with `lean`. */
  hidden?: string[];
  /** Leave out of GET /__sandbox/stores/{hash}/export. */
  noExport?: boolean;
  /**
   * Serialize every record when the store is generated (`prerender`), so the first read of a big list
   * (a backup reads each page once) is as fast as the next: products and their include children.
   */
  prerender?: boolean;
  /**
   * Keep each record's whole list rendering (includes, computed fields, embedded child rows) as bytes,
   * for big non-lean lists read again and again (orders, customers); see `renderedJson`.
   */
  render?: RenderSpec;
}

export function defineResource(def: ResourceDef): ResourceDef {
  return def;
}

const DEFAULT_OPS: Op[] = ["list", "get", "create", "update", "delete"];
const keyOf = (def: ResourceDef) => def.key ?? "id";
export const collectionOf = (def: ResourceDef) => def.collection ?? def.name;

export function tableOf(def: ResourceDef, ctx: Ctx): Table {
  const t = ctx.store.table(collectionOf(def), keyOf(def));
  if (def.parent) t.ensureIndex(def.parent.field);
  for (const f of def.indexes ?? []) t.ensureIndex(f);
  return t;
}

// ---------- scopes ----------

export function scopesOf(def: ResourceDef): { read: string[]; write: string[] } {
  if (typeof def.scope !== "string") return def.scope;
  return { read: [def.scope, `${def.scope}_read_only`], write: [def.scope] };
}

export function requireScope(ctx: Ctx, def: ResourceDef, write: boolean): void {
  const granted = ctx.grant.scopes;
  if (granted === "all") return;
  const s = scopesOf(def);
  const needed = write ? s.write : s.read;
  if (needed.length && !needed.some((x) => granted.has(x))) {
    throw new ApiError(
      403,
      "You don't have a required scope to access the endpoint",
      Object.fromEntries(needed.map((x) => [x, "missing scope"])),
    );
  }
}

// ---------- validation and writes ----------

function typeOfValue(v: unknown): FieldType {
  if (Array.isArray(v)) return "array";
  if (v === null || v === undefined) return "any";
  const t = typeof v;
  return t === "string" || t === "number" || t === "boolean" || t === "object" ? (t as FieldType) : "any";
}

const EXPECTED: Record<string, string> = {
  string: "error.expected.jsstring",
  number: "error.expected.jsnumber",
  boolean: "error.expected.jsboolean",
  array: "error.expected.jsarray",
  object: "error.expected.jsobject",
};

/** Keeps the writable known fields of `input` and reports type and enum errors. */
export function cleanInput(
  def: ResourceDef,
  input: Rec,
  creating: boolean,
): { clean: Rec; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const clean: Rec = {};
  const ro = def.readOnly ?? [];
  const key = keyOf(def);
  for (const [k, v] of Object.entries(input)) {
    if (k === key || ro.includes(k) || !(k in def.defaults) || k[0] === "_") continue;
    const want = def.types?.[k] ?? typeOfValue(def.defaults[k]);
    if (v !== null && want !== "any") {
      const got = typeOfValue(v);
      const lenient =
        def.version === "v2" &&
        (want === "string" || want === "number") &&
        (got === "string" || got === "number");
      if (got !== want && !lenient) {
        errors[k] = EXPECTED[want] ?? "error.invalid";
        continue;
      }
    }
    const allowed = def.enums?.[k];
    if (allowed && v !== null && !allowed.includes(v)) {
      errors[k] = `error.expected.validenumvalue (one of ${allowed.join(", ")})`;
      continue;
    }
    clean[k] = v;
  }
  if (creating) {
    for (const f of def.required ?? []) {
      if (input[f] === undefined || input[f] === null || input[f] === "") errors[f] ??= "error.path.missing";
    }
  }
  return { clean, errors };
}

function addErrors(
  into: Record<string, string>,
  extra: Record<string, string | undefined> | undefined | void,
): void {
  if (!extra) return;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) into[k] = v;
}

function checkUnique(def: ResourceDef, rec: Rec, ctx: Ctx, self?: Key): void {
  if (!def.unique) return;
  const t = tableOf(def, ctx);
  const key = keyOf(def);
  for (const u of def.unique) {
    const first = u.fields[0];
    const value = rec[first];
    if (value === undefined || value === null || value === "") continue;
    // Per-parent keys are checked among siblings only (a label like "Black" repeats across the store).
    const candidates =
      u.perParent && def.parent ? t.by(def.parent.field, rec[def.parent.field]) : t.by(first, value);
    const clash = candidates.find(
      (other) =>
        other[key] !== self &&
        u.fields.every((f) => other[f] === rec[f]) &&
        (!u.perParent || !def.parent || other[def.parent.field] === rec[def.parent.field]),
    );
    if (clash) {
      throw new ApiError(409, u.title, Object.fromEntries(u.fields.map((f) => [f, String(rec[f])])));
    }
  }
}

function stampDates(def: ResourceDef, rec: Rec, at: number, creating: boolean, existing?: Rec): void {
  if (def.lean) times.set(rec, { c: creating ? at : existing ? createdAt(existing) : createdAt(rec), m: at });
  else {
    if (creating) rec._created = at;
    rec._modified = at;
  }
  const fmt = def.version === "v2" ? rfc2822 : isoDate;
  if (def.dates?.created && creating) rec[def.dates.created] = fmt(at);
  if (def.dates?.modified) rec[def.dates.modified] = fmt(at);
}

/** Key of the parent record resolved from the URL. */
function parentKey(def: ResourceDef, ctx: Ctx): unknown {
  if (!def.parent || !ctx.parent) return undefined;
  const parentDef = ctx.state.primary.get(def.parent.collection);
  return ctx.parent[parentDef ? keyOf(parentDef) : "id"];
}

function webhookData(def: ResourceDef, rec: Rec): Rec {
  const w = def.webhooks;
  if (!w) return {};
  return { type: w.type, id: rec[w.key ?? keyOf(def)], ...(w.data ? w.data(rec) : {}) };
}

/** Moves the parent's date_modified and raises its `updated` webhook (a child changed). */
export function touchParent(def: ResourceDef, rec: Rec, ctx: Ctx): void {
  if (!def.touchParent || !def.parent || !ctx.live) return;
  const parentDef = ctx.state.primary.get(def.parent.collection);
  const parent = ctx.store.table(def.parent.collection).get(rec[def.parent.field]);
  if (!parentDef || !parent) return;
  stampDates(parentDef, parent, ctx.now, false);
  if (parentDef.webhooks) emit(ctx, `${parentDef.webhooks.scope}/updated`, webhookData(parentDef, parent));
}

const templates = new WeakMap<ResourceDef, Rec>();

/** Defaults plus the date fields: every field a new record gets, so none is added later by a keyed store. */
function template(def: ResourceDef): Rec {
  let t = templates.get(def);
  if (!t) {
    t = { ...def.defaults };
    if (def.dates?.created) t[def.dates.created] = "";
    if (def.dates?.modified) t[def.dates.modified] = "";
    templates.set(def, t);
  }
  return t;
}

export interface WriteOptions {
  /** Creation/modification time (generators spread records over the past). */
  at?: number;
  /** Explicit key (generators, restores of fixed ids such as channel 1). */
  key?: Key;
}

/** Creates a record as a POST would: validation, defaults, server fields, uniqueness, hooks, webhooks. */
export function createRecord(def: ResourceDef, input: unknown, ctx: Ctx, opts: WriteOptions = {}): Rec {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw invalid({ body: "error.expected.jsobject" });
  const raw = input as Rec;
  const { clean, errors } = cleanInput(def, raw, true);
  addErrors(errors, def.validate?.(raw, ctx));
  if (Object.keys(errors).length) throw invalid(errors);
  const t = tableOf(def, ctx);
  const key = keyOf(def);
  const keyValue =
    opts.key ??
    (def.keyType === "string" || key === "uuid" ? ctx.store.rng.uuid() : ctx.store.nextId(collectionOf(def)));
  // Built by spreading the defaults (not key by key) so V8 keeps the record in fast mode:
  // records with dozens of fields added one by one become dictionaries, slow to read and to stringify.
  const rec: Rec = { [key]: keyValue, ...template(def) };
  rec[key] = keyValue; // in case the defaults list the key field too
  if (opts.key !== undefined) ctx.store.bumpId(collectionOf(def), opts.key);
  for (const k in rec) {
    if (k === key) continue;
    if (k in clean) rec[k] = clean[k];
    else if (rec[k] !== null && typeof rec[k] === "object") rec[k] = structuredCloneLite(rec[k]);
  }
  if (def.parent && ctx.parent) rec[def.parent.field] = parentKey(def, ctx);
  stampDates(def, rec, opts.at ?? ctx.now, true);
  def.build?.(rec, raw, ctx);
  checkUnique(def, rec, ctx);
  t.insert(rec);
  logChange(ctx, def, "created", rec);
  def.afterWrite?.(rec, raw, ctx, "create");
  if (def.webhooks) emit(ctx, `${def.webhooks.scope}/created`, webhookData(def, rec));
  touchParent(def, rec, ctx);
  return rec;
}

/** Updates a record as a PUT would (partial update; read-only and unknown fields ignored). */
export function updateRecord(
  def: ResourceDef,
  existing: Rec,
  input: unknown,
  ctx: Ctx,
  opts: WriteOptions = {},
): Rec {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw invalid({ body: "error.expected.jsobject" });
  const raw = input as Rec;
  const { clean, errors } = cleanInput(def, raw, false);
  addErrors(errors, def.validate?.(raw, ctx, existing));
  if (Object.keys(errors).length) throw invalid(errors);
  const rec: Rec = { ...existing, ...clean };
  stampDates(def, rec, opts.at ?? ctx.now, false, existing);
  def.build?.(rec, raw, ctx, existing);
  checkUnique(def, rec, ctx, existing[keyOf(def)]);
  tableOf(def, ctx).replace(rec);
  logChange(ctx, def, "updated", rec);
  def.afterWrite?.(rec, raw, ctx, "update");
  if (def.webhooks) emit(ctx, `${def.webhooks.scope}/updated`, webhookData(def, rec));
  touchParent(def, rec, ctx);
  return rec;
}

export function deleteRecord(def: ResourceDef, rec: Rec, ctx: Ctx): void {
  def.onDelete?.(rec, ctx);
  tableOf(def, ctx).delete(rec[keyOf(def)]);
  logChange(ctx, def, "deleted", rec);
  if (def.webhooks) emit(ctx, `${def.webhooks.scope}/deleted`, webhookData(def, rec));
  touchParent(def, rec, ctx);
}

/** Deletes every record of `collection` whose `field` equals `value` (children of a deleted parent). */
export function cascadeDelete(ctx: Ctx, resourceName: string, field: string, value: unknown): void {
  const def = ctx.state.resources.get(resourceName);
  if (!def) return;
  const t = tableOf(def, ctx);
  for (const child of t.by(field, value)) {
    def.onDelete?.(child, ctx);
    t.delete(child[keyOf(def)]);
    logChange(ctx, def, "deleted", child);
  }
}

function logChange(ctx: Ctx, def: ResourceDef, what: "created" | "updated" | "deleted", rec: Rec): void {
  if (!ctx.changes) return;
  if (!ctx.changes[def.name]) ctx.changes[def.name] = { created: [], updated: [], deleted: [] };
  const entry = ctx.changes[def.name];
  const k = rec[keyOf(def)];
  if (what === "updated" && (entry.created.includes(k) || entry.updated.includes(k))) return;
  entry[what].push(k);
}

function structuredCloneLite(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  return JSON.parse(JSON.stringify(v));
}

// ---------- reading ----------

export interface SerializeOptions {
  include?: Set<string>;
  includeFields?: Set<string>;
  excludeFields?: Set<string>;
}

/** Response shape of a stored record: no internal `_` fields, computed fields, includes, field selection. */
export function serialize(def: ResourceDef, rec: Rec, ctx: Ctx, opts: SerializeOptions = {}): Rec {
  // Lean records are already in response shape: no copy (callers must not mutate the result).
  if (def.lean && !def.serialize && !opts.includeFields && !opts.excludeFields) {
    if (!opts.include || !def.includes) return rec;
    const out: Rec = Object.assign({}, rec);
    for (const name of opts.include) {
      const fn = def.includes[name];
      if (fn) out[name] = fn(rec, ctx, opts.include);
    }
    return out;
  }
  let out: Rec = {};
  const key = keyOf(def);
  const hidden = def.hidden;
  for (const k in rec) {
    if (k.charCodeAt(0) === 95 || hidden?.includes(k)) continue; // "_"
    if (opts.includeFields && k !== key && !opts.includeFields.has(k)) continue;
    if (opts.excludeFields?.has(k) && k !== key) continue;
    out[k] = rec[k];
  }
  if (def.serialize) out = def.serialize(out, ctx);
  if (opts.include && def.includes) {
    for (const name of opts.include) {
      const fn = def.includes[name];
      if (fn) out[name] = fn(rec, ctx, opts.include);
    }
  }
  return out;
}

/**
 * A child list (or one child record) of an `include=`: serialized with the child's own resource. Record
 * pages write it from the children's cached bytes; anything else sees the serialized value.
 */
export class Included {
  constructor(
    readonly def: ResourceDef,
    readonly rows: Rec[] | Rec | null,
    readonly ctx: Ctx,
  ) {}
  toJSON(): unknown {
    const { def, rows, ctx } = this;
    return Array.isArray(rows) ? rows.map((r) => serialize(def, r, ctx)) : rows && serialize(def, rows, ctx);
  }
}

/** Children of an include, shaped by the resource registered under `name`. */
export function includeAs(name: string, rows: Rec[] | Rec | null, ctx: Ctx): Included {
  const def = ctx.state.resources.get(name);
  if (!def) throw new Error(`unknown resource ${name}`);
  return new Included(def, rows, ctx);
}

const LEAN_SHAPE = {};

/** JSON bytes of a record in its resource's plain response shape (no includes or field selection). */
function storedBytes(def: ResourceDef, rec: Rec, ctx: Ctx): Uint8Array {
  // A serialize hook may read other records (option values of an option): never cached.
  if (def.serialize) return utf8(JSON.stringify(serialize(def, rec, ctx)));
  // Lean records are their own response shape, the same whichever resource reads their table.
  return cachedJson(rec, def.lean ? LEAN_SHAPE : def, () =>
    JSON.stringify(def.lean ? rec : serialize(def, rec, ctx)),
  );
}

/** Fills the byte cache of every record of the resources marked `prerender` (after generation). */
export function prerender(ctx: Ctx): void {
  for (const def of ctx.state.resources.values()) {
    if (!def.prerender) continue;
    for (const rec of tableOf(def, ctx).all()) storedBytes(def, rec, ctx);
  }
}

function valueChunks(value: unknown, out: Uint8Array[]): void {
  if (!(value instanceof Included)) {
    out.push(utf8(JSON.stringify(value) ?? "null"));
    return;
  }
  const { def, rows, ctx } = value;
  if (!Array.isArray(rows)) {
    out.push(rows ? storedBytes(def, rows, ctx) : piece("null"));
    return;
  }
  out.push(piece("["));
  rows.forEach((r, i) => {
    if (i) out.push(piece(","));
    out.push(storedBytes(def, r, ctx));
  });
  out.push(piece("]"));
}

/**
 * One record's response JSON as byte chunks. Lean records come from their cached bytes with their
 * includes spliced in, also from cached bytes: no copy and no JSON.stringify of unchanged records.
 */
export function recordChunks(
  def: ResourceDef,
  rec: Rec,
  ctx: Ctx,
  opts: SerializeOptions,
  out: Uint8Array[],
): void {
  if (!def.lean || def.serialize || opts.includeFields || opts.excludeFields) {
    out.push(utf8(JSON.stringify(serialize(def, rec, ctx, opts))));
    return;
  }
  const base = storedBytes(def, rec, ctx);
  if (!opts.include || !def.includes) {
    out.push(base);
    return;
  }
  let first = base.byteLength <= 2;
  out.push(first ? piece("{") : base.subarray(0, base.byteLength - 1));
  for (const name of opts.include) {
    const fn = def.includes[name];
    if (!fn) continue;
    out.push(piece(`${first ? "" : ","}${JSON.stringify(name)}:`));
    first = false;
    valueChunks(fn(rec, ctx, opts.include), out);
  }
  out.push(piece("}"));
}

/** A list body: `{data, meta}` (v3) or a bare array (v2); assembled from record bytes for lean resources. */
function pageBody(def: ResourceDef, rows: Rec[], ctx: Ctx, opts: SerializeOptions, meta?: Rec): unknown {
  if (def.lean) {
    const out: Uint8Array[] = [piece(def.version === "v2" ? "[" : '{"data":[')];
    rows.forEach((r, i) => {
      if (i) out.push(piece(","));
      recordChunks(def, r, ctx, opts, out);
    });
    out.push(def.version === "v2" ? piece("]") : utf8(`],"meta":${JSON.stringify(meta ?? {})}}`));
    return new RawJson(out);
  }
  const spec = def.render;
  if (spec && ctx.live && !opts.includeFields && !opts.excludeFields) {
    // The same text JSON.stringify gives for the whole body, from each record's kept rendering.
    const variant = renderVariant(spec, ctx.query);
    const table = collectionOf(def);
    const out: Uint8Array[] = [piece(def.version === "v2" ? "[" : '{"data":[')];
    rows.forEach((r, i) => {
      if (i) out.push(piece(","));
      out.push(
        renderedJson(ctx.store, def.name, table, spec, r, variant, () =>
          JSON.stringify(serialize(def, r, ctx, opts)),
        ),
      );
    });
    if (def.version === "v2") out.push(piece("]"));
    else out.push(meta === undefined ? piece("]}") : utf8(`],"meta":${JSON.stringify(meta)}}`));
    return new RawJson(out);
  }
  const data = rows.map((r) => serialize(def, r, ctx, opts));
  return def.version === "v2" ? data : { data, meta };
}

/** Serializes with the resource registered under `name` (for includes of child collections). */
export function serializeAs(name: string, rec: Rec, ctx: Ctx): Rec {
  const def = ctx.state.resources.get(name);
  if (!def) throw new Error(`unknown resource ${name}`);
  return serialize(def, rec, ctx);
}

const csv = (v: string | null) =>
  v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

function eq(recValue: unknown, v: string): boolean {
  if (Array.isArray(recValue)) return recValue.some((x) => String(x) === v);
  if (typeof recValue === "boolean") return recValue === (v === "true" || v === "1");
  return String(recValue) === v;
}

function cmp(recValue: unknown, v: string): number {
  if (typeof recValue === "number") return recValue - Number(v);
  return String(recValue ?? "").localeCompare(v);
}

type Pred = (rec: Rec) => boolean;

/** Predicates for the filters of the query string (unknown params are ignored, as BigCommerce does). */
export function buildFilters(def: ResourceDef, ctx: Ctx): Pred[] {
  const preds: Pred[] = [];
  const key = keyOf(def);
  const fields = new Set([key, ...(def.filters ?? [])]);
  for (const [param, value] of ctx.query) {
    const custom = def.customFilters?.[param];
    if (custom) {
      preds.push((r) => custom(r, value, ctx));
      continue;
    }
    const [field, op] = param.split(":");
    if (def.version === "v2") {
      const m = /^(min|max)_(id|date_modified|date_created)$/.exec(param);
      if (m) {
        const [, bound, what] = m;
        if (what === "id") {
          const n = Number(value);
          preds.push(bound === "min" ? (r) => r[key] >= n : (r) => r[key] <= n);
        } else {
          const t = parseDateParam(value);
          const at = what === "date_modified" ? modifiedAt : createdAt;
          if (!Number.isNaN(t)) preds.push(bound === "min" ? (r) => at(r) >= t : (r) => at(r) <= t);
        }
        continue;
      }
    }
    if (field === "date_modified" || field === "date_created") {
      const t = parseDateParam(value);
      if (Number.isNaN(t))
        throw invalid({ [param]: "error.invalid.date" }, "The filter value is not a valid date");
      const at = field === "date_modified" ? modifiedAt : createdAt;
      if (op === "min") preds.push((r) => at(r) >= t);
      else if (op === "max") preds.push((r) => at(r) <= t);
      else if (!op) preds.push((r) => Math.floor(at(r) / 1000) === Math.floor(t / 1000));
      continue;
    }
    if (!fields.has(field)) continue;
    switch (op) {
      case undefined:
        preds.push((r) => eq(r[field], value));
        break;
      case "in": {
        const set = csv(value);
        preds.push((r) => set.some((v) => eq(r[field], v)));
        break;
      }
      case "not_in": {
        const set = csv(value);
        preds.push((r) => !set.some((v) => eq(r[field], v)));
        break;
      }
      case "min":
        preds.push((r) => cmp(r[field], value) >= 0);
        break;
      case "max":
        preds.push((r) => cmp(r[field], value) <= 0);
        break;
      case "greater":
        preds.push((r) => cmp(r[field], value) > 0);
        break;
      case "less":
        preds.push((r) => cmp(r[field], value) < 0);
        break;
      case "like": {
        const needle = value.toLowerCase();
        preds.push((r) =>
          String(r[field] ?? "")
            .toLowerCase()
            .includes(needle),
        );
        break;
      }
    }
  }
  return preds;
}

/**
 * The last unfiltered listing of each table (only the resource's visibility applied, in table or key
 * order), kept while the table has had no insert, replace or delete: a backup pages through 50,000
 * orders 250 at a time, and each page would otherwise scan them all. Visibility hooks read fields that
 * change by replacement only (`is_deleted`, owners) and the request (query, token: in the key).
 */
const listings = new WeakMap<Table, { version: number; key: string; rows: Rec[] }>();

/** Records matching the request: parent scope, visibility, filters and sort. */
export function listRecords(def: ResourceDef, ctx: Ctx): Rec[] {
  const t = tableOf(def, ctx);
  const preds = buildFilters(def, ctx);
  const sortParam = ctx.query.get("sort");
  const sorted = sortParam !== null && def.sortable?.includes(sortParam) === true;
  if (preds.length || (def.parent && ctx.parent) || (sorted && sortParam !== keyOf(def)))
    return filterAndSort(def, ctx, t, preds);
  const query = new URLSearchParams(ctx.query);
  query.delete("page");
  query.delete("limit");
  const key = `${def.name}\u0000${ctx.grant.token}\u0000${query}`;
  const kept = listings.get(t);
  if (kept && kept.version === t.version && kept.key === key) return kept.rows;
  const rows = filterAndSort(def, ctx, t, preds);
  listings.set(t, { version: t.version, key, rows });
  return rows;
}

function filterAndSort(def: ResourceDef, ctx: Ctx, t: Table, preds: Pred[]): Rec[] {
  let rows = def.parent && ctx.parent ? t.by(def.parent.field, parentKey(def, ctx)) : t.all();
  const visible = def.visible;
  // A plain loop: every page of 50,000 orders scans them all, and per-row closures cost milliseconds.
  if (preds.length || visible) {
    const kept: Rec[] = [];
    for (const r of rows) if ((!visible || visible(r, ctx)) && matchesAll(preds, r)) kept.push(r);
    rows = kept;
  }
  const sort = ctx.query.get("sort") ?? (ctx.query.has("direction") ? (def.directionSort ?? null) : null);
  if (sort && (def.sortable?.includes(sort) || sort === def.directionSort)) {
    const dir = ctx.query.get("direction") === "desc" ? -1 : 1;
    const order = (a: Rec, b: Rec) => {
      const x = a[sort];
      const y = b[sort];
      return (
        (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * dir
      );
    };
    // Lists are mostly asked in the order they are kept (`sort=id:asc`): the sort is stable, so an
    // already ordered list stays as it is and one pass over it replaces sorting 50,000 rows.
    if (!inOrder(rows, order)) rows = [...rows].sort(order);
  }
  return rows;
}

function matchesAll(preds: Pred[], r: Rec): boolean {
  for (let i = 0; i < preds.length; i++) if (!preds[i](r)) return false;
  return true;
}

function inOrder(rows: Rec[], order: (a: Rec, b: Rec) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (order(rows[i - 1], rows[i]) > 0) return false;
  return true;
}

function serializeOptions(ctx: Ctx): SerializeOptions {
  const inc = csv(ctx.query.get("include"));
  const incF = csv(ctx.query.get("include_fields"));
  const excF = csv(ctx.query.get("exclude_fields"));
  return {
    include: inc.length ? new Set(inc) : undefined,
    includeFields: incF.length ? new Set(incF) : undefined,
    excludeFields: excF.length ? new Set(excF) : undefined,
  };
}

export function requestedLimit(def: ResourceDef, ctx: Ctx): number {
  const raw = ctx.query.get("limit");
  const max = def.maxLimit ?? 250;
  let limit = def.defaultLimit ?? 50;
  if (raw !== null) {
    limit = Number(raw);
    if (!Number.isInteger(limit) || limit < 1) throw invalid({ limit: "error.invalid" }, "Invalid limit");
    if (limit > max) {
      throw new ApiError(413, `The request payload is too large. The maximum limit is ${max}.`, {
        limit: `must be at most ${max}`,
      });
    }
  }
  return def.pageLimit ? def.pageLimit(limit, ctx) : limit;
}

function pageLinks(ctx: Ctx, page: number, limit: number, totalPages: number) {
  const q = (p: number) => {
    const params = new URLSearchParams(ctx.query);
    params.set("page", String(p));
    params.set("limit", String(limit));
    return `?${params.toString()}`;
  };
  const links: Rec = { current: q(page) };
  if (page > 1) links.previous = q(page - 1);
  if (page < totalPages) links.next = q(page + 1);
  return links;
}

const encodeCursor = (k: Key) => btoa(`k:${k}`).replace(/=+$/, "");
const decodeCursor = (c: string): string | null => {
  try {
    const s = atob(c);
    return s.startsWith("k:") ? s.slice(2) : null;
  } catch {
    return null;
  }
};

/** One page of a list, in the version's envelope; `null` = v2 204 (past the last page). */
export function listPage(def: ResourceDef, ctx: Ctx): { status: number; body: unknown } {
  const limit = requestedLimit(def, ctx);
  const rows = listRecords(def, ctx);
  const opts = serializeOptions(ctx);
  const key = keyOf(def);
  const after = ctx.query.get("after");
  const before = ctx.query.get("before");
  if (def.version === "v3" && def.cursor && (after !== null || before !== null)) {
    let start = 0;
    let end = rows.length;
    if (after !== null) {
      const k = decodeCursor(after);
      const i = rows.findIndex((r) => String(r[key]) === k);
      if (k === null) throw invalid({ after: "error.invalid.cursor" }, "Invalid cursor");
      start = i + 1;
      end = Math.min(rows.length, start + limit);
    } else if (before !== null) {
      const k = decodeCursor(before);
      if (k === null) throw invalid({ before: "error.invalid.cursor" }, "Invalid cursor");
      end = Math.max(
        0,
        rows.findIndex((r) => String(r[key]) === k),
      );
      start = Math.max(0, end - limit);
    }
    const slice = rows.slice(start, end);
    const first = slice[0];
    const last = slice[slice.length - 1];
    const links: Rec = {};
    if (start > 0 && first) links.previous = `?before=${encodeCursor(first[key])}&limit=${limit}`;
    if (end < rows.length && last) links.next = `?after=${encodeCursor(last[key])}&limit=${limit}`;
    const meta = {
      cursor_pagination: {
        count: slice.length,
        per_page: limit,
        start_cursor: first ? encodeCursor(first[key]) : null,
        end_cursor: last ? encodeCursor(last[key]) : null,
        links,
      },
    };
    return { status: 200, body: pageBody(def, slice, ctx, opts, meta) };
  }
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const slice = rows.slice((page - 1) * limit, page * limit);
  if (def.version === "v2") {
    return slice.length
      ? { status: 200, body: pageBody(def, slice, ctx, opts) }
      : { status: 204, body: null };
  }
  const totalPages = Math.ceil(rows.length / limit);
  const meta: Rec = {
    pagination: {
      total: rows.length,
      count: slice.length,
      per_page: limit,
      current_page: page,
      total_pages: totalPages,
      links: pageLinks(ctx, page, limit, totalPages),
    },
  };
  if (def.cursor && slice.length) {
    meta.cursor_pagination = {
      count: slice.length,
      per_page: limit,
      start_cursor: encodeCursor(slice[0][key]),
      end_cursor: encodeCursor(slice[slice.length - 1][key]),
      links: {},
    };
  }
  return { status: 200, body: pageBody(def, slice, ctx, opts, meta) };
}

// ---------- HTTP ----------

export type Handler = (c: Context, ctx: Ctx) => Promise<Response> | Response;

/** Resolves the parent of a nested resource from the URL (404 when it does not exist). */
export function resolveParent(def: ResourceDef, ctx: Ctx): void {
  if (!def.parent) return;
  const raw = ctx.params[def.parent.param];
  const parentDef = ctx.state.primary.get(def.parent.collection);
  const k = parentDef?.keyType === "string" || parentDef?.key === "uuid" ? raw : Number(raw);
  const parent = ctx.store.table(def.parent.collection, parentDef ? keyOf(parentDef) : "id").get(k);
  if (!parent) throw notFound(def.parent.notFound ?? "The requested resource was not found.");
  ctx.parent = parent;
}

export function findRecord(def: ResourceDef, ctx: Ctx, raw: string): Rec {
  const k = def.keyType === "string" || keyOf(def) === "uuid" ? raw : Number(raw);
  const rec = tableOf(def, ctx).get(k);
  if (
    !rec ||
    (def.parent && ctx.parent && rec[def.parent.field] !== parentKey(def, ctx)) ||
    (def.visible && !def.visible(rec, ctx))
  ) {
    throw notFound();
  }
  return rec;
}

/** Body of a write, parsed; malformed JSON answers 400 as BigCommerce does. */
export async function readBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "The request body is not valid JSON", { body: "error.invalid.json" });
  }
}

export function envelope(def: ResourceDef, data: unknown): unknown {
  return def.version === "v3" ? { data, meta: {} } : data;
}

/** Applies a batch: each item independently; 207 with the successes and errors when some fail. */
export function runBatch(
  def: ResourceDef,
  ctx: Ctx,
  body: unknown,
  each: (item: Rec, index: number) => Rec,
): { status: number; body: unknown } {
  if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
  const max = def.maxBatch ?? 10;
  if (body.length > max) {
    throw new ApiError(
      413,
      `The request payload is too large. The maximum items allowed in the array is ${max}.`,
    );
  }
  const ok: Rec[] = [];
  const errors: ApiError[] = [];
  body.forEach((item, i) => {
    try {
      ok.push(serialize(def, each(item as Rec, i), ctx));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      errors.push(e);
    }
  });
  if (errors.length === 0) return { status: 200, body: envelope(def, ok) };
  if (ok.length === 0) throw errors[0];
  return {
    status: 207,
    body: {
      data: ok,
      errors: errors.map((e) => e.v3Body()),
      meta: { total: body.length, success: ok.length, failed: errors.length },
    },
  };
}

/** The v2/v3 response of an operation. */
export function respond(_def: Pick<ResourceDef, "version">, status: number, body: unknown): Response {
  return jsonResponse(status, status === 204 ? null : body);
}

export interface RouteApi {
  /** Registers an extra route on the store API (path under /stores/:store_hash/{version}). */
  on(method: string, version: "v2" | "v3", path: string, handler: Handler): void;
}

/** Registers one resource's routes. `on` wraps handlers with context, errors, stats and webhook delivery. */
export function mountResource(api: RouteApi, def: ResourceDef): void {
  const ops = new Set(def.ops ?? DEFAULT_OPS);
  const itemPath = `${def.path}/:${"__key"}${def.keyType === "string" || keyOf(def) === "uuid" ? "{[0-9a-zA-Z_.-]+}" : "{[0-9]+}"}`;
  const v = def.version;

  if (ops.has("list")) {
    api.on("GET", v, def.path, (_c, ctx) => {
      requireScope(ctx, def, false);
      resolveParent(def, ctx);
      const { status, body } = listPage(def, ctx);
      return respond(def, status, body);
    });
    if (v === "v2") {
      api.on("GET", v, `${def.path}/count`, (_c, ctx) => {
        requireScope(ctx, def, false);
        resolveParent(def, ctx);
        return respond(def, 200, { count: listRecords(def, ctx).length });
      });
    }
  }
  if (ops.has("create") || ops.has("batchCreate")) {
    api.on("POST", v, def.path, async (c, ctx) => {
      requireScope(ctx, def, true);
      resolveParent(def, ctx);
      const body = await readBody(c);
      if (Array.isArray(body) && ops.has("batchCreate")) {
        const r = runBatch(def, ctx, body, (item) => createRecord(def, item, ctx));
        return respond(def, r.status, r.body);
      }
      if (!ops.has("create")) throw invalid({ body: "error.expected.jsarray" });
      const rec = createRecord(def, body, ctx);
      return respond(
        def,
        def.createStatus ?? (v === "v2" ? 201 : 200),
        envelope(def, serialize(def, rec, ctx)),
      );
    });
  }
  if (ops.has("batchUpdate")) {
    api.on("PUT", v, def.path, async (c, ctx) => {
      requireScope(ctx, def, true);
      resolveParent(def, ctx);
      const body = await readBody(c);
      const r = runBatch(def, ctx, body, (item) => {
        const k = item?.[keyOf(def)];
        if (k === undefined || k === null) throw invalid({ [keyOf(def)]: "error.path.missing" });
        return updateRecord(def, findRecord(def, ctx, String(k)), item, ctx);
      });
      return respond(def, r.status, r.body);
    });
  }
  if (ops.has("batchDelete")) {
    api.on("DELETE", v, def.path, (_c, ctx) => {
      requireScope(ctx, def, true);
      resolveParent(def, ctx);
      const filters = buildFilters(def, ctx);
      if (!def.parent && filters.length === 0) {
        throw invalid({ filter: "error.path.missing" }, "At least one filter is required to delete in bulk");
      }
      for (const rec of listRecords(def, ctx)) deleteRecord(def, rec, ctx);
      return respond(def, 204, null);
    });
  }
  if (ops.has("get")) {
    api.on("GET", v, itemPath, (_c, ctx) => {
      requireScope(ctx, def, false);
      resolveParent(def, ctx);
      const rec = findRecord(def, ctx, ctx.params.__key);
      const opts = serializeOptions(ctx);
      if (def.lean) {
        const out: Uint8Array[] = def.version === "v3" ? [piece('{"data":')] : [];
        recordChunks(def, rec, ctx, opts, out);
        if (def.version === "v3") out.push(piece(',"meta":{}}'));
        return respond(def, 200, new RawJson(out));
      }
      return respond(def, 200, envelope(def, serialize(def, rec, ctx, opts)));
    });
  }
  if (ops.has("update")) {
    api.on("PUT", v, itemPath, async (c, ctx) => {
      requireScope(ctx, def, true);
      resolveParent(def, ctx);
      const rec = findRecord(def, ctx, ctx.params.__key);
      const updated = updateRecord(def, rec, await readBody(c), ctx);
      return respond(def, 200, envelope(def, serialize(def, updated, ctx)));
    });
  }
  if (ops.has("delete")) {
    api.on("DELETE", v, itemPath, (_c, ctx) => {
      requireScope(ctx, def, true);
      resolveParent(def, ctx);
      const rec = findRecord(def, ctx, ctx.params.__key);
      deleteRecord(def, rec, ctx);
      if (def.deleteReturnsBody) return respond(def, 200, envelope(def, serialize(def, rec, ctx)));
      return respond(def, 204, null);
    });
  }
}

/** Wraps a handler: BigCommerce error bodies, webhook delivery once the change is done. */
export function wrap(version: "v2" | "v3", handler: Handler): Handler {
  return async (c, ctx) => {
    try {
      const res = await handler(c, ctx);
      await flushEvents(ctx);
      return res;
    } catch (e) {
      if (e instanceof ApiError) {
        await flushEvents(ctx);
        return jsonResponse(e.status, version === "v3" ? e.v3Body() : e.v2Body());
      }
      throw e;
    }
  };
}

export type { Hono };
