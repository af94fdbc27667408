import { and, desc, eq, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { type Restore, type RestoreItem, restoreItems, restores } from "../db/schema";
import { newId } from "../lib/ids";
import type { ItemOutcome, PlannedItem } from "./engine";

/**
 * The D1 record of restores (`restores`, `restore_items`): what was asked, each record's result,
 * and the versions undo needs. Written by the restore job, read by the item page and Recovery history.
 */

export type NewRestore = {
  storeHash: string;
  kind: Restore["kind"];
  createdBy: string;
  targetAt: number;
  targetBackupId?: string | null;
  emails?: string[];
  options?: Record<string, unknown>;
  undoOf?: string | null;
  /** Each record to bring to `versionId` (null: the record should not exist). */
  items: { type: string; recordId: string; displayName: string; versionId: number | null }[];
};

/** Items per insert statement: their JSON is one bound parameter (D1 allows 100 per statement). */
const ITEMS_PER_STATEMENT = 500;
/** Statements per D1 batch: 10,000 items, far inside a batch's 30 s and a Worker's 1,000 queries. */
const STATEMENTS_PER_BATCH = 20;

/**
 * Records a restore: its items in batches of 10,000 (a 100,000-record bulk restore is 10 batches),
 * then the restore row, which is what makes it exist for Recovery history and the job. A failure
 * part-way removes the items already written.
 */
export async function createRestore(env: Env, input: NewRestore, now = Date.now()): Promise<string> {
  const db = getDb(env);
  const id = newId(now);
  const types = [...new Set(input.items.map((i) => i.type))];
  const insert = env.DB.prepare(
    `insert into restore_items (restore_id, store_hash, type, record_id, display_name, action, status, from_version_id)
     select ?1, ?2, json_extract(value, '$.t'), json_extract(value, '$.r'), json_extract(value, '$.n'), 'update', 'pending',
            json_extract(value, '$.v')
     from json_each(?3)`,
  );
  const statements = chunked(input.items, ITEMS_PER_STATEMENT).map((items) =>
    insert.bind(
      id,
      input.storeHash,
      JSON.stringify(items.map((i) => ({ t: i.type, r: i.recordId, n: i.displayName, v: i.versionId }))),
    ),
  );
  try {
    for (const batch of chunked(statements, STATEMENTS_PER_BATCH)) await env.DB.batch(batch);
    await db.insert(restores).values({
      id,
      storeHash: input.storeHash,
      kind: input.kind,
      status: "planned",
      targetAt: input.targetAt,
      targetBackupId: input.targetBackupId ?? null,
      types,
      emails: input.emails ?? [],
      options: input.options ?? {},
      createdBy: input.createdBy,
      createdAt: now,
      totalCount: input.items.length,
      undoOf: input.undoOf ?? null,
    });
  } catch (err) {
    await env.DB.prepare("delete from restore_items where restore_id = ?").bind(id).run();
    throw err;
  }
  return id;
}

/** Removes a restore that never started (its job was refused). */
export async function discardRestore(env: Env, restoreId: string) {
  const db = getDb(env);
  await db.batch([
    db.delete(restoreItems).where(eq(restoreItems.restoreId, restoreId)),
    db.delete(restores).where(eq(restores.id, restoreId)),
  ]);
}

export async function nextPendingItem(
  env: Env,
  restoreId: string,
  typeOrder: string[],
): Promise<RestoreItem | null> {
  const db = getDb(env);
  const rank = `case type ${typeOrder.map((t, i) => `when '${t.replace(/'/g, "")}' then ${i}`).join(" ")} else ${typeOrder.length} end`;
  const [row] = await db
    .select()
    .from(restoreItems)
    .where(and(eq(restoreItems.restoreId, restoreId), eq(restoreItems.status, "pending")))
    .orderBy(sql.raw(rank), restoreItems.recordId)
    .limit(1);
  return row ?? null;
}

export async function recordOutcome(
  env: Env,
  restoreId: string,
  item: Pick<PlannedItem, "type" | "recordId" | "displayName">,
  outcome: ItemOutcome,
  now = Date.now(),
) {
  const db = getDb(env);
  await db.batch([
    db
      .update(restoreItems)
      .set({
        action: outcome.action,
        status: outcome.status,
        displayName: item.displayName,
        beforeVersionId: outcome.beforeVersionId,
        newId: outcome.newId,
        message: outcome.message,
        finishedAt: now,
      })
      .where(
        and(
          eq(restoreItems.restoreId, restoreId),
          eq(restoreItems.type, item.type),
          eq(restoreItems.recordId, item.recordId),
        ),
      ),
    db
      .update(restores)
      .set({
        status: "progressing",
        successCount: sql`${restores.successCount} + ${outcome.status === "error" ? 0 : 1}`,
        errorCount: sql`${restores.errorCount} + ${outcome.status === "error" ? 1 : 0}`,
      })
      .where(eq(restores.id, restoreId)),
  ]);
}

export async function finishRestore(
  env: Env,
  restoreId: string,
  outcome: "done" | "failed" | "cancelled",
  error?: string,
  now = Date.now(),
) {
  const db = getDb(env);
  const [row] = await db.select().from(restores).where(eq(restores.id, restoreId)).limit(1);
  if (!row) return;
  const status =
    outcome === "cancelled" ? "cancelled" : outcome === "failed" || row.errorCount > 0 ? "fail" : "done";
  await db.batch([
    db
      .update(restoreItems)
      .set({
        status: "skipped",
        message:
          outcome === "cancelled"
            ? "Cancelled before this record was restored."
            : `Not restored: ${error ?? "the restore stopped"}.`,
        finishedAt: now,
      })
      .where(and(eq(restoreItems.restoreId, restoreId), eq(restoreItems.status, "pending"))),
    db
      .update(restores)
      .set({ status, finishedAt: now, error: error ?? row.error })
      .where(eq(restores.id, restoreId)),
  ]);
}

export async function getRestore(env: Env, storeHash: string, restoreId: string) {
  const db = getDb(env);
  const [restore] = await db
    .select()
    .from(restores)
    .where(and(eq(restores.id, restoreId), eq(restores.storeHash, storeHash)))
    .limit(1);
  if (!restore) return null;
  const items = await db
    .select()
    .from(restoreItems)
    .where(eq(restoreItems.restoreId, restoreId))
    .orderBy(restoreItems.type, restoreItems.recordId)
    .limit(500);
  return { restore, items };
}

/** One record's restore history, newest first: who, when, from which version, with what result. */
export async function recordHistory(env: Env, storeHash: string, type: string, recordId: string) {
  const db = getDb(env);
  return db
    .select({
      restoreId: restores.id,
      kind: restores.kind,
      restoreStatus: restores.status,
      createdBy: restores.createdBy,
      createdAt: restores.createdAt,
      finishedAt: restores.finishedAt,
      undoOf: restores.undoOf,
      undoneBy: restores.undoneBy,
      action: restoreItems.action,
      status: restoreItems.status,
      fromVersionId: restoreItems.fromVersionId,
      beforeVersionId: restoreItems.beforeVersionId,
      newId: restoreItems.newId,
      message: restoreItems.message,
    })
    .from(restoreItems)
    .innerJoin(restores, eq(restores.id, restoreItems.restoreId))
    .where(
      and(
        eq(restoreItems.storeHash, storeHash),
        eq(restoreItems.type, type),
        eq(restoreItems.recordId, recordId),
      ),
    )
    .orderBy(desc(restores.createdAt))
    .limit(50);
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
