import { toCaptured } from "../backup/capture";
import { readVersionBody } from "../backup/vault-read";
import type { VaultWriter } from "../backup/vault-writer";
import { type ApiRecord, type BigCommerceClient, BigCommerceError, readPath } from "../bigcommerce/client";
import { type ContentType, getType } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import type { Version } from "../db/schema";
import { planImageUploads, uploadImages } from "../images/restore-images";
import { accessRevoked } from "../jobs/store-jobs";
import { valuesAt } from "./body-paths";
import { liveIdOf, remapReferences, saveIdMapping } from "./id-map";
import { relinkReferences } from "./relink";
import {
  createRecord,
  deleteRecord,
  mismatches,
  planChildren,
  syncChildren,
  updateRecord,
  varsOf,
} from "./write-record";

/**
 * The restore engine: one record at a time, shared by single-record restore, bulk recovery and undo.
 *
 *   const item = await planItem(ctx, { type, recordId, versionId });   // reads only: dry run
 *   const outcome = await applyItem(ctx, item);                        // snapshot, write, verify
 *
 * `planItem` finds where the record lives now (following re-creations in `id_map`), what it takes
 * (update, create, delete or nothing), how many calls, and natural-key conflicts. `applyItem` writes
 * nothing when there is a conflict; otherwise it saves the live record as a `before_restore` version,
 * writes, re-reads, records a `restore` version and reports the fields BigCommerce did not accept.
 */

export type RestoreContext = {
  env: Env;
  storeHash: string;
  client: BigCommerceClient;
  /** The store's vault writer (its Durable Object's): before-restore and restored versions go through it. */
  vault: VaultWriter;
  now: () => number;
};

/** Bring record `recordId` to version `versionId`; `versionId: null` means the record should not exist (undo of a re-create). */
export type RestoreTarget = { type: string; recordId: string; versionId: number | null };

export type RestoreAction = "update" | "create" | "delete" | "unchanged";

export type PlannedItem = {
  type: string;
  recordId: string;
  displayName: string;
  action: RestoreAction;
  /** Where the record lives now (its id after re-creations), null when BigCommerce no longer has it. */
  liveId: string | null;
  fromVersionId: number | null;
  /** When the target version was captured: references are relinked as the vault saw them then. */
  targetAt: number | null;
  /** The version's body with references pointing at current ids; null for a deletion. */
  target: ApiRecord | null;
  live: ApiRecord | null;
  /** Why the restore cannot go ahead (a natural key held by another record). Nothing is written when set. */
  conflicts: string[];
  /** BigCommerce calls the writes will take (reads and verification aside). */
  calls: number;
};

export type ItemOutcome = {
  status: "done" | "error" | "skipped";
  action: RestoreAction;
  /** The record's id after a re-create. */
  newId: string | null;
  beforeVersionId: number | null;
  afterVersionId: number | null;
  /** Fields and sub-resources of the version the live record does not carry after the restore. */
  mismatches: string[];
  message: string;
};

type VersionRow = Pick<
  Version,
  | "id"
  | "storeHash"
  | "type"
  | "recordId"
  | "change"
  | "packId"
  | "offset"
  | "length"
  | "bodyOffset"
  | "size"
  | "capturedAt"
  | "displayName"
>;

async function loadVersion(ctx: RestoreContext, t: RestoreTarget): Promise<VersionRow> {
  const row = await ctx.env.DB.prepare(
    `select id, store_hash as storeHash, type, record_id as recordId, change, pack_id as packId, "offset", length,
            body_offset as bodyOffset, size, captured_at as capturedAt, display_name as displayName
     from versions where id = ? and store_hash = ? and type = ? and record_id = ?`,
  )
    .bind(t.versionId, ctx.storeHash, t.type, t.recordId)
    .first<VersionRow>();
  if (!row)
    throw new RestoreInputError(
      `Version ${t.versionId} of ${t.type} ${t.recordId} is not in this store's vault.`,
    );
  return row;
}

/** Whether BigCommerce updates the type's records in place; when not, an update deletes and re-creates. */
const updatesInPlace = (type: ContentType) => type.restore.mode === "automatic" && !!type.restore.update;

/** Bad input (unknown version, team-assisted type): the restore is refused before it starts. */
export class RestoreInputError extends Error {}

