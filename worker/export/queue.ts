import type { EmailQueueMessage } from "../notify/email";
import { retryEmail } from "../notify/email";
import {
  type ExportMessage,
  enqueueDueExports,
  handleExportMessages,
  isExportMessage,
  pruneExpiredExports,
} from "./cron";

export function isEmailMessage(body: unknown): body is EmailQueueMessage {
  return (body as { kind?: unknown } | null)?.kind === "email";
}

/** Queue consumer for email retries: each message is one more attempt; `retryEmail` re-enqueues on failure itself. */
export async function handleEmailMessages(
  messages: readonly Message<EmailQueueMessage>[],
  env: Env,
): Promise<void> {
  for (const msg of messages) {
    try {
      await retryEmail(env, msg.body.id);
      msg.ack();
    } catch (err) {
      console.error(`email retry ${msg.body.id} failed`, err);
      msg.retry({ delaySeconds: 60 });
    }
  }
}

/** The export feature's share of a queue batch: scheduled exports and email retries. Returns the messages it did not handle. */
export async function handleExportQueue(
  messages: readonly Message<unknown>[],
  env: Env,
): Promise<Message<unknown>[]> {
  const exports = messages.filter((m) => isExportMessage(m.body)) as Message<ExportMessage>[];
  const emails = messages.filter((m) => isEmailMessage(m.body)) as Message<EmailQueueMessage>[];
  if (exports.length) await handleExportMessages(exports, env);
  if (emails.length) await handleEmailMessages(emails, env);
  return messages.filter((m) => !isExportMessage(m.body) && !isEmailMessage(m.body));
}

/** The export feature's hourly cron work: due schedules, then expired files. */
export async function exportCron(env: Env, now = Date.now()): Promise<void> {
  await enqueueDueExports(env, now);
  await pruneExpiredExports(env, now);
}
