import { toCaptured } from "../backup/capture";
import {
  type ApiRecord,
  BigCommerceError,
  recordIdOf,
  splitParentId,
  withParent,
} from "../bigcommerce/client";
import { type ContentType, getType } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { mapAt, valuesAt } from "./body-paths";
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
import { mismatches, planChildren, topLevelBody, varsOf, writeFields } from "./write-record";

/**
 * The restore engine for many records of one type at once (bulk recovery, its undo and retries).
 * Same decisions as `planItem`/`applyItem`, fewer calls:
 *
 *   const items = await planItems(ctx, targets);   // one list call per 250 live records, vault bodies by pack
 *   await applyItems(ctx, items, hooks);            // top-level-only updates in the registry's batch size
 *
 * Records whose change needs more than their own fields (re-creates, deletions, sub-resources,
 * natural-key conflicts) go through `applyItem` one by one. `hooks.onSnapshot` hears which
 * before-restore version holds each record's live state before anything is written, so a step
 * interrupted after writing still knows what it changed; `hooks.onOutcomes` hears results as they come.
 */

export type BatchHooks = {
  onSnapshot?: (saved: { item: PlannedItem; beforeVersionId: number | null }[]) => Promise<void>;
  onOutcomes: (results: { item: PlannedItem; outcome: ItemOutcome }[]) => Promise<void>;
};

/** Records read per list call when the API filters by id. */
const READ_CHUNK = 250;

