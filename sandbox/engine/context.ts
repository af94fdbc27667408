import type { ResourceDef } from "./collection.ts";
import type { Store, TokenGrant } from "./store.ts";
import type { Key, Rec } from "./table.ts";

export interface SandboxAppConfig {
  clientId: string;
  clientSecret: string;
  /** Where the app answers: `{appUrl}/auth/callback`, `/auth/load`, `/auth/uninstall`, `/auth/remove_user`. */
  appUrl: string;
}

export interface SandboxState {
  stores: Map<string, Store>;
  apps: SandboxAppConfig[];
  now: () => number;
  deliverWebhooks: "http" | "queue";
  /** Default time scale of new stores' rate-limit windows. */
  timeScale: number;
  resources: Map<string, ResourceDef>;
  /** Primary resource per collection: its shape is the one exported. */
  primary: Map<string, ResourceDef>;
  storeSeq: number;
  /** Origin the sandbox is reached at (generated image URLs point under `{origin}/__sandbox/cdn/`). */
  origin: string;
}

export type Changes = Record<string, { created: Key[]; updated: Key[]; deleted: Key[] }>;

export interface PendingEvent {
  scope: string;
  data: Rec;
}

/** Everything a resource hook sees about the request (or the admin/generator operation) it serves. */
export interface Ctx {
  state: SandboxState;
  store: Store;
  grant: TokenGrant;
  now: number;
  query: URLSearchParams;
  params: Record<string, string>;
  /** The parent record of a nested resource (e.g. the product of /products/{id}/images). */
  parent?: Rec;
  /** Webhook events raised while serving; delivered once the change is complete. */
  events: PendingEvent[];
  /** When set, every create/update/delete is logged here by resource name (admin `mutate` reports it). */
  changes?: Changes;
  /** False when generating seed data: no webhooks, no parent touch. */
  live: boolean;
}

export function emit(ctx: Ctx, scope: string, data: Rec): void {
  if (ctx.live) ctx.events.push({ scope, data });
}

/** A context for admin operations and generators (not an HTTP request of a client). */
export function systemCtx(state: SandboxState, store: Store, live: boolean): Ctx {
  const grant = store.tokens.get(store.accessToken);
  if (!grant) throw new Error("store without admin token");
  return {
    state,
    store,
    grant,
    now: state.now(),
    query: new URLSearchParams(),
    params: {},
    events: [],
    live,
  };
}
