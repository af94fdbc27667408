import { and, eq, lte, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { exportSchedules, exportsTable, stores } from "../db/schema";
import { newId } from "../lib/ids";
import { nextRunAt } from "./schedule";
import { startExport, tokenRevoked } from "./start";

/** A scheduled export run on JOBS_QUEUE; `exportId` makes a redelivered message start the same export. */
export type ExportMessage = {
  kind: "export";
  store: string;
  exportId: string;
  exportKind: "weekly" | "monthly";
  types: string[];
  emails: string[];
  /** Absent on messages enqueued before schedules had the option. */
  includeImages?: boolean;
};

export function isExportMessage(body: unknown): body is ExportMessage {
  return (body as { kind?: unknown } | null)?.kind === "export";
}

/**
 * Hourly cron: every enabled schedule whose run is due is enqueued once, and its next run is
 * computed from now (not from the missed time), so after an outage a schedule runs once, not once
 * per missed period. The update is conditional on the run time read, so two overlapping cron runs
 * cannot both claim it. Returns the stores enqueued.
 */
export async function enqueueDueExports(env: Env, now = Date.now()): Promise<string[]> {
  const db = getDb(env);
  const due = await db
    .select({ schedule: exportSchedules, timezone: stores.timezone })
    .from(exportSchedules)
    .innerJoin(stores, eq(stores.hash, exportSchedules.storeHash))
    .where(
      and(
        eq(exportSchedules.enabled, true),
        lte(exportSchedules.nextRunAt, now),
        eq(stores.status, "installed"),
      ),
    )
    .limit(500);
  const messages: ExportMessage[] = [];
  for (const { schedule: s, timezone } of due) {
    const claimed = await db
      .update(exportSchedules)
      .set({ lastRunAt: now, nextRunAt: nextRunAt(s, now, timezone) })
      .where(
        and(eq(exportSchedules.storeHash, s.storeHash), eq(exportSchedules.nextRunAt, s.nextRunAt as number)),
      )
      .returning({ storeHash: exportSchedules.storeHash });
    if (!claimed.length) continue;
    messages.push({
      kind: "export",
      store: s.storeHash,
      exportId: newId(now),
      exportKind: s.frequency,
      types: s.types,
      emails: s.emails,
      includeImages: s.includeImages,
    });
  }
  for (let i = 0; i < messages.length; i += 100) {
    await env.JOBS_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  }
  return messages.map((m) => m.store);
}

/** Queue consumer: starts each scheduled export; a store busy with another job is retried in 10 minutes. */
export async function handleExportMessages(
  messages: readonly Message<ExportMessage>[],
  env: Env,
): Promise<void> {
  const db = getDb(env);
  for (const msg of messages) {
    const b = msg.body;
    try {
      const [existing] = await db
        .select({ status: exportsTable.status })
        .from(exportsTable)
        .where(eq(exportsTable.id, b.exportId))
        .limit(1);
      if (existing && existing.status !== "queued") {
        msg.ack();
        continue;
      }
      await startExport(env, {
        storeHash: b.store,
        kind: b.exportKind,
        types: b.types,
        emails: b.emails,
        includeImages: b.includeImages ?? false,
        // A store whose token BigCommerce refuses still gets its scheduled export, from the vault.
        source: (await tokenRevoked(env, b.store)) ? "vault" : "live",
        createdBy: "schedule",
        exportId: b.exportId,
      });
      msg.ack();
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      if (message.includes("already running")) msg.retry({ delaySeconds: 600 });
      else {
        console.error(`scheduled export ${b.exportId} for ${b.store} did not start: ${message}`);
        msg.retry({ delaySeconds: 120 });
      }
    }
  }
}

/**
 * Hourly cron: deletes the ZIPs of exports whose links expired (deletes are free in R2). The
 * History row stays, without links. Returns how many exports were pruned.
 */
export async function pruneExpiredExports(env: Env, now = Date.now()): Promise<number> {
  const db = getDb(env);
  const expired = await db
    .select({ id: exportsTable.id, files: exportsTable.files })
    .from(exportsTable)
    .where(and(lte(exportsTable.expiresAt, now), sql`${exportsTable.files} != '[]'`))
    .limit(500);
  for (const e of expired) {
    const keys = e.files.map((f) => f.key);
    if (keys.length) await env.EXPORTS.delete(keys);
    await db.update(exportsTable).set({ files: [] }).where(eq(exportsTable.id, e.id));
  }
  return expired.length;
}
