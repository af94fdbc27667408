import { toCaptured } from "../backup/capture";
import type { LocatedVersion } from "../backup/vault-read";
import {
  type ApiRecord,
  BigCommerceError,
  recordIdOf,
  splitParentId,
  withParent,
} from "../bigcommerce/client";
import { type ContentType, getType } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { imageFields } from "../images/image-fields";
import { mapAt, valuesAt } from "./body-paths";
import { carries, childForWrite, childrenOf, differingFields, pairChildren } from "./compare";
import {
  applyItem,
  bigCommerceMessage,
  estimateCalls,
  type ItemOutcome,
  naturalKeyConflicts,
  type PlannedItem,
  type RestoreContext,
  RestoreInputError,
  type RestoreTarget,
} from "./engine";
import { currentIds } from "./id-map";
import { readBodies } from "./vault-bodies";
import { type ChildOp, mismatches, planChildren, topLevelBody, varsOf, writeFields } from "./write-record";

/**
 * The restore engine for many records of one type at once (bulk recovery, its undo and retries).
 * Same decisions as `planItem`/`applyItem`, fewer calls:
 *
 *   const items = await planItems(ctx, targets);   // one list call per 250 live records (+ their children), vault bodies by pack
 *   await applyItems(ctx, items, hooks);            // updates in the registry's batch size, variants 50 a call
 *
 * Updates of a record's own fields and of its existing variants are written in batches, and their
 * state after the restore is taken from what BigCommerce answers to those writes (no second read).
 * Records whose change needs more (re-creates, deletions, sub-resources added or removed, natural-key
 * conflicts) go through `applyItem` one by one. `hooks.onSnapshot` hears which before-restore
 * version holds each record's live state before anything is written, so a step interrupted after
 * writing still knows what it changed; `hooks.onOutcomes` hears results batch by batch.
 */

export type BatchHooks = {
  onSnapshot?: (saved: { item: PlannedItem; beforeVersionId: number | null }[]) => Promise<void>;
  onOutcomes: (results: { item: PlannedItem; outcome: ItemOutcome }[]) => Promise<void>;
  /** Asked before each write (a batch, or a record written alone): true leaves the rest unwritten and unrecorded. */
  shouldStop?: () => Promise<boolean>;
};

/** Records read per list call when the API filters by id. */
export const READ_CHUNK = 250;

/** The `x:in` filter that lists many records of the type by id in one call, or null when it has none. */
export function idFilterOf(type: ContentType): string | null {
  if (type.api !== "v3" || type.parent || typeof type.idField !== "string" || type.idField.includes("."))
    return null;
  if (type.list.paging !== "v3_page" && type.list.paging !== "v3_cursor") return null;
  return `${type.idField}:in`;
}

/**
 * Records planned together: two id-filtered listings (500; their children are read together), or,
 * for types read record by record, one write batch (at least 10 so they share their reads, at most 50).
 */
export function planChunk(type: ContentType): number {
  if (idFilterOf(type)) return 2 * READ_CHUNK;
  const batch = type.restore.mode === "automatic" ? (type.restore.update?.batch ?? 1) : 1;
  return Math.min(50, Math.max(10, batch));
}

