import { Hono } from "hono";
import { mountAdmin } from "./admin.ts";
import { mountCdn } from "./cdn.ts";
import { mountControlPanel } from "./control-panel.ts";
import { mountResource, type ResourceDef } from "./engine/collection.ts";
import type { SandboxAppConfig, SandboxState } from "./engine/context.ts";
import { ApiError, jsonResponse } from "./engine/http.ts";
import { DROP_HEADER, type StoreEnv, storeGate, storeRoutes } from "./engine/platform.ts";
import { mountOAuth } from "./oauth.ts";
import { modules as builtIn } from "./resources/index.ts";
import type { ResourceModule } from "./resources/module.ts";

export interface SandboxOptions {
  /** Apps installed in this BigCommerce (OAuth, signed payloads). Default: the test app of test/support/test-env.ts. */
  apps?: SandboxAppConfig[];
  /** "queue" (default): deliveries kept for GET /__sandbox/stores/{hash}/webhooks/deliveries; "http": POSTed for real. */
  deliverWebhooks?: "http" | "queue";
  now?: () => number;
  /** Default rate-limit time scale of new stores (0.01 = 300 ms windows). */
  timeScale?: number;
  /** Origin the sandbox is reached at, for generated image URLs. Default http://sandbox.test (the tests' SANDBOX_URL). */
  origin?: string;
  /** Extra resource modules mounted after the built-in ones (tests of the engine itself). */
  modules?: ResourceModule[];
}

export type { SandboxState };

const DEFAULT_APPS: SandboxAppConfig[] = [
  { clientId: "strongbox-test-client", clientSecret: "strongbox-test-secret", appUrl: "http://app.test" },
];

/** The BigCommerce emulator: store API, OAuth, control panel and the /__sandbox admin API. */
export function createSandbox(options: SandboxOptions = {}) {
  const state: SandboxState = {
    stores: new Map(),
    apps: options.apps ?? DEFAULT_APPS,
    now: options.now ?? Date.now,
    deliverWebhooks: options.deliverWebhooks ?? "queue",
    timeScale: options.timeScale ?? 1,
    resources: new Map<string, ResourceDef>(),
    primary: new Map<string, ResourceDef>(),
    storeSeq: 0,
    origin: (options.origin ?? "http://sandbox.test").replace(/\/$/, ""),
  };

  const app = new Hono();
  mountAdmin(app, state);
  mountOAuth(app, state);
  mountControlPanel(app, state);
  mountCdn(app, state);

  const storeApi = new Hono<StoreEnv>();
  storeApi.use("/stores/:store_hash/*", storeGate(state));
  const api = storeRoutes(storeApi);
  const modules = [...builtIn, ...(options.modules ?? [])];
  for (const m of modules) {
    for (const def of m.resources) {
      if (state.resources.has(def.name)) throw new Error(`duplicate resource ${def.name}`);
      state.resources.set(def.name, def);
      const coll = def.collection ?? def.name;
      if (!state.primary.has(coll)) state.primary.set(coll, def);
    }
  }
  for (const m of modules) m.publicRoutes?.(app, state);
  for (const m of modules) m.routes?.(api);
  for (const m of modules) for (const def of m.resources) mountResource(api, def);
  app.route("/", storeApi);
  app.notFound((c) =>
    jsonResponse(
      404,
      new ApiError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`).v3Body(),
    ),
  );

  app.onError((err) => {
    console.error("sandbox error", err);
    return jsonResponse(500, new ApiError(500, `Sandbox error: ${err.message}`).v3Body());
  });

  /** Serves a request; a dropped-connection fault rejects like a network failure. */
  const fetch = async (req: Request): Promise<Response> => {
    const res = await app.fetch(req);
    if (res.headers.get(DROP_HEADER))
      throw new TypeError("fetch failed: connection dropped by sandbox fault injection");
    return res;
  };

  return { app, fetch, state };
}

export type Sandbox = ReturnType<typeof createSandbox>;
