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

export async function createRestore(env: Env, input: NewRestore, now = Date.now()): Promise<string> {
  const db = getDb(env);
  const id = newId(now);
  const types = [...new Set(input.items.map((i) => i.type))];
  const statements = [
    db.insert(restores).values({
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
    }),
    ...chunked(input.items, 10).map((batch) =>
      db.insert(restoreItems).values(
        batch.map((i) => ({
          restoreId: id,
          storeHash: input.storeHash,
          type: i.type,
          recordId: i.recordId,
          displayName: i.displayName,
          action: "update" as const,
          status: "pending" as const,
          fromVersionId: i.versionId,
        })),
      ),
    ),
  ] as const;
  await db.batch(statements as unknown as Parameters<typeof db.batch>[0]);
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