/** The `x:in` filter that lists many records of the type by id in one call, or null when it has none. */
export function idFilterOf(type: ContentType): string | null {
  if (type.api !== "v3" || type.parent || typeof type.idField !== "string" || type.idField.includes("."))
    return null;
  if (type.list.paging !== "v3_page" && type.list.paging !== "v3_cursor") return null;
  return `${type.idField}:in`;
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
  for (let i = 0; i < liveIds.length; i += READ_CHUNK) {
    const chunk = liveIds.slice(i, i + READ_CHUNK);
    const { body } = await ctx.client.request<{ data?: ApiRecord[] }>("GET", type.api, type.list.path, {
      query: { ...(type.list.query ?? {}), [filter]: chunk.join(","), limit: READ_CHUNK },
    });
    const records = (body?.data ?? []).filter((r) => chunk.includes(recordIdOf(type, r)));
    await ctx.client.fetchChildren(type, records);
    for (const r of records) out.set(recordIdOf(type, r), r);
  }
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

type VersionRow = {
  id: number;
  storeHash: string;
  recordId: string;
  change: "created" | "updated" | "deleted";
  packId: string | null;
  offset: number | null;
  length: number | null;
  capturedAt: number;
  displayName: string;
};

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
            captured_at as capturedAt, display_name as displayName
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

/** A refusal (4xx other than 429) is the record's result; anything else retries the step. */
export function isRefusal(err: unknown): boolean {
  return (
    err instanceof RestoreInputError ||
    (err instanceof BigCommerceError && err.status >= 400 && err.status < 500 && err.status !== 429)
  );
}

const asIdValue = (id: string): string | number => (/^\d+$/.test(id) ? Number(id) : id);

/** An update that touches only the record's own fields: written in batches, verified by one re-read. */
function isFieldOnlyUpdate(type: ContentType, item: PlannedItem): boolean {
  if (item.action !== "update" || !item.target || !item.live || !item.liveId || item.conflicts.length > 0)
    return false;
  if (type.list.paging === "singletons") return false;
  return planChildren(writeSpecOf(type.key).children ?? [], item.target, item.live, true).length === 0;
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

/** Applies planned items of one type: field-only updates batched, the rest through `applyItem`. */
export async function applyItems(
  ctx: RestoreContext,
  items: PlannedItem[],
  hooks: BatchHooks,
): Promise<void> {
  if (items.length === 0) return;
  const type = getType(items[0].type);
  const batched = items.filter((i) => isFieldOnlyUpdate(type, i));
  const single = items.filter((i) => !batched.includes(i));

  for (const item of single) {
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
    await hooks.onOutcomes([{ item, outcome: result }]);
  }
  if (batched.length > 0) await applyFieldUpdates(ctx, type, batched, hooks);
}

async function applyFieldUpdates(
  ctx: RestoreContext,
  type: ContentType,
  items: PlannedItem[],
  hooks: BatchHooks,
): Promise<void> {
  const liveIdOf = (i: PlannedItem) => i.liveId as string;
  const before = await saveVersions(
    ctx,
    type,
    items.map((i) => ({ recordId: liveIdOf(i), body: i.live as ApiRecord })),
    "before_restore",
  );
  await hooks.onSnapshot?.(
    items.map((item) => ({ item, beforeVersionId: before.get(liveIdOf(item)) ?? null })),
  );

  const { update } = type.restore.mode === "automatic" ? type.restore : { update: null };
  if (!update) throw new Error(`${type.label} cannot be written`);
  // Records name themselves in a batch by their one id field; compound ids (price list records) are in the body.
  const idField = typeof type.idField === "string" ? type.idField : null;
  const refused = new Map<PlannedItem, string>();
  const partial = new Map<PlannedItem, string>();
  const perRecord = update.path.includes("{id}") || update.batch <= 1;
  const write = async (item: PlannedItem) => {
    try {
      await writeFields(ctx.client, type, liveIdOf(item), topLevelBody(type, item.target as ApiRecord));
    } catch (err) {
      if (!isRefusal(err)) throw err;
      refused.set(item, bigCommerceMessage(err));
    }
  };
  if (perRecord) {
    for (const item of items) await write(item);
  } else {
    // Per-parent types (price list records) are written to their parent's endpoint, a batch per parent.
    const byParent = new Map<string, PlannedItem[]>();
    for (const item of items) {
      const parent = varsOf(type, liveIdOf(item)).parent ?? "";
      byParent.set(parent, [...(byParent.get(parent) ?? []), item]);
    }
    for (const [parent, group] of byParent) {
      const path = update.path.replace("{parent}", encodeURIComponent(parent));
      for (let i = 0; i < group.length; i += update.batch) {
        const chunk = group.slice(i, i + update.batch);
        try {
          const { status, body } = await ctx.client.request<{ errors?: { title?: string }[] }>(
            "PUT",
            type.api,
            path,
            {
              body: chunk.map((item) => ({
                ...(idField ? { [idField]: asIdValue(varsOf(type, liveIdOf(item)).id) } : {}),
                ...topLevelBody(type, item.target as ApiRecord),
              })),
            },
          );
          if (status === 207) {
            const why = (body?.errors ?? []).map((e) => e.title).filter(Boolean);
            for (const item of chunk)
              partial.set(
                item,
                `BigCommerce refused part of the batch (207): ${why.join("; ") || "no reason given"}`,
              );
          }
        } catch (err) {
          if (!isRefusal(err)) throw err;
          // The whole batch was refused: write each record alone to learn which one BigCommerce objects to.
          for (const item of chunk) await write(item);
        }
      }
    }
  }

  const after = await readLive(ctx, type, items.map(liveIdOf));
  const restored = await saveVersions(
    ctx,
    type,
    items.flatMap((i) => {
      const body = after.get(liveIdOf(i));
      return body ? [{ recordId: liveIdOf(i), body }] : [];
    }),
    "restore",
  );
  const results = items.map((item) => {
    const beforeVersionId = before.get(liveIdOf(item)) ?? null;
    const now = after.get(liveIdOf(item));
    const reason = refused.get(item);
    if (reason)
      return {
        item,
        outcome: outcome(item, {
          status: "error",
          beforeVersionId,
          message: `${reason}. Nothing was changed.`,
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
    const afterVersionId = restored.get(liveIdOf(item)) ?? null;
    if (missing.length > 0 && partial.has(item)) {
      const untouched = mismatches(type, item.live as ApiRecord, now, true).length === 0;
      return {
        item,
        outcome: outcome(item, {
          status: "error",
          beforeVersionId,
          afterVersionId,
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
        afterVersionId,
        mismatches: missing,
        message:
          missing.length > 0
            ? `Restored. BigCommerce did not accept ${missing.length} field${missing.length === 1 ? "" : "s"}: ${missing.slice(0, 20).join("; ")}.`
            : "Restored.",
      }),
    };
  });
  await hooks.onOutcomes(results);
}