export async function planItem(ctx: RestoreContext, t: RestoreTarget): Promise<PlannedItem> {
  const type = getType(t.type);
  if (type.restore.mode !== "automatic")
    throw new RestoreInputError(`${type.label} are restored with our team's help: ${type.restore.reason}`);
  const readOnly = writeSpecOf(type.key).readOnlyRecords?.[t.recordId];
  if (readOnly) throw new RestoreInputError(readOnly);
  const version = t.versionId === null ? null : await loadVersion(ctx, t);
  const body = version ? await readVersionBody<ApiRecord>(ctx.env, version) : null;
  const liveId = await liveIdOf(ctx.env.DB, ctx.storeHash, type.key, t.recordId);
  const live = await ctx.client.getRecord(type, liveId);
  const target = body ? await remapReferences(ctx.env.DB, ctx.storeHash, type.key, body) : null;

  let action: RestoreAction;
  if (!target) action = live ? "delete" : "unchanged";
  else if (!live) action = "create";
  else action = mismatches(type, target, live, true).length === 0 ? "unchanged" : "update";

  const conflicts =
    target && (action === "create" || action === "update")
      ? [
          ...(await missingReferences(ctx, type, target)),
          ...(await naturalKeyConflicts(ctx, type, target, live ? liveId : null, live)),
        ]
      : [];
  return {
    type: type.key,
    recordId: t.recordId,
    displayName: version?.displayName ?? (await currentName(ctx, type.key, t.recordId)),
    action,
    liveId: live ? liveId : null,
    fromVersionId: version?.id ?? null,
    targetAt: version?.capturedAt ?? null,
    target,
    live,
    conflicts,
    calls: estimateCalls(type, action, target, live),
  };
}

async function currentName(ctx: RestoreContext, type: string, recordId: string): Promise<string> {
  const row = await ctx.env.DB.prepare(
    "select display_name from records where store_hash = ? and type = ? and record_id = ?",
  )
    .bind(ctx.storeHash, type, recordId)
    .first<{ display_name: string }>();
  return row?.display_name ?? recordId;
}

export function estimateCalls(
  type: ContentType,
  action: RestoreAction,
  target: ApiRecord | null,
  live: ApiRecord | null,
): number {
  const specs = writeSpecOf(type.key).children ?? [];
  if (action === "unchanged") return 0;
  if (action === "delete") return 1;
  if (action === "update" && !updatesInPlace(type)) return 1 + estimateCalls(type, "create", target, null);
  if (action === "create" && target) {
    // The create carries the embedded sub-resources; the others are added one call each (array endpoints one call per list).
    const rest = planChildren(
      specs.filter((s) => !s.embedInCreate),
      target,
      {},
      false,
    );
    return 2 + rest.length + specs.filter((s) => s.nested).length;
  }
  if (!target || !live) return 0;
  return 1 + planChildren(specs, target, live, true).length;
}

/**
 * Natural keys (SKU, name, email...) another live record holds now. Checked before anything is
 * written: BigCommerce would refuse the write with a 409 half-way through a record's sub-resources.
 */
export async function naturalKeyConflicts(
  ctx: RestoreContext,
  type: ContentType,
  target: ApiRecord,
  liveId: string | null,
  live: ApiRecord | null = null,
): Promise<string[]> {
  const out: string[] = [];
  const ownId = liveId === null ? null : varsOf(type, liveId).id;
  for (const check of writeSpecOf(type.key).unique ?? []) {
    // A key the live record holds itself is no one else's (the store keeps it unique).
    const own = new Set(live ? valuesAt(live, check.field).map(String) : []);
    const values = [
      ...new Set(
        valuesAt(target, check.field)
          .filter((v) => v !== null && v !== undefined && v !== "")
          .map(String),
      ),
    ].filter((v) => !own.has(v));
    if (values.length === 0) continue;
    const batches = check.param.endsWith(":in") ? chunk(values, 50) : values.map((v) => [v]);
    for (const batch of batches) {
      const { body } = await ctx.client.request<{ data?: ApiRecord[] } | ApiRecord[]>(
        "GET",
        type.api,
        check.path,
        {
          query: { [check.param]: batch.join(","), limit: 250 },
        },
      );
      const found = Array.isArray(body) ? body : (body?.data ?? []);
      const idField = typeof type.idField === "string" ? type.idField : type.idField[0];
      for (const rec of found) {
        const owner = String(readPath(rec, check.owner ?? idField));
        if (ownId !== null && owner === ownId) continue;
        const key = check.field.split(".").pop()?.replace("[]", "") ?? check.field;
        const value = String(readPath(rec, key) ?? batch[0]);
        if (!batch.includes(value)) continue;
        const name = check.owner
          ? `${singular(type.label)} #${owner}`
          : `"${String(rec.name ?? rec.email ?? owner)}" (#${owner})`;
        out.push(
          `The ${check.label} "${value}" now belongs to another ${name}. Change it there (or restore that record first), then restore again.`,
        );
      }
    }
  }
  return out;
}

