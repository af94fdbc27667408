import type { Context, Hono } from "hono";
import { lostPaths } from "./cdn.ts";
import { collectionOf, deleteRecord, prerender, serialize, updateRecord } from "./engine/collection.ts";
import { type Changes, type SandboxState, systemCtx } from "./engine/context.ts";
import { ApiError } from "./engine/http.ts";
import { Rng } from "./engine/rng.ts";
import { emptyStats, type FaultConfig, type Profile, Store, type StoreUser } from "./engine/store.ts";
import type { Rec } from "./engine/table.ts";
import { flushEvents, RETRY_INTERVALS_S, takeDeliveries } from "./engine/webhooks.ts";
import { GenContext } from "./generate/context.ts";
import { generators } from "./generate/index.ts";
import { AUTH_CODE_TTL_MS, DEFAULT_APP_SCOPES, findApp, signedPayload } from "./oauth.ts";
import { storeInformation } from "./resources/store-information.ts";

const PROFILES: Profile[] = ["demo", "rs-10k", "empty"];
const STORE_NAMES: Record<Profile, string> = {
  demo: "Strongbox Demo Outfitters",
  "rs-10k": "Reference Store 10k",
  empty: "Empty Sandbox Store",
};

/** Creates a store and fills it with the profile's generated data (deterministic for a seed). */
export function createStore(state: SandboxState, profile: Profile, seed = 1): Store {
  const seq = ++state.storeSeq;
  const r = new Rng(seed * 1_000_003 + seq);
  let hash = "";
  while (hash.length < 10) hash += Math.floor(r.next() * 36).toString(36);
  let token = "";
  while (token.length < 31) token += Math.floor(r.next() * 36).toString(36);
  const store = new Store(hash, 1_000_000 + seq, STORE_NAMES[profile], profile, seed, token, state.now());
  store.quota = { quota: 150, windowMs: 30_000, timeScale: state.timeScale };
  state.stores.set(hash, store);
  const ctx = systemCtx(state, store, false);
  for (const gen of generators) gen.generate(new GenContext(ctx, profile, seed, gen.name));
  prerender(ctx);
  return store;
}

type Body = Record<string, unknown>;

async function readBody(c: Context): Promise<{ body: Body; form: boolean }> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await c.req.parseBody();
    return { body: { ...form, follow: true }, form: true };
  }
  const text = await c.req.text();
  return { body: text ? (JSON.parse(text) as Body) : {}, form: false };
}

const bad = (c: Context, message: string, status: 400 | 404 = 400) => c.json({ error: message }, status);

/** Marks the named CDN files lost: their URLs (every rendition) answer 404 from now on. */
function loseFiles(c: Context, store: Store, body: Body) {
  const paths = lostPaths(store, body);
  if (!paths.length)
    return bad(c, "name a url, urls, image_id, product_id, brand_id or category_id with files");
  for (const p of paths) store.lostFiles.add(p);
  return c.json({ lost: paths });
}

async function follow(url: string): Promise<number | "error"> {
  try {
    const res = await fetch(url);
    await res.body?.cancel();
    return res.status;
  } catch {
    return "error";
  }
}

