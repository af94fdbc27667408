import type { Context, Hono, MiddlewareHandler } from "hono";
import { type Handler, type RouteApi, wrap } from "./collection.ts";
import { concurrencyCap } from "./concurrency.ts";
import type { Ctx, SandboxState } from "./context.ts";
import { ApiError, jsonResponse } from "./http.ts";
import type { Store } from "./store.ts";

/** Marker header on a response whose connection must be dropped (the fetch wrapper turns it into a network error). */
export const DROP_HEADER = "x-sandbox-drop-connection";
/** On a 429 for an endpoint's concurrency limit: the limit (and no rate-limit headers). */
const CONCURRENCY_HEADER = "x-sandbox-concurrency-limit";
/** Quota reported for "unlimited" stores (a number, so clients parse it like any other). */
export const UNLIMITED_QUOTA = 1_000_000;

type Env = { Variables: { ctx: Ctx; template: string; delayMs: number } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rateHeaders(store: Store, now: number): Record<string, string> {
  const w = store.scaledWindowMs;
  const quota = store.quota.quota ?? UNLIMITED_QUOTA;
  return {
    "X-Rate-Limit-Requests-Quota": String(quota),
    "X-Rate-Limit-Requests-Left": String(Math.max(0, quota - store.window.used)),
    "X-Rate-Limit-Time-Window-Ms": String(w),
    "X-Rate-Limit-Time-Reset-Ms": String(Math.max(0, store.window.start + w - now)),
  };
}

/** Stats key of a route: `GET /v3/catalog/products/{product_id}/images/{id}`. */
export function templateOf(method: string, version: string, path: string): string {
  const p = path.replace(
    /:([a-zA-Z_]+)(\{[^}]*\})?/g,
    (_m, name: string) => `{${name === "__key" ? "id" : name}}`,
  );
  return `${method} /${version}${p}`;
}

/**
 * The store API's front door, in BigCommerce's order: store, token, platform overload, per-store quota
 * (shared by every client of the store), then injected faults. Counts stats for every response.
 */
export function storeGate(state: SandboxState): MiddlewareHandler<Env> {
  return async (c, next) => {
    const store = state.stores.get(c.req.param("store_hash") ?? "");
    if (!store) return jsonResponse(404, new ApiError(404, "Store not found").v3Body());
    const token = c.req.header("x-auth-token");
    const grant = token ? store.tokens.get(token) : undefined;
    const now = state.now();
    const st = store.stats;
    st.total++;
    if (!grant) {
      return finish(
        store,
        jsonResponse(401, new ApiError(401, "No valid credentials were found in this request").v3Body()),
        now,
      );
    }
    const f = store.faults;
    const r = store.faultRng;
    if (r.chance(f.overload429Rate)) {
      st.overloaded++;
      return finish(store, jsonResponse(429, new ApiError(429, "Too many requests").v3Body()), now, false);
    }
    const w = store.scaledWindowMs;
    if (now >= store.window.start + w) store.window = { start: now, used: 0 };
    if (store.quota.quota !== null && store.window.used >= store.quota.quota) {
      st.rateLimited++;
      return finish(
        store,
        jsonResponse(429, new ApiError(429, "You have exceeded the rate limit").v3Body()),
        now,
      );
    }
    store.window.used++;
    st.inFlight++;
    if (st.inFlight > st.peakConcurrency) st.peakConcurrency = st.inFlight;
    try {
      if (r.chance(f.dropRate)) {
        st.dropped++;
        return new Response(null, { status: 599, headers: { [DROP_HEADER]: "1" } });
      }
      // A slowed request is slow inside its route, holding its endpoint's concurrency slot as a slow
      // BigCommerce request does.
      const slow = r.chance(f.slowRate) && f.slowMs > 0;
      if (slow) st.slowed++;
      c.set("delayMs", slow ? f.slowMs : 0);
      if (r.chance(f.error5xxRate)) {
        if (slow) await sleep(f.slowMs);
        st.errors5xx++;
        return finish(
          store,
          jsonResponse(500, new ApiError(500, "Internal Server Error").v3Body()),
          state.now(),
        );
      }
      const url = new URL(c.req.url);
      c.set("ctx", {
        state,
        store,
        grant,
        now,
        query: url.searchParams,
        params: {},
        events: [],
        live: true,
      });
      await next();
      if (!c.get("template")) record(store, `${c.req.method} (no route)`);
      c.res = finish(store, c.res, state.now(), !c.res.headers.has(CONCURRENCY_HEADER));
    } finally {
      st.inFlight--;
    }
  };
}

function record(store: Store, template: string) {
  store.stats.requests[template] = (store.stats.requests[template] ?? 0) + 1;
}

function finish(store: Store, res: Response, now: number, withRate = true): Response {
  if (withRate) for (const [k, v] of Object.entries(rateHeaders(store, now))) res.headers.set(k, v);
  const len = Number(res.headers.get("content-length") ?? 0);
  store.stats.bytesSent += len;
  return res;
}

/** Route registration on the store API, used by every resource (see RouteApi). */
export function storeRoutes(app: Hono<Env>): RouteApi {
  return {
    on(method: string, version: "v2" | "v3", path: string, handler: Handler) {
      const template = templateOf(method, version, path);
      const cap = concurrencyCap(template);
      const wrapped = wrap(version, handler);
      app.on(method, `/stores/:store_hash/${version}${path}`, async (c: Context<Env>) => {
        const ctx = c.get("ctx");
        const store = ctx.store;
        c.set("template", template);
        record(store, template);
        ctx.params = c.req.param() as Record<string, string>;
        const running = store.concurrent.get(template) ?? 0;
        if (cap !== undefined && running >= cap) {
          store.stats.concurrency429++;
          // No rate-limit headers: the store's quota is not what ran out.
          return jsonResponse(
            429,
            new ApiError(429, `Too many concurrent requests: this endpoint allows ${cap} at a time`).v3Body(),
            { [CONCURRENCY_HEADER]: String(cap) },
          );
        }
        store.concurrent.set(template, running + 1);
        try {
          const delay = c.get("delayMs");
          if (delay) await sleep(delay);
          return await wrapped(c, ctx);
        } finally {
          store.concurrent.set(template, (store.concurrent.get(template) ?? 1) - 1);
        }
      });
    },
  };
}

export type { Env as StoreEnv };