/** The live records (with their children) for these live ids; missing ones are absent from the map. */
export async function readLive(
  ctx: RestoreContext,
  type: ContentType,
  liveIds: string[],
): Promise<Map<string, ApiRecord>> {
  const out = new Map<string, ApiRecord>();
  const filter = idFilterOf(type);
  if (!filter && type.parent && !type.get) {
    // No single-record GET: list each parent's records once instead of once per record.
    const byParent = new Map<string, Set<string>>();
    for (const id of liveIds) {
      const [parent] = splitParentId(id);
      byParent.set(parent, (byParent.get(parent) ?? new Set()).add(id));
    }
    for (const [parentId, wanted] of byParent) {
      const found: ApiRecord[] = [];
      for await (const page of ctx.client.pages(type, { parentId })) {
        for (const r of page.records) {
          const id = recordIdOf(type, r, parentId);
          if (wanted.has(id)) found.push(withParent(type, r, parentId));
        }
        if (found.length === wanted.size) break;
      }
      await ctx.client.fetchChildren(type, found);
      for (const r of found) out.set(recordIdOf(type, r, parentId), r);
    }
    return out;
  }
  if (!filter) {
    for (const id of liveIds) {
      const record = await ctx.client.getRecord(type, id);
      if (record) out.set(id, record);
    }
    return out;
  }
  const records: ApiRecord[] = [];
  for (let i = 0; i < liveIds.length; i += READ_CHUNK) {
    const chunk = new Set(liveIds.slice(i, i + READ_CHUNK));
    const { body } = await ctx.client.request<{ data?: ApiRecord[] }>("GET", type.api, type.list.path, {
      query: { ...(type.list.query ?? {}), [filter]: [...chunk].join(","), limit: READ_CHUNK },
    });
    records.push(...(body?.data ?? []).filter((r) => chunk.has(recordIdOf(type, r))));
  }
  // Children of every listing at once: reads of 10 products (options) or 250 variants (their
  // metafields) are filled across listings instead of each listing rounding up its own.
  await ctx.client.fetchChildren(type, records);
  for (const r of records) out.set(recordIdOf(type, r), r);
  return out;
}

/** Every body with its references pointing at current ids: one id-map query per reference kind for the whole batch. */
async function remapMany(ctx: RestoreContext, type: string, bodies: ApiRecord[]): Promise<ApiRecord[]> {
  let out = bodies;
  for (const ref of writeSpecOf(type).refs ?? []) {
    const applies = (i: number) => !ref.when || ref.when(bodies[i]);
    const ids = out.flatMap((b, i) => (applies(i) ? valuesAt(b, ref.path).map(String) : []));
    if (ids.length === 0) continue;
    const map = await currentIds(ctx.env.DB, ctx.storeHash, ref.type, ids);
    if (map.size === 0) continue;
    out = out.map((b, i) =>
      applies(i)
        ? mapAt(b, ref.path, (v) => {
            const next = map.get(String(v));
            if (next === undefined) return v;
            return typeof v === "number" && /^-?\d+$/.test(next) ? Number(next) : next;
          })
        : b,
    );
  }
  return out;
}

type VersionRow = LocatedVersion & { capturedAt: number; displayName: string };

