import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { BigCommerceClient } from "../bigcommerce/client";
import { readPath } from "../bigcommerce/client";
import { webhookScopes } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { stores } from "../db/schema";
import { typesInPlan } from "../plans/plans";
import { effectiveFrequency } from "../settings/schedule";
import type { BackupMessage } from "./schedule";

/** The header BigCommerce echoes on every delivery, carrying the secret we set at hook creation. */
export const WEBHOOK_SECRET_HEADER = "X-Strongbox-Webhook-Secret";
/** Delivery ids are remembered this long: BigCommerce retries for about 48 hours. */
const DEDUPE_TTL_MS = 3 * 86_400_000;

/**
 * The store's webhook secret: HMAC of the store hash under the app's client secret, so it needs no
 * storage, differs per store, and rotates with the client secret.
 */
export async function webhookSecret(env: Pick<Env, "BC_CLIENT_SECRET">, storeHash: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(env.BC_CLIENT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`strongbox-webhook:${storeHash}`),
  );
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

type WebhookPayload = {
  scope?: string;
  producer?: string;
  hash?: string;
  data?: unknown;
  created_at?: number;
};

/**
 * How long a queued capture absorbs further deliveries for its record. A capture normally starts
 * within seconds; the mark expires so a lost message cannot silence a record for long.
 */
const PENDING_CAPTURE_MS = 15 * 60_000;

/**
 * Claims a `seen_nonces` row: true when the row is new or had expired (the caller goes on), false
 * while an unexpired one exists.
 */
async function claim(db: D1Database, nonce: string, storeHash: string, now: number, ttlMs: number) {
  const res = await db
    .prepare(
      `insert into seen_nonces (nonce, store_hash, expires_at) values (?, ?, ?)
       on conflict (nonce) do update set expires_at = excluded.expires_at where seen_nonces.expires_at < ?`,
    )
    .bind(nonce, storeHash, now + ttlMs, now)
    .run();
  return res.meta.changes > 0;
}

const pendingNonce = (storeHash: string, type: string, id: string) => `capture:${storeHash}:${type}:${id}`;

/**
 * The queue consumer calls this just before it reads the records: a delivery arriving from now on
 * queues a new capture, since the read about to happen may precede the change it announces.
 */
export async function capturesStarting(db: D1Database, storeHash: string, type: string, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .prepare("delete from seen_nonces where nonce in (select value from json_each(?))")
    .bind(JSON.stringify(ids.map((id) => pendingNonce(storeHash, type, id))))
    .run();
}

/**
 * `POST /webhooks/bigcommerce`: verifies the store's secret header, then enqueues `{store, type, id}`
 * for the store's Durable Object, once per registry route of the scope.
 *
 * Deduplication. BigCommerce's `hash` is the SHA-1 of the payload, whose `created_at` counts whole
 * seconds: two edits of one record within a second announce the same hash, so the hash alone cannot
 * tell a redelivery from a second change. A delivery is therefore dropped only when it cannot add
 * anything: its Standard Webhooks `webhook-id` was seen (a true redelivery), or a capture of the same
 * record is queued and has not started reading yet (that read will see this change too). Anything
 * else queues a capture; a capture of an unchanged record stores nothing, so a redelivery that gets
 * through costs one read, never a version. Answers 2xx fast: BigCommerce deactivates failing hooks.
 */
export const webhookRoutes = new Hono<{ Bindings: Env }>().post("/webhooks/bigcommerce", async (c) => {
  const raw = await c.req.text();
  let payload: WebhookPayload;
  try {
    payload = JSON.parse(raw) as WebhookPayload;
  } catch {
    return c.json({ error: { code: "bad_request", message: "Body is not JSON" } }, 400);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return c.json({ error: { code: "bad_request", message: "Body is not a webhook payload object" } }, 400);
  }
  const storeHash =
    typeof payload.producer === "string" && payload.producer.startsWith("stores/")
      ? payload.producer.slice("stores/".length)
      : null;
  const given = c.req.header(WEBHOOK_SECRET_HEADER) ?? "";
  if (!storeHash || !given || !timingSafeEqual(given, await webhookSecret(c.env, storeHash))) {
    return c.json({ error: { code: "unauthorized", message: "Unknown webhook sender" } }, 401);
  }
  const targets = webhookScopes()
    .filter((w) => w.scope === payload.scope)
    .map((w) => ({ type: w.type, id: w.id ?? (w.idPath ? readPath(payload, w.idPath) : undefined) }))
    .filter((t): t is { type: typeof t.type; id: string | number } => t.id !== undefined && t.id !== null);
  if (targets.length === 0) return c.json({ ok: true, ignored: "scope" });

  const now = Date.now();
  const deliveryId = c.req.header("webhook-id");
  if (
    deliveryId &&
    !(await claim(c.env.DB, `webhook:${storeHash}:${deliveryId}`, storeHash, now, DEDUPE_TTL_MS))
  ) {
    return c.json({ ok: true, duplicate: true });
  }
  const messages: BackupMessage[] = [];
  // The event's time (whole seconds), so the consumer can list a batch's records by modification date.
  const at =
    typeof payload.created_at === "number" && Number.isFinite(payload.created_at)
      ? payload.created_at * 1000
      : undefined;
  for (const t of targets) {
    const id = String(t.id);
    if (await claim(c.env.DB, pendingNonce(storeHash, t.type, id), storeHash, now, PENDING_CAPTURE_MS)) {
      messages.push({
        kind: "capture",
        store: storeHash,
        type: t.type,
        id,
        ...(at === undefined ? {} : { at }),
      });
    }
  }
  if (messages.length === 0) return c.json({ ok: true, duplicate: true });
  await c.env.JOBS_QUEUE.sendBatch(messages.map((body) => ({ body })));
  return c.json({ ok: true });
});