/**
 * Records the version points to that the vault saw deleted (and that were not re-created since): the
 * write would fail on them, so the merchant is told which to restore first.
 */
async function missingReferences(
  ctx: RestoreContext,
  type: ContentType,
  target: ApiRecord,
): Promise<string[]> {
  const out: string[] = [];
  for (const ref of writeSpecOf(type.key).refs ?? []) {
    if (ref.when && !ref.when(target)) continue;
    const ids = [...new Set(valuesAt(target, ref.path).map(String))].filter(
      (id) => !["0", "-1", ""].includes(id),
    );
    if (ids.length === 0) continue;
    const { results } = await ctx.env.DB.prepare(
      `select r.record_id, r.display_name from records r
       where r.store_hash = ? and r.type = ? and r.deleted = 1 and r.record_id in (select value from json_each(?))
         and not exists (select 1 from id_map m where m.store_hash = r.store_hash and m.type = r.type and m.old_id = r.record_id)`,
    )
      .bind(ctx.storeHash, ref.type, JSON.stringify(ids))
      .all<{ record_id: string; display_name: string }>();
    const label = singular(getType(ref.type).label);
    for (const r of results) {
      out.push(
        `It points to the ${label} "${r.display_name}" (#${r.record_id}), which was deleted too: restore that ${label} first, then this record.`,
      );
    }
  }
  return out;
}

/** "Categories" → "category": the registry's labels are plural. */
const singular = (label: string) => label.toLowerCase().replace(/ies$/, "y").replace(/s$/, "");

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * Saves `body` (null: a deletion) as a version of the record and flushes it to the vault, so it is
 * durable before the store is changed. Returns the version that now holds that state (an existing
 * one when the vault already had exactly this content).
 */
async function saveVersion(
  ctx: RestoreContext,
  type: ContentType,
  recordId: string,
  body: ApiRecord | null,
  source: "before_restore" | "restore",
  displayName: string,
): Promise<number | null> {
  const parentId = type.parent ? recordId.slice(0, recordId.indexOf(":")) : undefined;
  const captured = body
    ? toCaptured(type, [body], parentId)[0]
    : { recordId, body: null, displayName, searchText: `${displayName} ${recordId}`.toLowerCase() };
  captured.recordId = recordId;
  const { entries } = await ctx.vault.prepare(
    { storeHash: ctx.storeHash, type: type.key, backupId: null, source, capturedAt: ctx.now() },
    [captured],
  );
  ctx.vault.commit(entries);
  await ctx.vault.flush();
  const row = await ctx.env.DB.prepare(
    "select id from versions where store_hash = ? and type = ? and record_id = ? order by captured_at desc, id desc limit 1",
  )
    .bind(ctx.storeHash, type.key, recordId)
    .first<{ id: number }>();
  return row?.id ?? null;
}

