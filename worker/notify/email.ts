import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { outbox } from "../db/schema";
import { newId } from "../lib/ids";

/** What a feature asks to send. `kind` names the notification (export_ready, export_failed, restore_finished...). */
export type EmailMessage = {
  storeHash: string | null;
  kind: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
};

export type EmailResult = { id: string; status: "sent" | "outbox" | "queued" | "failed" };

/** The queue message that retries a send that failed. */
export type EmailQueueMessage = { kind: "email"; id: string };

type EmailEnv = Pick<Env, "DB" | "JOBS_QUEUE"> & { RESEND_API_KEY?: string; EMAIL_FROM?: string };

/** Attempts before an email is marked failed (the first send included). */
export const MAX_EMAIL_ATTEMPTS = 6;
const RESEND_URL = "https://api.resend.com/emails";

/**
 * Sends one email through Resend, or keeps it in the D1 outbox when no API key is configured (local
 * dev, tests). Every email gets an outbox row first, so a send that fails is retried from the queue
 * with the same content, and the row's id is Resend's idempotency key: a retry after a lost response
 * never delivers twice. Never throws: a notification must not fail the export or restore that sends it.
 */
export async function sendEmail(
  env: EmailEnv,
  message: EmailMessage,
  now = Date.now(),
): Promise<EmailResult> {
  const to = dedupeEmails(message.to);
  const id = newId(now);
  const db = getDb(env);
  const direct = !env.RESEND_API_KEY;
  try {
    await db.insert(outbox).values({
      id,
      storeHash: message.storeHash,
      kind: message.kind,
      to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      status: direct ? "outbox" : "queued",
      createdAt: now,
    });
  } catch (err) {
    console.error(`email ${message.kind} for ${message.storeHash}: could not record it`, err);
    return { id, status: "failed" };
  }
  if (direct) return { id, status: "outbox" };
  return attempt(env, id, now);
}

/** Queue consumer side: one more attempt at an email that failed. Safe to receive twice. */
export async function retryEmail(env: EmailEnv, id: string, now = Date.now()): Promise<EmailResult> {
  return attempt(env, id, now);
}

async function attempt(env: EmailEnv, id: string, now: number): Promise<EmailResult> {
  const db = getDb(env);
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id)).limit(1);
  if (!row) return { id, status: "failed" };
  if (row.status !== "queued") return { id, status: row.status };
  if (!env.RESEND_API_KEY) {
    await db.update(outbox).set({ status: "outbox" }).where(eq(outbox.id, id));
    return { id, status: "outbox" };
  }
  const attempts = row.attempts + 1;
  let error: string | null = null;
  try {
    const res = await fetch(RESEND_URL, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${env.RESEND_API_KEY}`,
        "Content-Type": "application/json",
        "Idempotency-Key": id,
      },
      body: JSON.stringify({
        from: env.EMAIL_FROM || "Strongbox <backups@strongbox.example>",
        to: row.to,
        subject: row.subject,
        html: row.html,
        text: row.text,
      }),
    });
    if (!res.ok) error = `Resend answered ${res.status}: ${(await res.text().catch(() => "")).slice(0, 300)}`;
    else await res.body?.cancel();
  } catch (err) {
    error = `Resend unreachable: ${String(err).slice(0, 300)}`;
  }
  if (!error) {
    await db
      .update(outbox)
      .set({ status: "sent", attempts, sentAt: now, error: null })
      .where(eq(outbox.id, id));
    return { id, status: "sent" };
  }
  const giveUp = attempts >= MAX_EMAIL_ATTEMPTS;
  await db
    .update(outbox)
    .set({ status: giveUp ? "failed" : "queued", attempts, error })
    .where(eq(outbox.id, id));
  if (giveUp) {
    console.error(`email ${id} failed after ${attempts} attempts: ${error}`);
    return { id, status: "failed" };
  }
  try {
    // 1 min, 2, 4, 8, 16: a Resend outage of half an hour still delivers.
    await env.JOBS_QUEUE.send({ kind: "email", id } satisfies EmailQueueMessage, {
      delaySeconds: 60 * 2 ** (attempts - 1),
    });
  } catch (err) {
    console.error(`email ${id}: could not enqueue the retry`, err);
  }
  return { id, status: "queued" };
}

/** The format the app accepts: name@example.com (no spaces, a dot in the domain). */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const isValidEmail = (value: string) => value.length <= 254 && EMAIL_PATTERN.test(value);

/** Trimmed, without case-insensitive duplicates, first spelling kept. */
export function dedupeEmails(emails: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of emails) {
    const email = raw.trim();
    const key = email.toLowerCase();
    if (!email || seen.has(key)) continue;
    seen.add(key);
    out.push(email);
  }
  return out;
}
