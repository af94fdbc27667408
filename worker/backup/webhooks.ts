import { Hono } from "hono";
import type { BigCommerceClient } from "../bigcommerce/client";
import { readPath } from "../bigcommerce/client";
import { webhookScopes } from "../bigcommerce/registry";
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
  const storeHash = payload.producer?.startsWith("stores/") ? payload.producer.slice("stores/".length) : null;
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
  for (const t of targets) {
    const id = String(t.id);
    if (await claim(c.env.DB, pendingNonce(storeHash, t.type, id), storeHash, now, PENDING_CAPTURE_MS)) {
      messages.push({ kind: "capture", store: storeHash, type: t.type, id });
    }
  }
  if (messages.length === 0) return c.json({ ok: true, duplicate: true });
  await c.env.JOBS_QUEUE.sendBatch(messages.map((body) => ({ body })));
  return c.json({ ok: true });
});

/**
 * Creates the app's hooks for every scope the registry lists (one hook per scope, destination
 * `{APP_URL}/webhooks/bigcommerce`, the secret header set), or deletes them when `enabled` is false.
 * Existing hooks with the same scope and destination are kept (re-activated when needed).
 */
export async function registerWebhooks(
  env: Env,
  storeHash: string,
  client: BigCommerceClient,
  enabled: boolean,
): Promise<{ created: number; removed: number }> {
  const destination = `${env.APP_URL.replace(/\/$/, "")}/webhooks/bigcommerce`;
  const { body } = await client.request<{
    data?: { id: number; scope: string; destination: string; is_active: boolean }[];
  }>("GET", "v3", "/hooks");
  const existing = (body?.data ?? []).filter((h) => h.destination === destination);
  let created = 0;
  let removed = 0;
  if (!enabled) {
    for (const h of existing) {
      await client.request("DELETE", "v3", `/hooks/${h.id}`, { allow404: true });
      removed++;
    }
    return { created, removed };
  }
  const secret = await webhookSecret(env, storeHash);
  const wanted = [...new Set(webhookScopes().map((w) => w.scope))];
  for (const scope of wanted) {
    const hook = existing.find((h) => h.scope === scope);
    if (hook?.is_active) continue;
    const payload = { scope, destination, is_active: true, headers: { [WEBHOOK_SECRET_HEADER]: secret } };
    if (hook) await client.request("PUT", "v3", `/hooks/${hook.id}`, { body: payload });
    else await client.request("POST", "v3", "/hooks", { body: payload });
    created++;
  }
  return { created, removed };
}