/** BigCommerce's own words for a refused write (`title` and per-field `errors`), else the status. */
export function bigCommerceMessage(err: unknown): string {
  // A refused token is no fault of the record: say what the merchant can do about it.
  const revoked = accessRevoked(err);
  if (revoked) return revoked;
  if (err instanceof BigCommerceError) {
    try {
      const parsed = JSON.parse(err.detail) as { title?: string; errors?: Record<string, string> };
      const fields = parsed.errors ? Object.entries(parsed.errors).map(([k, v]) => `${k}: ${v}`) : [];
      return `BigCommerce refused the change (${err.status}): ${[parsed.title, ...fields].filter(Boolean).join("; ")}`;
    } catch {
      return `BigCommerce refused the change (${err.status})${err.detail ? `: ${err.detail.slice(0, 300)}` : ""}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export async function applyItem(ctx: RestoreContext, item: PlannedItem): Promise<ItemOutcome> {
  const type = getType(item.type);
  const base = {
    action: item.action,
    newId: null,
    beforeVersionId: null,
    afterVersionId: null,
    mismatches: [] as string[],
  };
  if (item.conflicts.length > 0) return { ...base, status: "error", message: item.conflicts.join(" ") };
  if (item.action === "unchanged") {
    return {
      ...base,
      status: "skipped",
      message: "The store already matches this version; nothing was changed.",
    };
  }

  const liveRecordId = item.liveId ?? item.recordId;
  const beforeVersionId = item.live
    ? await saveVersion(ctx, type, liveRecordId, item.live, "before_restore", item.displayName)
    : null;
  let finalId = liveRecordId;
  let wrote = false;
  const notes: string[] = [];
  const imageUploads = await planImageUploads(ctx, item);
  try {
    if (item.action === "delete" && item.liveId) {
      wrote = true;
      await deleteRecord(ctx.client, type, item.liveId);
    } else if (item.action === "update" && item.target && item.live && item.liveId && updatesInPlace(type)) {
      wrote = (await updateRecord(ctx.client, type, item.liveId, item.target, item.live)) || wrote;
      const calls = await syncChildren(ctx.client, type, item.liveId, item.target, item.live, true);
      wrote = wrote || calls > 0;
    } else if ((item.action === "create" || item.action === "update") && item.target) {
      // No update endpoint (promotion codes, price list assignments): the live record makes way for the version's.
      if (item.action === "update" && item.liveId) {
        wrote = true;
        await deleteRecord(ctx.client, type, item.liveId);
      }
      const parentId = type.parent ? item.recordId.slice(0, item.recordId.indexOf(":")) : undefined;
      finalId = await createRecord(ctx.client, type, item.target, parentId);
      wrote = true;
      await saveIdMapping(ctx.env.DB, ctx.storeHash, type.key, item.recordId, finalId, ctx.now());
      const created = await ctx.client.getRecord(type, finalId);
      if (created) await syncChildren(ctx.client, type, finalId, item.target, created, false);
      if (finalId !== item.recordId && item.targetAt !== null) {
        const relinked = await relinkReferences(
          ctx.env,
          ctx.client,
          ctx.storeHash,
          type,
          item.recordId,
          finalId,
          item.targetAt,
        );
        for (const r of relinked) notes.push(`${r.records} ${r.label.toLowerCase()} point to it again.`);
      }
    }
    notes.push(...(await uploadImages(ctx, item, finalId, imageUploads)));
  } catch (err) {
    const message = bigCommerceMessage(err);
    return {
      ...base,
      status: "error",
      newId: finalId !== item.recordId ? finalId : null,
      beforeVersionId,
      message: wrote
        ? `${message}. Part of the record was already changed; undo this restore to return to the state saved before it.`
        : `${message}. Nothing was changed.`,
    };
  }

  const after = await ctx.client.getRecord(type, finalId);
  const afterVersionId = await saveVersion(ctx, type, finalId, after, "restore", item.displayName);
  const newId = finalId !== item.recordId ? finalId : null;
  if (item.action === "delete") {
    return after
      ? {
          ...base,
          status: "error",
          beforeVersionId,
          afterVersionId,
          message: "BigCommerce still has the record after deleting it.",
        }
      : {
          ...base,
          status: "done",
          beforeVersionId,
          afterVersionId,
          message: "Deleted, as in the selected state.",
        };
  }
  if (!after)
    return {
      ...base,
      status: "error",
      newId,
      beforeVersionId,
      message: "BigCommerce does not return the record after the restore.",
    };
  const replaced = item.action === "update" && !updatesInPlace(type);
  const missing = item.target
    ? mismatches(type, item.target, after, item.action === "update" && !replaced)
    : [];
  const done = replaced
    ? `Replaced (BigCommerce cannot update ${type.label.toLowerCase()} in place)${newId ? `; the new id is ${newId}` : ""}.`
    : item.action === "create"
      ? `Re-created${newId ? ` with the new id ${newId}` : ""}.`
      : "Restored.";
  return {
    ...base,
    status: "done",
    newId,
    beforeVersionId,
    afterVersionId,
    mismatches: missing,
    message: [
      done,
      ...notes,
      missing.length > 0
        ? `BigCommerce did not accept ${missing.length} field${missing.length === 1 ? "" : "s"}: ${missing.slice(0, 20).join("; ")}.`
        : "",
    ]
      .filter(Boolean)
      .join(" "),
  };
}

/** Plan and apply one record. */
export async function restoreRecord(
  ctx: RestoreContext,
  target: RestoreTarget,
): Promise<{ item: PlannedItem; outcome: ItemOutcome }> {
  const item = await planItem(ctx, target);
  return { item, outcome: await applyItem(ctx, item) };
}
