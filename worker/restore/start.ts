import { eq } from "drizzle-orm";
import { storeJobs } from "../backup/schedule";
import { getDb } from "../db/client";
import { restores } from "../db/schema";
import { conflict, HttpError } from "../lib/errors";
import { createRestore, discardRestore, getRestore, type NewRestore } from "./restore-log";

/**
 * Records a restore and hands it to the store's Durable Object as a "restore" job. Refused (409
 * `job_running`) while a backup or another restore of the store runs; the refused restore leaves
 * no trace.
 */
export async function startRestore(env: Env, input: NewRestore): Promise<string> {
  const restoreId = await createRestore(env, input);
  try {
    const started = await storeJobs(env, input.storeHash).startJob("restore", { restoreId });
    // The Durable Object answers (not throws) when the store already runs a job.
    if (!started.started) throw new Error(started.message);
  } catch (err) {
    await discardRestore(env, restoreId);
    const message = err instanceof Error ? err.message : String(err);
    if (/already running/i.test(message)) throw conflict(message, "job_running");
    throw err;
  }
  return restoreId;
}

/**
 * Undo: every record the restore changed goes back to the version saved just before it was changed;
 * a record it re-created is deleted again.
 */
export async function startUndo(
  env: Env,
  storeHash: string,
  restoreId: string,
  createdBy: string,
): Promise<string> {
  const found = await getRestore(env, storeHash, restoreId);
  if (!found) throw new HttpError(404, "not_found", "This restore does not exist for your store.");
  const { restore, items } = found;
  if (restore.undoneBy) throw conflict("This restore was already undone.", "already_undone");
  if (restore.status === "planned" || restore.status === "progressing")
    throw conflict("Wait for the restore to finish before undoing it.", "restore_running");
  const changed = items.filter((i) => i.status === "done" && i.action !== "unchanged");
  if (changed.length === 0)
    throw conflict("This restore changed nothing, so there is nothing to undo.", "nothing_to_undo");

  const beforeIds = changed.map((i) => i.beforeVersionId).filter((v): v is number => v !== null);
  const { results } = await env.DB.prepare(
    "select id, record_id from versions where store_hash = ? and id in (select value from json_each(?))",
  )
    .bind(storeHash, JSON.stringify(beforeIds))
    .all<{ id: number; record_id: string }>();
  const recordOf = new Map(results.map((r) => [r.id, r.record_id]));

  const undoItems = changed.map((i) => {
    if (i.action === "create" || i.beforeVersionId === null) {
      return { type: i.type, recordId: i.recordId, displayName: i.displayName, versionId: null };
    }
    return {
      type: i.type,
      recordId: recordOf.get(i.beforeVersionId) ?? i.recordId,
      displayName: i.displayName,
      versionId: i.beforeVersionId,
    };
  });
  const undoId = await startRestore(env, {
    storeHash,
    kind: "undo",
    createdBy,
    targetAt: restore.createdAt,
    undoOf: restore.id,
    emails: restore.emails,
    // The undo of a bulk restore is as large as the restore: batched the same way.
    options: { batched: restore.kind === "bulk" || Boolean(restore.options?.batched) },
    items: undoItems,
  });
  await getDb(env).update(restores).set({ undoneBy: undoId }).where(eq(restores.id, restore.id));
  return undoId;
}