/** The sandbox admin API (tests, benchmarks, demo): see sandbox/README.md. */
export function mountAdmin(app: Hono, state: SandboxState): void {
  app.get("/__sandbox/health", (c) => c.json({ ok: true }));

  app.post("/__sandbox/stores", async (c) => {
    const { body } = await readBody(c);
    const profile = (body.profile ?? "demo") as Profile;
    if (!PROFILES.includes(profile)) return bad(c, `profile must be one of ${PROFILES.join(", ")}`);
    const store = createStore(state, profile, Number(body.seed ?? 1));
    return c.json({ store_hash: store.hash, access_token: store.accessToken, store_id: store.id, profile });
  });

  app.get("/__sandbox/stores", (c) =>
    c.json([...state.stores.values()].map((s) => ({ store_hash: s.hash, name: s.name, profile: s.profile }))),
  );

  const withStore = (handler: (c: Context, store: Store) => Response | Promise<Response>) => (c: Context) => {
    const store = state.stores.get(c.req.param("hash") ?? "");
    if (!store) return bad(c, "unknown store", 404);
    return handler(c, store);
  };

  app.delete(
    "/__sandbox/stores/:hash",
    withStore((c, store) => {
      state.stores.delete(store.hash);
      return c.body(null, 204);
    }),
  );

  app.put(
    "/__sandbox/stores/:hash/quota",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      const plan = body.plan as string | undefined;
      let quota = store.quota.quota;
      if (plan === "standard" || plan === "plus") quota = 150;
      else if (plan === "pro") quota = 450;
      else if (plan === "unlimited" || plan === "enterprise") quota = null;
      if (body.quota !== undefined)
        quota = body.quota === null || body.quota === "unlimited" ? null : Number(body.quota);
      store.quota = {
        quota,
        windowMs: body.window_ms !== undefined ? Number(body.window_ms) : store.quota.windowMs,
        timeScale: body.time_scale !== undefined ? Number(body.time_scale) : store.quota.timeScale,
      };
      store.window = { start: 0, used: 0 };
      return c.json({ ...store.quota, scaled_window_ms: store.scaledWindowMs });
    }),
  );

  app.put(
    "/__sandbox/stores/:hash/faults",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      return c.json(store.setFaults(body as Partial<FaultConfig>));
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/images/lose",
    withStore(async (c, store) => loseFiles(c, store, (await readBody(c)).body)),
  );

  app.put(
    "/__sandbox/stores/:hash/images/policy",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      if (body.lose_on_delete !== undefined) store.loseDeletedImages = body.lose_on_delete === true;
      return c.json({ lose_on_delete: store.loseDeletedImages });
    }),
  );

  // The same for a URL alone: the store is the one the URL's path names.
  app.post("/__sandbox/cdn-lose", async (c) => {
    const { body } = await readBody(c);
    const hash = /\/__sandbox\/cdn\/([^/]+)\//.exec(
      new URL(String(body.url ?? (body.urls as string[] | undefined)?.[0] ?? ""), "http://x").pathname,
    )?.[1];
    const store = hash ? state.stores.get(hash) : undefined;
    if (!store) return bad(c, "url must be an image URL of a sandbox store (/__sandbox/cdn/{hash}/...)", 404);
    return loseFiles(c, store, body);
  });

  app.get(
    "/__sandbox/stores/:hash/stats",
    withStore((c, store) => {
      const s = store.stats;
      return c.json({
        requests: s.requests,
        total_requests: s.total,
        rate_limited_429: s.rateLimited,
        overload_429: s.overloaded,
        concurrency_429: s.concurrency429,
        errors_5xx: s.errors5xx,
        dropped: s.dropped,
        slowed: s.slowed,
        in_flight: s.inFlight,
        peak_concurrency: s.peakConcurrency,
        bytes_sent: s.bytesSent,
        cdn: {
          downloads: s.cdnDownloads,
          bytes: s.cdnBytes,
          not_found: s.cdnNotFound,
          errors_5xx: s.cdnErrors,
        },
        since: new Date(s.since).toISOString(),
      });
    }),
  );

  app.delete(
    "/__sandbox/stores/:hash/stats",
    withStore((c, store) => {
      const inFlight = store.stats.inFlight;
      store.stats = emptyStats(state.now());
      store.stats.inFlight = inFlight;
      return c.body(null, 204);
    }),
  );

  app.get(
    "/__sandbox/stores/:hash/export",
    withStore((c, store) => {
      const ctx = systemCtx(state, store, false);
      const out: Record<string, unknown> = { store: storeInformation(store) };
      for (const def of state.primary.values()) {
        if (def.noExport) continue;
        const t = store.tables.get(collectionOf(def));
        out[def.name] = t ? t.all().map((r) => serialize(def, r, ctx)) : [];
      }
      return c.json(out);
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/mutate",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      const kind = body.kind as string;
      const share = body.share !== undefined ? Number(body.share) : kind === "bad-import" ? 0.2 : 0.01;
      const rng = new Rng(Number(body.seed ?? store.rng.int(1, 1e9)));
      const ctx = systemCtx(state, store, true);
      const changes: Changes = {};
      ctx.changes = changes;
      const before: Record<string, Record<string, Rec>> = {};
      const skipped: Rec[] = [];
      const types = body.type
        ? [String(body.type)]
        : kind === "churn"
          ? [...state.resources.values()].filter((d) => d.churn).map((d) => d.name)
          : ["products"];
      for (const type of types) {
        const def = state.resources.get(type);
        if (!def) return bad(c, `unknown type ${type}`);
        const rows = store.table(collectionOf(def), def.key ?? "id").all();
        const count = rows.length ? Math.max(1, Math.round(rows.length * share)) : 0;
        const picked = pickDistinct(rows, count, rng);
        for (const rec of picked) {
          if (kind === "delete") {
            deleteRecord(def, rec, ctx);
          } else {
            const patchOf = kind === "churn" ? def.churn : kind === "bad-import" ? def.badImport : undefined;
            if (!patchOf) return bad(c, `${type} does not support mutate kind ${kind}`);
            const patch = patchOf(rec, rng);
            if (!before[type]) before[type] = {};
            before[type][String(rec[def.key ?? "id"])] = Object.fromEntries(
              Object.keys(patch).map((k) => [k, rec[k]]),
            );
            try {
              updateRecord(def, rec, patch, ctx);
            } catch (e) {
              // A generated edit BigCommerce would refuse is reported, not turned into a 500.
              if (!(e instanceof ApiError)) throw e;
              delete before[type][String(rec[def.key ?? "id"])];
              skipped.push({ type, id: rec[def.key ?? "id"], status: e.status, title: e.title });
            }
          }
        }
      }
      await flushEvents(ctx);
      return c.json({ kind, changed: changes, before, skipped });
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/users",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      const id = Math.max(...store.users.keys()) + 1;
      const user: StoreUser = {
        id,
        username: String(body.username ?? `user${id}`),
        email: String(body.email ?? `user${id}@${store.hash}.example.com`),
        locale: String(body.locale ?? "en-US"),
      };
      store.users.set(id, user);
      return c.json(user);
    }),
  );

  app.get(
    "/__sandbox/stores/:hash/users",
    withStore((c, store) => c.json([...store.users.values()])),
  );

  app.post(
    "/__sandbox/stores/:hash/tokens",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      const scopes = (body.scopes as string[] | undefined) ?? DEFAULT_APP_SCOPES;
      const token = crypto.randomUUID().replace(/-/g, "");
      store.tokens.set(token, {
        token,
        clientId: String(body.client_id ?? "sandbox-test-client"),
        scopes: new Set(scopes),
        userId: store.owner.id,
      });
      return c.json({ access_token: token, scopes });
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/install",
    withStore(async (c, store) => {
      const { body, form } = await readBody(c);
      const appConfig = findApp(state, body.client_id as string | undefined);
      if (!appConfig) return bad(c, "no such app configured in the sandbox");
      const user = store.users.get(Number(body.user_id ?? store.owner.id)) ?? store.owner;
      const scope = String(body.scope ?? DEFAULT_APP_SCOPES.join(" "));
      const code = crypto.randomUUID().replace(/-/g, "");
      store.authCodes.set(code, {
        code,
        clientId: appConfig.clientId,
        scope,
        userId: user.id,
        expiresAt: state.now() + AUTH_CODE_TTL_MS,
      });
      const q = new URLSearchParams({
        code,
        scope,
        context: `stores/${store.hash}`,
        account_uuid: store.accountUuid,
      });
      const callback_url = `${appConfig.appUrl}/auth/callback?${q}`;
      if (form) return c.redirect(callback_url, 303);
      const status = body.follow ? await follow(callback_url) : undefined;
      return c.json({ callback_url, code, ...(status !== undefined ? { status } : {}) });
    }),
  );

  app.get(
    "/__sandbox/stores/:hash/load-url",
    withStore(async (c, store) => {
      const appConfig = findApp(state, c.req.query("client_id"));
      if (!appConfig) return bad(c, "no such app configured in the sandbox");
      const user = store.users.get(Number(c.req.query("user_id") ?? store.owner.id));
      if (!user) return bad(c, "unknown user", 404);
      const jwt = await signedPayload(state, store, appConfig, user, c.req.query("url") ?? "/");
      return c.json({
        url: `${appConfig.appUrl}/auth/load?signed_payload_jwt=${jwt}`,
        signed_payload_jwt: jwt,
      });
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/uninstall",
    withStore(async (c, store) => {
      const { body, form } = await readBody(c);
      const appConfig = findApp(state, body.client_id as string | undefined);
      if (!appConfig) return bad(c, "no such app configured in the sandbox");
      const jwt = await signedPayload(state, store, appConfig, store.owner);
      const url = `${appConfig.appUrl}/auth/uninstall?signed_payload_jwt=${jwt}`;
      // Uninstalling revokes the app's token and deletes its webhooks.
      for (const [t, g] of store.tokens) if (g.clientId === appConfig.clientId) store.tokens.delete(t);
      const hooks = store.table("hooks");
      for (const h of hooks.all()) if (h.client_id === appConfig.clientId) hooks.delete(h.id);
      const status = body.follow ? await follow(url) : undefined;
      if (form) return c.redirect(`/manage/app?store=${store.hash}&done=uninstall&status=${status}`, 303);
      return c.json({ url, signed_payload_jwt: jwt, ...(status !== undefined ? { status } : {}) });
    }),
  );

  app.post(
    "/__sandbox/stores/:hash/remove-user",
    withStore(async (c, store) => {
      const { body, form } = await readBody(c);
      const appConfig = findApp(state, body.client_id as string | undefined);
      if (!appConfig) return bad(c, "no such app configured in the sandbox");
      const user = store.users.get(Number(body.user_id));
      if (!user) return bad(c, "unknown user", 404);
      if (user.id === store.owner.id) return bad(c, "the store owner cannot be removed");
      const jwt = await signedPayload(state, store, appConfig, user);
      const url = `${appConfig.appUrl}/auth/remove_user?signed_payload_jwt=${jwt}`;
      store.users.delete(user.id);
      const status = body.follow ? await follow(url) : undefined;
      if (form) return c.redirect(`/manage/app?store=${store.hash}&done=remove-user&status=${status}`, 303);
      return c.json({ url, signed_payload_jwt: jwt, ...(status !== undefined ? { status } : {}) });
    }),
  );

  app.put(
    "/__sandbox/stores/:hash/webhooks/policy",
    withStore(async (c, store) => {
      const { body } = await readBody(c);
      const p = store.webhookPolicy;
      if (body.timeout_ms !== undefined) p.timeoutMs = Number(body.timeout_ms);
      if (body.retry_scale !== undefined) p.retryScale = Number(body.retry_scale);
      return c.json({
        timeout_ms: p.timeoutMs,
        retry_scale: p.retryScale,
        retry_intervals_s: RETRY_INTERVALS_S,
      });
    }),
  );

  app.get(
    "/__sandbox/stores/:hash/webhooks/deliveries",
    withStore((c, store) => c.json(takeDeliveries(state, store, c.req.query("drain") === "1"))),
  );
}

function pickDistinct<T>(rows: T[], count: number, rng: Rng): T[] {
  if (count >= rows.length) return rows.slice();
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(rng.next() * rows.length));
  return [...chosen].sort((a, b) => a - b).map((i) => rows[i]);
}
