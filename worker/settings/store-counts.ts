import { and, asc, count, eq, gte, inArray, isNull, or, sql, sum } from "drizzle-orm";
import type { Db } from "../db/client";
import { backups, records, versions } from "../db/schema";

/** Live (not deleted) records and their stored bytes per type, as the vault knows them. */
export async function itemCounts(
  db: Db,
  storeHash: string,
): Promise<Map<string, { items: number; bytes: number }>> {
  const rows = await db
    .select({ type: records.type, items: count(), bytes: sum(records.size) })
    .from(records)
    .where(and(eq(records.storeHash, storeHash), eq(records.deleted, false)))
    .groupBy(records.type);
  return new Map(rows.map((r) => [r.type, { items: r.items, bytes: Number(r.bytes ?? 0) }]));
}

/**
 * Changes captured per type since `since` (backups and automatic sync), leaving out the store's first
 * backup: everything is "new" then, which says nothing about how the store changes.
 */
export async function changeCounts(db: Db, storeHash: string, since: number): Promise<Map<string, number>> {
  const first = db
    .select({ id: backups.id })
    .from(backups)
    .where(eq(backups.storeHash, storeHash))
    .orderBy(asc(backups.startedAt))
    .limit(1);
  const rows = await db
    .select({ type: versions.type, n: count() })
    .from(versions)
    .where(
      and(
        eq(versions.storeHash, storeHash),
        gte(versions.capturedAt, since),
        inArray(versions.source, ["backup", "webhook"]),
        or(isNull(versions.backupId), sql`${versions.backupId} is not (${first})`),
      ),
    )
    .groupBy(versions.type);
  return new Map(rows.map((r) => [r.type, r.n]));
}
