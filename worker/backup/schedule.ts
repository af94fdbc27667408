import type { BackupKind } from "./backup-job";
import { capturesStarting } from "./webhooks";

/** Messages on JOBS_QUEUE that belong to the backup engine. */
export type BackupMessage =
  | { kind: "backup"; store: string; backupKind: BackupKind; types?: string[] }
  /** `at`: when BigCommerce raised the event (its payload's `created_at`), if it said. */
  | { kind: "capture"; store: string; type: string; id: string; at?: number };

export function isBackupMessage(body: unknown): body is BackupMessage {
  const k = (body as { kind?: unknown } | null)?.kind;
  return k === "backup" || k === "capture";
}

/** A record's modification date can trail its webhook event's time by clock differences at BigCommerce. */
const EVENT_CLOCK_MARGIN_MS = 60_000;

/**
 * Queue consumer for backup messages: scheduled backups start the store's job (a store already
 * running a job retries in 10 minutes); webhook captures are grouped per store and type and
 * handed to the store's Durable Object in one call. Returns the messages that are not the backup
 * engine's, for the next consumer.
 */
export async function handleBackupQueue(
  messages: readonly Message<unknown>[],
  env: Env,
): Promise<Message<unknown>[]> {
  const rest: Message<unknown>[] = [];
  const captures = new Map<
    string,
    {
      store: string;
      type: string;
      ids: Set<string>;
      messages: Message<unknown>[];
      /** The batch's earliest event time; null when a delivery did not say when. */
      since: number | null;
    }
  >();
  for (const msg of messages) {
    const body = msg.body;
    if (!isBackupMessage(body)) {
      rest.push(msg);
      continue;
    }
    if (body.kind === "backup") {
      try {
        const started = await storeJobs(env, body.store).startBackup({
          kind: body.backupKind,
          types: body.types,
        });
        if (started.started) msg.ack();
        else msg.retry({ delaySeconds: 600 });
      } catch (err) {
        console.error(`scheduled backup for ${body.store} failed to start`, err);
        msg.retry();
      }
      continue;
    }
    const key = `${body.store}\u0000${body.type}`;
    const group = captures.get(key) ?? {
      store: body.store,
      type: body.type,
      ids: new Set<string>(),
      messages: [],
      since: body.at ?? null,
    };
    group.since = group.since === null || body.at === undefined ? null : Math.min(group.since, body.at);
    group.ids.add(body.id);
    group.messages.push(msg);
    captures.set(key, group);
  }
  for (const group of captures.values()) {
    try {
      await capturesStarting(env.DB, group.store, group.type, [...group.ids]);
      const changedSince = group.since === null ? undefined : group.since - EVENT_CLOCK_MARGIN_MS;
      await storeJobs(env, group.store).captureRecords(group.type, [...group.ids], changedSince);
      for (const m of group.messages) m.ack();
    } catch (err) {
      console.error(`capture ${group.type} for ${group.store} failed`, err);
      for (const m of group.messages) m.retry({ delaySeconds: 30 });
    }
  }
  return rest;
}

/** The store's Durable Object (one per store hash). */
export function storeJobs(env: Env, storeHash: string) {
  return env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash));
}