/** Plans many records of one type (reads only: the dry run of a batch). */
export async function planItems(ctx: RestoreContext, targets: RestoreTarget[]): Promise<PlannedItem[]> {
  if (targets.length === 0) return [];
  const type = getType(targets[0].type);
  if (targets.some((t) => t.type !== type.key)) throw new Error("planItems takes targets of one type");
  if (type.restore.mode !== "automatic")
    throw new RestoreInputError(`${type.label} are restored with our team's help: ${type.restore.reason}`);

  const versionIds = targets.map((t) => t.versionId).filter((v): v is number => v !== null);
  const { results: rows } = await ctx.env.DB.prepare(
    `select id, store_hash as storeHash, record_id as recordId, change, pack_id as packId, "offset", length,
            body_offset as bodyOffset, size, captured_at as capturedAt, display_name as displayName
     from versions where store_hash = ? and type = ? and id in (select value from json_each(?))`,
  )
    .bind(ctx.storeHash, type.key, JSON.stringify(versionIds))
    .all<VersionRow>();
  const versionOf = new Map(rows.map((r) => [r.id, r]));
  const bodies = await readBodies(ctx.env, rows);
  const { results: names } = await ctx.env.DB.prepare(
    "select record_id, display_name from records where store_hash = ? and type = ? and record_id in (select value from json_each(?))",
  )
    .bind(ctx.storeHash, type.key, JSON.stringify(targets.map((t) => t.recordId)))
    .all<{ record_id: string; display_name: string }>();
  const nameOf = new Map(names.map((n) => [n.record_id, n.display_name]));

  const moved = await currentIds(
    ctx.env.DB,
    ctx.storeHash,
    type.key,
    targets.map((t) => t.recordId),
  );
  const liveIdOf = (t: RestoreTarget) => moved.get(t.recordId) ?? t.recordId;
  const live = await readLive(ctx, type, [...new Set(targets.map(liveIdOf))]);
  const raw = targets.map((t) => {
    const v = t.versionId === null ? undefined : versionOf.get(t.versionId);
    return v && v.recordId === t.recordId ? (bodies.get(v.id) ?? null) : null;
  });
  const remapped = await remapMany(
    ctx,
    type.key,
    raw.map((b) => b ?? {}),
  );

  const out: PlannedItem[] = [];
  for (const [i, t] of targets.entries()) {
    const version = t.versionId === null ? undefined : versionOf.get(t.versionId);
    const liveId = liveIdOf(t);
    const current = live.get(liveId) ?? null;
    const displayName = version?.displayName ?? nameOf.get(t.recordId) ?? t.recordId;
    const base = {
      type: type.key,
      recordId: t.recordId,
      displayName,
      liveId: current ? liveId : null,
      fromVersionId: version?.id ?? null,
      targetAt: version?.capturedAt ?? null,
      live: current,
    };
    if (t.versionId !== null && (!version || version.recordId !== t.recordId || raw[i] === null)) {
      out.push({
        ...base,
        action: "unchanged",
        target: null,
        conflicts: [
          version?.change === "deleted"
            ? "The selected version records the deletion; there is no content to restore."
            : `Version ${t.versionId} of this record is not in the vault.`,
        ],
        calls: 0,
      });
      continue;
    }
    const target = t.versionId === null ? null : remapped[i];
    let action: PlannedItem["action"];
    if (!target) action = current ? "delete" : "unchanged";
    else if (!current) action = "create";
    else action = mismatches(type, target, current, true).length === 0 ? "unchanged" : "update";
    // Creates are checked before writing; updates keep their own keys and a clash is refused by the
    // batch write, after which each record is written alone with its own message.
    const conflicts = target && action === "create" ? await naturalKeyConflicts(ctx, type, target, null) : [];
    out.push({
      ...base,
      action,
      target,
      conflicts,
      calls: estimateCalls(type, action, target, current),
    });
  }
  return out;
}

/** Saves the live records as versions (one pack flush for the batch); returns the version now holding each. */
async function saveVersions(
  ctx: RestoreContext,
  type: ContentType,
  records: { recordId: string; body: ApiRecord }[],
  source: "before_restore" | "restore",
): Promise<Map<string, number>> {
  if (records.length === 0) return new Map();
  await stageVersions(ctx, type, records, source);
  await ctx.vault.flush();
  const { results } = await ctx.env.DB.prepare(
    `select record_id, id from (
       select record_id, id, row_number() over (partition by record_id order by captured_at desc, id desc) as rn
       from versions where store_hash = ? and type = ? and record_id in (select value from json_each(?))
     ) where rn = 1`,
  )
    .bind(ctx.storeHash, type.key, JSON.stringify(records.map((r) => r.recordId)))
    .all<{ record_id: string; id: number }>();
  return new Map(results.map((r) => [r.record_id, r.id]));
}

/**
 * Stages versions in the store's open pack without flushing: the restored state is kept for the
 * vault's history, and the job runner flushes the pack after the step (or after an eviction).
 */
async function stageVersions(
  ctx: RestoreContext,
  type: ContentType,
  records: { recordId: string; body: ApiRecord }[],
  source: "before_restore" | "restore",
): Promise<void> {
  if (records.length === 0) return;
  const captured = records.map(({ recordId, body }) => {
    const c = toCaptured(type, [body])[0];
    c.recordId = recordId;
    return c;
  });
  const { entries } = await ctx.vault.prepare(
    { storeHash: ctx.storeHash, type: type.key, backupId: null, source, capturedAt: ctx.now() },
    captured,
  );
  ctx.vault.commit(entries);
}

/** A refusal (4xx other than 429) is the record's result; anything else retries the step. */
export function isRefusal(err: unknown): boolean {
  return (
    err instanceof RestoreInputError ||
    (err instanceof BigCommerceError && err.status >= 400 && err.status < 500 && err.status !== 429)
  );
}

const asIdValue = (id: string): string | number => (/^\d+$/.test(id) ? Number(id) : id);

type ChildUpdate = Extract<ChildOp, { kind: "update" }>;

