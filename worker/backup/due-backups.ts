import { inArray } from "drizzle-orm";
import { getDb } from "../db/client";
import { stores } from "../db/schema";
import { nextBackupAt, typesDueAt } from "../settings/schedule";
import type { BackupMessage } from "./schedule";

/**
 * The hourly cron's fan-out: the cron itself only reads the hashes of due stores and sends one queue
 * message per page of them; each page's consumer claims its stores (moves `next_backup_at` forward,
 * conditionally, so a redelivered page claims nothing twice) and sends one backup message per claimed
 * store. 10,000 due stores are 100 page messages, each a small D1 batch, instead of one cron run.
 */
export type DuePageMessage = { kind: "backup-due"; at: number; stores: string[] };

/** Stores per page message (and per D1 batch of claims, within the 100-statement comfort of one batch). */
export const DUE_PAGE = 100;
const HASHES_PER_QUERY = 1000;

export const isDuePage = (body: unknown): body is DuePageMessage =>
  (body as { kind?: unknown } | null)?.kind === "backup-due";

/** Cron: the installed stores due at `now`, as pages of hashes (keyset over the stores_due index). */
export async function duePages(env: Env, now: number): Promise<string[][]> {
  const hashes: string[] = [];
  for (let after = ""; ; ) {
    const { results } = await env.DB.prepare(
      `select hash from stores where status = 'installed' and (next_backup_at is null or next_backup_at <= ?)
         and hash > ? order by hash limit ${HASHES_PER_QUERY}`,
    )
      .bind(now, after)
      .all<{ hash: string }>();
    hashes.push(...results.map((r) => r.hash));
    if (results.length < HASHES_PER_QUERY) break;
    after = results[results.length - 1].hash;
  }
  const pages: string[][] = [];
  for (let i = 0; i < hashes.length; i += DUE_PAGE) pages.push(hashes.slice(i, i + DUE_PAGE));
  return pages;
}

/** Cron entry: enqueues the due pages (100 messages per send). Returns how many stores they hold. */
export async function enqueueDuePages(env: Env, now = Date.now()): Promise<number> {
  const pages = await duePages(env, now);
  const messages = pages.map((p): DuePageMessage => ({ kind: "backup-due", at: now, stores: p }));
  for (let i = 0; i < messages.length; i += 100) {
    await env.JOBS_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  }
  return pages.reduce((n, p) => n + p.length, 0);
}

type Claim = { hash: string; from: number | null; to: number | null; message: BackupMessage | null };

/**
 * Claims a page: each store still installed and due at `at` gets its next time, written only if
 * `next_backup_at` is still what was read (a redelivered or concurrent page claims nothing). Returns
 * the backup messages of the claimed stores (a store without a time yet just gets one) and the claims,
 * so a failed send can give them back with `releaseClaims`.
 */
export async function claimDuePage(
  env: Env,
  page: DuePageMessage,
): Promise<{ messages: BackupMessage[]; claims: Claim[] }> {
  const rows = await getDb(env).select().from(stores).where(inArray(stores.hash, page.stores));
  const candidates: Claim[] = rows
    .filter((s) => s.status === "installed" && (s.nextBackupAt === null || s.nextBackupAt <= page.at))
    .map((s) => {
      const types = s.nextBackupAt === null ? [] : typesDueAt(s, s.nextBackupAt);
      return {
        hash: s.hash,
        from: s.nextBackupAt,
        to: nextBackupAt(s, page.at),
        message: types.length ? { kind: "backup", store: s.hash, backupKind: "scheduled", types } : null,
      };
    });
  if (candidates.length === 0) return { messages: [], claims: [] };
  const results = await env.DB.batch<{ hash: string }>(
    candidates.map((c) =>
      env.DB.prepare(
        "update stores set next_backup_at = ? where hash = ? and next_backup_at is ? returning hash",
      ).bind(c.to, c.hash, c.from),
    ),
  );
  const claims = candidates.filter((_, i) => results[i].results.length === 1);
  return {
    messages: claims.flatMap((c) => (c.message ? [c.message] : [])),
    claims,
  };
}

/** Undoes claims whose backup messages could not be sent, so the page's retry claims them again. */
export async function releaseClaims(env: Env, claims: Claim[]) {
  if (claims.length === 0) return;
  await env.DB.batch(
    claims.map((c) =>
      env.DB.prepare("update stores set next_backup_at = ? where hash = ? and next_backup_at is ?").bind(
        c.from,
        c.hash,
        c.to,
      ),
    ),
  );
}

/** Queue consumer for page messages; returns the other messages for the next consumer. */
export async function handleDuePages(
  messages: readonly Message<unknown>[],
  env: Env,
): Promise<Message<unknown>[]> {
  const rest: Message<unknown>[] = [];
  for (const msg of messages) {
    if (!isDuePage(msg.body)) {
      rest.push(msg);
      continue;
    }
    let claimed: Claim[] = [];
    try {
      const { messages: backups, claims } = await claimDuePage(env, msg.body);
      claimed = claims;
      if (backups.length) await env.JOBS_QUEUE.sendBatch(backups.map((body) => ({ body })));
      msg.ack();
    } catch (err) {
      console.error(`due-backup page of ${msg.body.stores.length} stores failed`, err);
      await releaseClaims(env, claimed).catch((e) => console.error("releasing claims failed", e));
      msg.retry({ delaySeconds: 30 });
    }
  }
  return rest;
}
