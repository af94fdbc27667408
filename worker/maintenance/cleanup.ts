import { and, eq, lt, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { registerUninstallHook } from "../auth/lifecycle";
import { pruneNonces } from "../auth/routes";
import { getDb } from "../db/client";
import * as schema from "../db/schema";

/**
 * Hourly housekeeping: stores uninstalled longer than the grace period lose everything the app kept
 * for them, and spent replay nonces are dropped. Tables are found from the schema (every table with a
 * `storeHash` column), so a table added later is purged too without editing this file.
 */
const storeTables: { table: SQLiteTable; storeHash: SQLiteColumn }[] = Object.values(schema).flatMap(
  (value) => {
    const column = (value as { storeHash?: unknown }).storeHash;
    return column && typeof value === "object" && value !== schema.stores
      ? [{ table: value as SQLiteTable, storeHash: column as SQLiteColumn }]
      : [];
  },
);

async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  let deleted = 0;
  for (let cursor: string | undefined; ; ) {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    deleted += page.objects.length;
    if (!page.truncated) return deleted;
    cursor = page.cursor;
  }
}

/** Deletes one store's vault, exports, history and rows. Only for stores past their grace period. */
export async function purgeStore(env: Env, storeHash: string) {
  const db = getDb(env);
  const objects =
    (await deletePrefix(env.VAULT, `packs/${storeHash}/`)) +
    (await deletePrefix(env.VAULT, `images/${storeHash}/`)) +
    (await deletePrefix(env.EXPORTS, `exports/${storeHash}/`));
  await db.batch([
    ...storeTables.map(({ table, storeHash: column }) =>
      db.delete(table).where(eq(column, storeHash) as SQL),
    ),
    db.delete(schema.stores).where(eq(schema.stores.hash, storeHash)),
  ] as unknown as Parameters<typeof db.batch>[0]);
  // forget() resets the object after wiping it, so its call always rejects with "store purged".
  await env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash))
    .forget()
    .catch(() => undefined);
  return { objects };
}

export async function runMaintenance(env: Env, now = Date.now()) {
  const db = getDb(env);
  const expired = await db
    .select({ hash: schema.stores.hash })
    .from(schema.stores)
    .where(and(eq(schema.stores.status, "uninstalled"), lt(schema.stores.deleteAfter, now)));
  for (const { hash } of expired) {
    try {
      await purgeStore(env, hash);
    } catch (err) {
      console.error(`purging uninstalled store ${hash} failed; retried next hour`, err);
    }
  }
  await pruneNonces(db, now);
  return { purged: expired.length };
}

// An uninstall stops the store's running job at once (its token is gone, every call would fail).
registerUninstallHook(async (env, storeHash) => {
  const jobs = env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash));
  const current = await jobs.status();
  if (current?.status === "running")
    await jobs.cancel(current.id, "Stopped: Strongbox was uninstalled from this store.");
});
