import { eq } from "drizzle-orm";
import { registerInstallHook } from "../auth/lifecycle";
import { getDb } from "../db/client";
import { stores } from "../db/schema";
import { typesInPlan } from "../plans/plans";
import { nextBackupAt } from "./schedule";

/**
 * An install (or reinstall) gets its scheduled backup time at once, so Discovery and the hourly
 * scheduler see it without waiting for a first cron pass.
 */
export async function scheduleNewInstall(env: Env, storeHash: string, now = Date.now()): Promise<void> {
  const db = getDb(env);
  const [store] = await db.select().from(stores).where(eq(stores.hash, storeHash)).limit(1);
  if (!store) return;
  await db
    .update(stores)
    .set({ nextBackupAt: nextBackupAt(store, now) })
    .where(eq(stores.hash, storeHash));
}

registerInstallHook(scheduleNewInstall);

/**
 * The first backup of a store that never had one, of the plan's types. Discovery calls it when a new
 * install first opens the app, so the merchant lands on its progress. It starts on that first visit
 * rather than in the install callback so a store is read only once someone opened the app; it does
 * nothing once any backup exists (a failed first backup is retried by the merchant, who sees why it
 * failed). Returns whether a backup started.
 */
export async function startFirstBackup(env: Env, storeHash: string): Promise<boolean> {
  const any = await env.DB.prepare("select 1 from backups where store_hash = ? limit 1")
    .bind(storeHash)
    .first();
  if (any) return false;
  const [store] = await getDb(env)
    .select({ plan: stores.plan })
    .from(stores)
    .where(eq(stores.hash, storeHash))
    .limit(1);
  if (!store) return false;
  const jobs = env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash));
  const result = (await jobs.startBackup({ kind: "initial", types: typesInPlan(store.plan) })) as {
    started?: boolean;
  };
  return result.started !== false;
}

/**
 * Brings the store's BigCommerce webhooks in line with automatic sync after the switch (or the plan)
 * changed: registered when on, removed when off. Runs after the response; a failure is logged and
 * repaired by the next backup, which re-checks the hooks.
 */
export async function syncWebhooksLater(env: Env, storeHash: string, enabled: boolean): Promise<void> {
  try {
    await env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash)).syncWebhooks(enabled);
  } catch (err) {
    console.warn(`webhooks of ${storeHash} not brought in line with automatic sync (${enabled})`, err);
  }
}