/**
 * The sub-resource updates of an update written in batches: its own fields and updates of existing
 * sub-resources that have a batch endpoint. Null when the record needs more (sub-resources added or
 * removed, nested lists, no batch endpoint): it is written alone by `applyItem`.
 */
function batchedChildUpdates(type: ContentType, item: PlannedItem): ChildUpdate[] | null {
  if (item.action !== "update" || !item.target || !item.live || !item.liveId || item.conflicts.length > 0)
    return null;
  if (type.list.paging === "singletons" || type.restore.mode !== "automatic" || !type.restore.update)
    return null;
  const ops = planChildren(writeSpecOf(type.key).children ?? [], item.target, item.live, true);
  const batchable = (op: ChildOp): op is ChildUpdate =>
    op.kind === "update" && op.spec.batchUpdate !== undefined && !nestedDiffer(op);
  return ops.every(batchable) && !listPicturesDiffer(type, item) ? ops : null;
}

/**
 * Whether a list item's image file (a variant's picture, per `imageFields`) is not the version's:
 * batch endpoints cannot upload files, so the record is written alone by `applyItem`, whose image step
 * uploads the stored file (or repoints it when the live one is the same file under a new URL).
 */
function listPicturesDiffer(type: ContentType, item: PlannedItem): boolean {
  const target = item.target as ApiRecord;
  const live = item.live as ApiRecord;
  return (imageFields[type.key as keyof typeof imageFields] ?? []).some((f) => {
    if (!f.list || !f.upload?.itemMatch) return false;
    const key = f.upload.itemMatch;
    const liveItems = new Map(
      (Array.isArray(live[f.list]) ? (live[f.list] as ApiRecord[]) : []).map((i) => [String(i[key]), i]),
    );
    return (Array.isArray(target[f.list]) ? (target[f.list] as ApiRecord[]) : []).some(
      (want) => String(want[f.url] ?? "") !== String(liveItems.get(String(want[key]))?.[f.url] ?? ""),
    );
  });
}

/** Whether a sub-resource's own sub-resources (a variant's metafields) differ: those are written by `applyItem`. */
function nestedDiffer(op: ChildUpdate): boolean {
  const nested = op.spec.nested;
  if (!nested) return false;
  const { pairs, missing, extra } = pairChildren(
    nested,
    childrenOf(op.want, nested.field),
    childrenOf(op.live, nested.field),
    true,
  );
  return missing.length + extra.length > 0 || pairs.some(([w, l]) => !carries(childForWrite(nested, w), l));
}

const outcome = (
  item: PlannedItem,
  fields: Partial<ItemOutcome> & Pick<ItemOutcome, "status" | "message">,
): ItemOutcome => ({
  action: item.action,
  newId: null,
  beforeVersionId: null,
  afterVersionId: null,
  mismatches: [],
  ...fields,
});

/**
 * Applies planned items of one type: updates of fields and existing variants in batches, the rest
 * through `applyItem`. `hooks.shouldStop` is asked before each write; the items not written stay
 * pending for the caller's next plan.
 */
export async function applyItems(
  ctx: RestoreContext,
  items: PlannedItem[],
  hooks: BatchHooks,
): Promise<void> {
  if (items.length === 0) return;
  const type = getType(items[0].type);
  const childUpdates = new Map<PlannedItem, ChildUpdate[]>();
  for (const item of items) {
    const ops = batchedChildUpdates(type, item);
    if (ops) childUpdates.set(item, ops);
  }

  let recreated = false;
  for (const item of items.filter((i) => !childUpdates.has(i))) {
    if (await hooks.shouldStop?.()) return;
    let result: ItemOutcome;
    try {
      result = await applyItem(ctx, item);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      result = outcome(item, {
        status: "error",
        message: `${bigCommerceMessage(err)}. Nothing was changed.`,
      });
    }
    recreated ||= result.newId !== null;
    await hooks.onOutcomes([{ item, outcome: result }]);
  }
  // A re-created record's new id may have been relinked into records planned with it (related
  // products): their plan is stale, so they wait for the next plan.
  if (recreated || childUpdates.size === 0) return;
  await applyBatchedUpdates(ctx, type, childUpdates, hooks);
}

