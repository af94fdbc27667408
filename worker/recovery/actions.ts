import { storeJobs } from "../backup/schedule";
import { getType, restoreOrder } from "../bigcommerce/registry";
import { conflict, notFound, unprocessable } from "../lib/errors";
import { startRestore } from "../restore/start";
import type { DryRun } from "./dry-run";
import { restoreTargets } from "./state-diff";

/**
 * Bulk recovery's actions on the restore engine: start a bulk restore, cancel it between batches,
 * retry its failed records, undo it. All run as the store's "restore" job (batched), so a store runs
 * one restore or backup at a time (409 `job_running` otherwise).
 */

export type BulkRequest = {
  storeHash: string;
  createdBy: string;
  at: number;
  backupId: string | null;
  types: string[];
  deleteCreated: boolean;
  emails: string[];
  plan: DryRun;
};

export async function startBulkRestore(env: Env, req: BulkRequest): Promise<string> {
  const items: { type: string; recordId: string; displayName: string; versionId: number | null }[] = [];
  for (const type of restoreOrder(req.types)) {
    for (const row of await restoreTargets(env.DB, req.storeHash, type, req.at, req.deleteCreated)) {
      items.push({ type, recordId: row.recordId, displayName: row.name, versionId: row.targetVersionId });
    }
  }
  if (items.length === 0) {
    throw unprocessable(
      "Nothing to restore: the selected content types already match this version in the vault. If your store changed since the latest backup, run Backup all data first so the vault sees the change.",
      "types",
    );
  }
  return startRestore(env, {
    storeHash: req.storeHash,
    kind: "bulk",
    createdBy: req.createdBy,
    targetAt: req.at,
    targetBackupId: req.backupId,
    emails: req.emails,
    options: {
      deleteCreated: req.deleteCreated,
      selectedTypes: req.types,
      plan: Object.fromEntries(
        req.plan.types.map((t) => [t.type, { update: t.update, create: t.create, delete: t.delete }]),
      ),
      estimatedCalls: req.plan.calls,
    },
    items,
  });
}

type RestoreRow = {
  id: string;
  kind: "single" | "bulk" | "undo";
  status: "planned" | "progressing" | "done" | "fail" | "cancelled";
  created_at: number;
  emails: string;
  options: string;
  undo_of: string | null;
  undone_by: string | null;
};

export async function loadRestore(env: Env, storeHash: string, restoreId: string): Promise<RestoreRow> {
  const row = await env.DB.prepare(
    "select id, kind, status, created_at, emails, options, undo_of, undone_by from restores where id = ? and store_hash = ?",
  )
    .bind(restoreId, storeHash)
    .first<RestoreRow>();
  if (!row) throw notFound("This restore does not exist for your store.");
  return row;
}

const running = (r: RestoreRow) => r.status === "planned" || r.status === "progressing";

/** Records changed so far, per type and action (what a cancel leaves changed). */
export async function changedSoFar(env: Env, restoreId: string) {
  const { results } = await env.DB.prepare(
    `select type, action, count(*) as n from restore_items
     where restore_id = ? and status = 'done' and action != 'unchanged' group by type, action`,
  )
    .bind(restoreId)
    .all<{ type: string; action: "update" | "create" | "delete"; n: number }>();
  return results.map((r) => ({ type: r.type, label: getType(r.type).label, action: r.action, count: r.n }));
}

/** Asks the running restore to stop after its current batch. */
export async function requestCancel(env: Env, storeHash: string, restoreId: string) {
  const restore = await loadRestore(env, storeHash, restoreId);
  if (!running(restore)) throw conflict("This restore is not running.", "not_running");
  await env.DB.prepare("update restores set options = json_set(options, '$.cancelRequested', 1) where id = ?")
    .bind(restoreId)
    .run();
  return changedSoFar(env, restoreId);
}