/** BigCommerce: "A new hook can take 1 minute to start working". */
const HOOK_WARMUP_MS = 60_000;

function ensureHealthTable(sql: SqlStorage) {
  sql.exec(
    "create table if not exists webhook_health (scope text primary key, active_since integer not null) without rowid",
  );
  // The scopes the last completed check left registered ("[]": none of the app's hooks remain).
  sql.exec(
    "create table if not exists webhook_check (id integer primary key check (id = 1), scopes text not null)",
  );
}

const scopesKey = (scopes: Set<string>) => JSON.stringify([...scopes].sort());

/**
 * The scopes automatic sync wants for the store: those of every type in its plan whose frequency
 * is (or, by default, becomes) "sync" with automatic sync `enabled`.
 */
async function wantedScopes(env: Env, storeHash: string, enabled: boolean): Promise<Set<string>> {
  if (!enabled) return new Set();
  const [store] = await getDb(env).select().from(stores).where(eq(stores.hash, storeHash)).limit(1);
  if (!store) return new Set();
  const syncing = new Set(
    typesInPlan(store.plan).filter((t) => effectiveFrequency({ ...store, autoSync: true }, t) === "sync"),
  );
  return new Set(
    webhookScopes()
      .filter((w) => syncing.has(w.type))
      .map((w) => w.scope),
  );
}

/**
 * Brings the app's hooks in line with automatic sync and the per-type frequencies: one hook per
 * scope of every "sync" type (destination `{APP_URL}/webhooks/bigcommerce`, the secret header set),
 * inactive ones re-activated, hooks of scopes no longer wanted deleted (all of them when `enabled`
 * is false). With `sql` (the store's Durable Object) it records since when each scope has been
 * active without a gap: a scope found inactive or missing and (re)created starts again from now
 * (plus BigCommerce's warm-up), so deliveries lost meanwhile are not trusted to a webhook.
 */
export async function registerWebhooks(
  env: Env,
  storeHash: string,
  client: BigCommerceClient,
  enabled: boolean,
  sql?: SqlStorage,
): Promise<{ created: number; removed: number }> {
  const destination = `${env.APP_URL.replace(/\/$/, "")}/webhooks/bigcommerce`;
  const wanted = await wantedScopes(env, storeHash, enabled);
  if (sql && wanted.size === 0) {
    // Only this function creates the app's hooks: once a check removed them all, a store without
    // automatic sync has none, and each backup's check would be a call for nothing.
    ensureHealthTable(sql);
    const last = sql.exec("select scopes from webhook_check where id = 1").toArray()[0];
    if (last?.scopes === scopesKey(wanted)) return { created: 0, removed: 0 };
  }
  const { body } = await client.request<{
    data?: { id: number; scope: string; destination: string; is_active: boolean }[];
  }>("GET", "v3", "/hooks");
  const existing = (body?.data ?? []).filter((h) => h.destination === destination);
  let created = 0;
  let removed = 0;
  for (const h of existing.filter((x) => !wanted.has(x.scope))) {
    await client.request("DELETE", "v3", `/hooks/${h.id}`, { allow404: true });
    removed++;
  }
  const active: string[] = [];
  const activated: string[] = [];
  const secret = await webhookSecret(env, storeHash);
  for (const scope of wanted) {
    const hook = existing.find((h) => h.scope === scope);
    if (hook?.is_active) {
      active.push(scope);
      continue;
    }
    const payload = { scope, destination, is_active: true, headers: { [WEBHOOK_SECRET_HEADER]: secret } };
    if (hook) await client.request("PUT", "v3", `/hooks/${hook.id}`, { body: payload });
    else await client.request("POST", "v3", "/hooks", { body: payload });
    activated.push(scope);
    created++;
  }
  if (sql) {
    const now = Date.now();
    ensureHealthTable(sql);
    sql.exec(
      "delete from webhook_health where scope not in (select value from json_each(?))",
      JSON.stringify([...wanted]),
    );
    // A scope active now whose start we never saw counts from now.
    for (const scope of active)
      sql.exec("insert or ignore into webhook_health (scope, active_since) values (?, ?)", scope, now);
    for (const scope of activated)
      sql.exec(
        "insert or replace into webhook_health (scope, active_since) values (?, ?)",
        scope,
        now + HOOK_WARMUP_MS,
      );
    sql.exec("insert or replace into webhook_check (id, scopes) values (1, ?)", scopesKey(wanted));
  }
  return { created, removed };
}

/**
 * Whether every scope named has been active, without a gap, since `since` (as recorded by
 * `registerWebhooks` in the store's Durable Object): BigCommerce then announced every change of
 * that window. An empty list is never covered.
 */
export function hooksCoverSince(
  sql: SqlStorage,
  scopes: readonly string[] | undefined,
  since: number,
): boolean {
  if (!scopes?.length) return false;
  ensureHealthTable(sql);
  const rows = sql
    .exec(
      "select active_since from webhook_health where scope in (select value from json_each(?))",
      JSON.stringify(scopes),
    )
    .toArray();
  return rows.length === new Set(scopes).size && rows.every((r) => Number(r.active_since) <= since);
}