async function applyBatchedUpdates(
  ctx: RestoreContext,
  type: ContentType,
  childUpdates: Map<PlannedItem, ChildUpdate[]>,
  hooks: BatchHooks,
): Promise<void> {
  const items = [...childUpdates.keys()];
  const before = await saveVersions(
    ctx,
    type,
    items.map((i) => ({ recordId: liveIdOf(i), body: i.live as ApiRecord })),
    "before_restore",
  );
  await hooks.onSnapshot?.(
    items.map((item) => ({ item, beforeVersionId: before.get(liveIdOf(item)) ?? null })),
  );

  const update = type.restore.mode === "automatic" ? type.restore.update : undefined;
  if (!update) throw new Error(`${type.label} cannot be updated in place`);
  const perRecord = update.path.includes("{id}") || update.batch <= 1;
  // Per-parent types (price list records) are written to their parent's endpoint, a batch per parent.
  const byParent = new Map<string, PlannedItem[]>();
  for (const item of items) {
    const parent = varsOf(type, liveIdOf(item)).parent ?? "";
    byParent.set(parent, [...(byParent.get(parent) ?? []), item]);
  }
  const size = perRecord ? 1 : update.batch;
  for (const [parent, group] of byParent) {
    for (let i = 0; i < group.length; i += size) {
      if (await hooks.shouldStop?.()) return;
      const batch = group.slice(i, i + size);
      await hooks.onOutcomes(await writeBatch(ctx, type, parent, batch, childUpdates, before));
    }
  }
}

const liveIdOf = (i: PlannedItem) => i.liveId as string;

/** A write's answer without sub-resource lists: those the restore did not write are as read before it. */
function ownFields(type: ContentType, answered: ApiRecord): ApiRecord {
  const lists = new Set([
    ...(writeSpecOf(type.key).children ?? []).map((c) => c.field),
    ...(type.children ?? []).flatMap((c) => ("pick" in c ? c.pick : [c.into])),
  ]);
  return Object.fromEntries(Object.entries(answered).filter(([k]) => !lists.has(k)));
}

type Inherited = (child: ApiRecord, record: ApiRecord) => unknown;

/**
 * Read-only fields of sub-resources that BigCommerce derives from the record's own fields where the
 * sub-resource has none of its own: a variant without a price shows the product's. Writing the record
 * changes them, but the batch write answers without its sub-resources (PUT /catalog/products takes no
 * `include`), so they are derived here instead of read again.
 */
const INHERITED: Record<string, Record<string, Inherited>> = {
  variants: {
    calculated_price: (v, p) => {
      const price = v.price ?? p.price ?? 0;
      const sale = Number(v.sale_price ?? p.sale_price ?? 0);
      return sale > 0 ? sale : price;
    },
    calculated_weight: (v, p) => v.weight ?? p.weight ?? 0,
  },
};

/** The record's sub-resources with the fields they inherit from it recomputed from its state after the write. */
function withInherited(type: ContentType, after: ApiRecord): ApiRecord {
  const out = { ...after };
  for (const [field, derive] of Object.entries(INHERITED)) {
    if (!Array.isArray(out[field])) continue;
    if (!(writeSpecOf(type.key).children ?? []).some((c) => c.field === field)) continue;
    out[field] = childrenOf(out, field).map((c) => {
      const next = { ...c };
      for (const [key, fn] of Object.entries(derive)) if (key in c) next[key] = fn(c, out);
      return next;
    });
  }
  return out;
}

/**
 * One write batch: the records' own fields in one call (records whose fields already match are left
 * out), then their variant updates 50 to a call. The state after comes from what BigCommerce answers
 * to those writes; only records whose write answered without them are read again.
 */
