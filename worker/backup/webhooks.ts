import { Hono } from "hono";
import type { BigCommerceClient } from "../bigcommerce/client";
import { readPath } from "../bigcommerce/client";
import { webhookScopes } from "../bigcommerce/registry";
import { sha256Hex } from "../lib/ids";
import type { BackupMessage } from "./schedule";

/** The header BigCommerce echoes on every delivery, carrying the secret we set at hook creation. */
export const WEBHOOK_SECRET_HEADER = "X-Strongbox-Webhook-Secret";
/** Delivery hashes are remembered this long: BigCommerce retries for about 48 hours. */
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
 * `POST /webhooks/bigcommerce`: verifies the store's secret header, drops a delivery already seen
 * (by payload hash, in `seen_nonces`), and enqueues `{store, type, id}` for the store's Durable
 * Object. Answers 2xx fast: BigCommerce deactivates slow or failing hooks.
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
  const route = webhookScopes().find((w) => w.scope === payload.scope);
  if (!route) return c.json({ ok: true, ignored: "scope" });
  const id = route.id ?? (route.idPath ? readPath(payload, route.idPath) : undefined);
  if (id === undefined || id === null) return c.json({ ok: true, ignored: "no id" });

  const nonce = `webhook:${storeHash}:${payload.hash ?? (await sha256Hex(raw))}`;
  const now = Date.now();
  const inserted = await c.env.DB.prepare(
    "insert into seen_nonces (nonce, store_hash, expires_at) values (?, ?, ?) on conflict (nonce) do nothing",
  )
    .bind(nonce, storeHash, now + DEDUPE_TTL_MS)
    .run();
  if (!inserted.meta.changes) return c.json({ ok: true, duplicate: true });
  const message: BackupMessage = { kind: "capture", store: storeHash, type: route.type, id: String(id) };
  await c.env.JOBS_QUEUE.send(message);
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