/** Runs the records that ended in error again (of one type, or all), in the same restore. */
export async function retryFailed(env: Env, storeHash: string, restoreId: string, type?: string) {
  const restore = await loadRestore(env, storeHash, restoreId);
  if (running(restore)) throw conflict("Wait for the restore to finish before retrying.", "restore_running");
  if (restore.undone_by)
    throw conflict("This restore was undone; start a new restore instead.", "already_undone");
  const typeFilter = type ? "and type = ?2" : "";
  const reset = await env.DB.prepare(
    `update restore_items set status = 'pending', finished_at = null where restore_id = ?1 and status = 'error' ${typeFilter}`,
  )
    .bind(restoreId, ...(type ? [type] : []))
    .run();
  const count = reset.meta.changes ?? 0;
  if (count === 0) throw conflict("There are no failed items to retry.", "nothing_to_retry");
  await env.DB.prepare(
    `update restores set status = 'progressing', finished_at = null, error = null,
       options = json_remove(options, '$.cancelRequested'),
       error_count = (select count(*) from restore_items where restore_id = ?1 and status = 'error')
     where id = ?1`,
  )
    .bind(restoreId)
    .run();
  const started = await storeJobs(env, storeHash).startJob("restore", { restoreId });
  if (!started.started) {
    await env.DB.batch([
      env.DB.prepare(
        "update restore_items set status = 'error' where restore_id = ? and status = 'pending'",
      ).bind(restoreId),
      env.DB.prepare(
        `update restores set status = ?, finished_at = ?,
           error_count = (select count(*) from restore_items where restore_id = ?3 and status = 'error') where id = ?3`,
      ).bind(restore.status, Date.now(), restoreId),
    ]);
    throw conflict(started.message, "job_running");
  }
  return count;
}

/**
 * Undo: every record the restore changed goes back to the version saved just before it changed it;
 * records it re-created are deleted again. Like `startUndo` in restore/start.ts, for every item of a
 * bulk restore (that one reads the first 500, enough for a single-record restore).
 */
export async function undoBulk(
  env: Env,
  storeHash: string,
  restoreId: string,
  createdBy: string,
): Promise<string> {
  const restore = await loadRestore(env, storeHash, restoreId);
  if (restore.undone_by) throw conflict("This restore was already undone.", "already_undone");
  if (running(restore))
    throw conflict("Wait for the restore to finish before undoing it.", "restore_running");
  const { results } = await env.DB.prepare(
    `select i.type, i.record_id, i.display_name, i.action, i.before_version_id, v.record_id as before_record_id
     from restore_items i left join versions v on v.id = i.before_version_id and v.store_hash = i.store_hash
     where i.restore_id = ? and i.status = 'done' and i.action != 'unchanged'`,
  )
    .bind(restoreId)
    .all<{
      type: string;
      record_id: string;
      display_name: string;
      action: string;
      before_version_id: number | null;
      before_record_id: string | null;
    }>();
  if (results.length === 0)
    throw conflict("This restore changed nothing, so there is nothing to undo.", "nothing_to_undo");
  const items = results.map((i) =>
    i.action === "create" || i.before_version_id === null
      ? { type: i.type, recordId: i.record_id, displayName: i.display_name, versionId: null }
      : {
          type: i.type,
          recordId: i.before_record_id ?? i.record_id,
          displayName: i.display_name,
          versionId: i.before_version_id,
        },
  );
  const undoId = await startRestore(env, {
    storeHash,
    kind: "undo",
    createdBy,
    targetAt: restore.created_at,
    undoOf: restore.id,
    emails: JSON.parse(restore.emails) as string[],
    options: { batched: true },
    items,
  });
  await env.DB.prepare("update restores set undone_by = ? where id = ?").bind(undoId, restore.id).run();
  return undoId;
}

/** A restore may be undone once it has finished, changed something and was not undone already. */
export function canUndo(r: { status: string; undone_by: string | null }, changed: number): boolean {
  return !["planned", "progressing"].includes(r.status) && !r.undone_by && changed > 0;
}
