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
      if (state.deliverWebhooks === "http") sendLater(d, f.webhookDelayMs);
    }
  }
}

function sendLater(d: Delivery, delayMs: number): void {
  const go = async () => {
    try {
      const res = await fetch(d.destination, {
        method: "POST",
        headers: { "content-type": "application/json", ...d.headers },
        body: JSON.stringify(d.payload),
      });
      d.status = res.status;
      await res.body?.cancel();
    } catch {
      d.status = "error";
    }
  };
  if (delayMs > 0) setTimeout(go, delayMs);
  else void go();
}

/** Deliveries made so far; `drain` hands out (and forgets) those due by now. */
export function takeDeliveries(state: SandboxState, store: Store, drain: boolean): Delivery[] {
  if (!drain) return store.deliveries.slice();
  const now = state.now();
  const due = store.deliveries.filter((d) => d.due_at <= now);
  store.deliveries = store.deliveries.filter((d) => d.due_at > now);
  return due;
}
