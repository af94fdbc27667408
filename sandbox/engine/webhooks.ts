import type { Ctx, SandboxState } from "./context.ts";
import type { Delivery, Store } from "./store.ts";
import type { Rec } from "./table.ts";

const hex = (buf: ArrayBuffer) =>
  Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

/** Whether a hook's scope covers an event (`store/product/*` covers `store/product/updated`). */
export function scopeMatches(hookScope: string, eventScope: string): boolean {
  if (hookScope === eventScope) return true;
  if (hookScope.endsWith("/*")) return eventScope.startsWith(hookScope.slice(0, -1));
  return false;
}

/** Delivers the events raised while serving a request (one per distinct scope + data). */
export async function flushEvents(ctx: Ctx): Promise<void> {
  if (!ctx.events.length) return;
  const events = ctx.events;
  ctx.events = [];
  const seen = new Set<string>();
  for (const ev of events) {
    const k = `${ev.scope}|${JSON.stringify(ev.data)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    await raiseWebhook(ctx.state, ctx.store, ev.scope, ev.data);
  }
}

/** "A webhook subscription becomes deactivated after 90 days of inactivity" (BigCommerce's webhooks overview). */
export const IDLE_DEACTIVATION_MS = 90 * 86_400_000;

/**
 * Deactivates a hook whose last event (or creation, or edit) is more than 90 days old, instead of calling it;
 * otherwise notes this event as its latest activity.
 */
function idleTooLong(store: Store, hook: Rec, now: number): boolean {
  // Editing the hook (switching it back on) counts as activity.
  const last = Math.max(hook._last_event_at ?? 0, (hook.updated_at ?? hook.created_at) * 1000);
  if (now - last > IDLE_DEACTIVATION_MS) {
    store.table("hooks").replace({ ...hook, is_active: false, updated_at: Math.floor(now / 1000) });
    return true;
  }
  hook._last_event_at = now;
  return false;
}

/** Sends (or queues) BigCommerce's callback payload to every active hook of the store covering `scope`. */
export async function raiseWebhook(
  state: SandboxState,
  store: Store,
  scope: string,
  data: Rec,
  only?: { clientId: string },
): Promise<void> {
  const hooks = store.table("hooks").all();
  if (!hooks.length) return;
  const now = state.now();
  for (const hook of hooks) {
    if (!hook.is_active || !scopeMatches(hook.scope, scope)) continue;
    if (only && hook.client_id !== only.clientId) continue;
    if (idleTooLong(store, hook, now)) continue;
    const body: Rec = {
      scope,
      store_id: String(store.id),
      data,
      created_at: Math.floor(now / 1000),
      producer: `stores/${store.hash}`,
    };
    const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(JSON.stringify(body)));
    const payload = { ...body, hash: hex(digest) };
    const f = store.faults;
    const copies = store.faultRng.chance(f.webhookDuplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const d: Delivery = {
        id: ++store.deliverySeq,
        hook_id: hook.id,
        scope,
        destination: hook.destination,
        headers: { ...(hook.headers ?? {}) },
        payload,
        created_at: now,
        due_at: now + f.webhookDelayMs,
      };
      store.deliveries.push(d);
      // Over HTTP the log is only for inspection: keep it bounded.
      if (state.deliverWebhooks === "http" && store.deliveries.length > 5000)
        store.deliveries.splice(0, 1000);
      if (state.deliverWebhooks === "http") sendLater(state, store, d, f.webhookDelayMs);
    }
  }
}

/**
 * BigCommerce's retry intervals after a failed callback (non-2xx, no answer, connection error), in
 * seconds: backing off from 60 s to 86,400 s over about two days; after the last one the hook is
 * deactivated (`is_active: false`; BigCommerce also emails the app's owner). API-NOTES §4.
 */
export const RETRY_INTERVALS_S = [60, 180, 180, 1200, 3600, 7200, 21600, 50400, 86400, 86400];

function sendLater(state: SandboxState, store: Store, d: Delivery, delayMs: number): void {
  d.attempts = [];
  schedule(state, store, d, delayMs);
}

function schedule(state: SandboxState, store: Store, d: Delivery, delayMs: number): void {
  const go = () => void attempt(state, store, d);
  if (delayMs <= 0) {
    go();
    return;
  }
  d.next_attempt_at = Date.now() + delayMs;
  // Pending retries must not keep a test process or `npm run sandbox` from exiting.
  const timer = setTimeout(go, delayMs) as { unref?: () => void };
  timer.unref?.();
}

async function attempt(state: SandboxState, store: Store, d: Delivery): Promise<void> {
  d.next_attempt_at = null;
  const hook = store.table("hooks").get(d.hook_id);
  // A hook deleted or switched off meanwhile gets no more calls.
  if (!hook?.is_active || state.stores.get(store.hash) !== store) return;
  let status: number | "error" | "timeout";
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), store.webhookPolicy.timeoutMs);
  try {
    const res = await fetch(d.destination, {
      method: "POST",
      headers: { "content-type": "application/json", ...d.headers },
      body: JSON.stringify(d.payload),
      signal: abort.signal,
    });
    status = res.status;
    await res.body?.cancel().catch(() => undefined);
  } catch {
    status = abort.signal.aborted ? "timeout" : "error";
  } finally {
    clearTimeout(timer);
  }
  d.status = status;
  d.attempts?.push({ at: state.now(), status });
  if (typeof status === "number" && status >= 200 && status < 300) return;
  const retry = (d.attempts?.length ?? 1) - 1;
  if (retry < RETRY_INTERVALS_S.length) {
    schedule(state, store, d, RETRY_INTERVALS_S[retry] * 1000 * store.webhookPolicy.retryScale);
    return;
  }
  d.gave_up = true;
  store.table("hooks").replace({ ...hook, is_active: false, updated_at: Math.floor(state.now() / 1000) });
}

/** Deliveries made so far; `drain` hands out (and forgets) those due by now. */
export function takeDeliveries(state: SandboxState, store: Store, drain: boolean): Delivery[] {
  if (!drain) return store.deliveries.slice();
  const now = state.now();
  const due = store.deliveries.filter((d) => d.due_at <= now);
  store.deliveries = store.deliveries.filter((d) => d.due_at > now);
  return due;
}