async function writeBatch(
  ctx: RestoreContext,
  type: ContentType,
  parent: string,
  batch: PlannedItem[],
  childUpdates: Map<PlannedItem, ChildUpdate[]>,
  before: Map<string, number>,
): Promise<{ item: PlannedItem; outcome: ItemOutcome }[]> {
  const update = (type.restore.mode === "automatic" && type.restore.update) as {
    path: string;
    batch: number;
  };
  // Records name themselves in a batch by their one id field; compound ids (price list records) are in the body.
  const idField = typeof type.idField === "string" ? type.idField : null;
  const refused = new Map<PlannedItem, string>();
  const partial = new Map<PlannedItem, string>();
  const changed = new Set<PlannedItem>();
  const returned = new Map<string, ApiRecord>();

  const writeAlone = async (item: PlannedItem) => {
    try {
      await writeFields(ctx.client, type, liveIdOf(item), topLevelBody(type, item.target as ApiRecord));
      changed.add(item);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      refused.set(item, bigCommerceMessage(err));
    }
  };
  const fieldsDiffer = batch.filter(
    (i) => differingFields(topLevelBody(type, i.target as ApiRecord, false), i.live as ApiRecord).length > 0,
  );
  if (update.path.includes("{id}") || update.batch <= 1) {
    for (const item of fieldsDiffer) await writeAlone(item);
  } else if (fieldsDiffer.length > 0) {
    try {
      const { status, body } = await ctx.client.request<{
        data?: ApiRecord[];
        errors?: { title?: string }[];
      }>("PUT", type.api, update.path.replace("{parent}", encodeURIComponent(parent)), {
        body: fieldsDiffer.map((item) => ({
          ...(idField ? { [idField]: asIdValue(varsOf(type, liveIdOf(item)).id) } : {}),
          ...topLevelBody(type, item.target as ApiRecord),
        })),
      });
      for (const item of fieldsDiffer) changed.add(item);
      for (const r of Array.isArray(body?.data) ? body.data : [])
        returned.set(recordIdOf(type, r, type.parent ? parent : undefined), r);
      if (status === 207) {
        const why = (body?.errors ?? []).map((e) => e.title).filter(Boolean);
        for (const item of fieldsDiffer)
          partial.set(
            item,
            `BigCommerce refused part of the batch (207): ${why.join("; ") || "no reason given"}`,
          );
      }
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // The whole batch was refused: write each record alone to learn which one BigCommerce objects to.
      for (const item of fieldsDiffer) await writeAlone(item);
    }
  }

  // Sub-resource updates of records whose own fields were not refused, a batch endpoint at a time.
  const childAfter = new Map<string, ApiRecord>();
  const childKey = (field: string, id: unknown) => `${field}:${String(id)}`;
  const byEndpoint = new Map<string, { item: PlannedItem; op: ChildUpdate }[]>();
  for (const item of batch) {
    if (refused.has(item)) continue;
    for (const op of childUpdates.get(item) ?? [])
      byEndpoint.set(op.spec.path, [...(byEndpoint.get(op.spec.path) ?? []), { item, op }]);
  }
  const childBody = ({ item, op }: { item: PlannedItem; op: ChildUpdate }) =>
    childForWrite(
      op.spec,
      op.spec.prepare ? op.spec.prepare(op.want, item.live as ApiRecord, item.target as ApiRecord) : op.want,
    );
  for (const ops of byEndpoint.values()) {
    const endpoint = ops[0].op.spec.batchUpdate as { path: string; max: number };
    for (let i = 0; i < ops.length; i += endpoint.max) {
      const chunk = ops.slice(i, i + endpoint.max);
      try {
        const { status, body } = await ctx.client.request<{
          data?: ApiRecord[];
          errors?: { title?: string }[];
        }>("PUT", type.api, endpoint.path, {
          body: chunk.map((c) => ({ [c.op.spec.idField]: c.op.live[c.op.spec.idField], ...childBody(c) })),
        });
        for (const c of chunk) changed.add(c.item);
        const field = chunk[0].op.spec.field;
        for (const r of Array.isArray(body?.data) ? body.data : [])
          childAfter.set(childKey(field, r[chunk[0].op.spec.idField]), r);
        // Accepted whole but not answered: the sub-resource is as written (after a 207 it may not be).
        if (status !== 207)
          for (const c of chunk) {
            const key = childKey(field, c.op.live[c.op.spec.idField]);
            if (!childAfter.has(key)) childAfter.set(key, childBody(c));
          }
        if (status === 207) {
          const why = (body?.errors ?? []).map((e) => e.title).filter(Boolean);
          for (const c of chunk)
            partial.set(
              c.item,
              `BigCommerce refused part of the batch (207): ${why.join("; ") || "no reason given"}`,
            );
        }
      } catch (err) {
        if (!isRefusal(err)) throw err;
        // Refused as a whole: each sub-resource alone, at its own path, to learn which one is refused.
        for (const c of chunk) {
          const own = String(c.op.live[c.op.spec.idField]);
          const path = `${c.op.spec.path.replace("{id}", encodeURIComponent(varsOf(type, liveIdOf(c.item)).id))}/${encodeURIComponent(own)}`;
          try {
            const { body } = await ctx.client.request<{ data?: ApiRecord }>("PUT", type.api, path, {
              body: childBody(c),
            });
            changed.add(c.item);
            childAfter.set(childKey(c.op.spec.field, own), body?.data ?? childBody(c));
          } catch (e) {
            if (!isRefusal(e)) throw e;
            if (!refused.has(c.item)) refused.set(c.item, bigCommerceMessage(e));
          }
        }
      }
    }
  }

  // The state after: the records' own fields as the write answered them (read again when it did not),
  // their sub-resources as before but for what they inherit from those fields and for those the
  // restore wrote, as their write answered them.
  const unanswered = batch.filter(
    (i) => changed.has(i) && !returned.has(liveIdOf(i)) && fieldsDiffer.includes(i),
  );
  const reread = unanswered.length > 0 ? await readLive(ctx, type, unanswered.map(liveIdOf)) : new Map();
  const afterOf = (item: PlannedItem): ApiRecord | undefined => {
    const id = liveIdOf(item);
    if (unanswered.includes(item)) return reread.get(id);
    const answered = returned.get(id);
    let after: ApiRecord = { ...(item.live as ApiRecord), ...ownFields(type, answered ?? {}) };
    if (answered) after = withInherited(type, after);
    for (const op of childUpdates.get(item) ?? []) {
      const field = op.spec.field;
      // Merged over the live one: the answer leaves out what was read separately (a variant's metafields).
      after[field] = childrenOf(after, field).map((c) => ({
        ...c,
        ...(childAfter.get(childKey(field, c[op.spec.idField])) ?? {}),
      }));
    }
    return after;
  };
  const afters = new Map(batch.map((item) => [item, afterOf(item)]));
  await stageVersions(
    ctx,
    type,
    batch.flatMap((item) => {
      const body = afters.get(item);
      return changed.has(item) && body ? [{ recordId: liveIdOf(item), body }] : [];
    }),
    "restore",
  );

  return batch.map((item) => {
    const beforeVersionId = before.get(liveIdOf(item)) ?? null;
    const now = afters.get(item);
    const reason = refused.get(item);
    if (reason)
      return {
        item,
        outcome: outcome(item, {
          status: "error",
          beforeVersionId,
          message: changed.has(item)
            ? `${reason}. Part of the record was already changed; undo this restore to return to the state saved before it.`
            : `${reason}. Nothing was changed.`,
        }),
      };
    if (!now)
      return {
        item,
        outcome: outcome(item, {
          status: "error",
          beforeVersionId,
          message: "BigCommerce does not return the record after the restore.",
        }),
      };
    const missing = mismatches(type, item.target as ApiRecord, now, true);
    if (missing.length > 0 && partial.has(item)) {
      const untouched = mismatches(type, item.live as ApiRecord, now, true).length === 0;
      return {
        item,
        outcome: outcome(item, {
          status: "error",
          beforeVersionId,
          mismatches: missing,
          message: `${partial.get(item)}.${untouched ? " Nothing was changed." : ""}`,
        }),
      };
    }
    return {
      item,
      outcome: outcome(item, {
        status: "done",
        beforeVersionId,
        mismatches: missing,
        message:
          missing.length > 0
            ? `Restored. BigCommerce did not accept ${missing.length} field${missing.length === 1 ? "" : "s"}: ${missing.slice(0, 20).join("; ")}.`
            : "Restored.",
      }),
    };
  });
}
