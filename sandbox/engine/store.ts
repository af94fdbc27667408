import { Rng } from "./rng.ts";
import { type Key, type Rec, Table } from "./table.ts";

export type Profile = "demo" | "rs-10k" | "empty";

export interface FaultConfig {
  /** Share of API requests answered with a 500. */
  error5xxRate: number;
  /** Delay added to a share (`slowRate`) of API requests. */
  slowMs: number;
  slowRate: number;
  /** Share of requests answered 429 without rate-limit headers (platform overload). */
  overload429Rate: number;
  /** Share of requests whose connection is dropped (the client sees a network error). */
  dropRate: number;
  webhookDuplicateRate: number;
  webhookDelayMs: number;
  /** Image CDN (`/__sandbox/cdn/...`): share of downloads answered 503, and slowed by `cdnSlowMs`. */
  cdn5xxRate: number;
  cdnSlowMs: number;
  cdnSlowRate: number;
  seed: number;
}

export const NO_FAULTS: FaultConfig = {
  error5xxRate: 0,
  slowMs: 0,
  slowRate: 0,
  overload429Rate: 0,
  dropRate: 0,
  webhookDuplicateRate: 0,
  webhookDelayMs: 0,
  cdn5xxRate: 0,
  cdnSlowMs: 0,
  cdnSlowRate: 0,
  seed: 1,
};

export interface Quota {
  /** Requests per window; null = unlimited. */
  quota: number | null;
  /** Window length before scaling (BigCommerce: 30,000 ms). */
  windowMs: number;
  /** Multiplies the window (0.01 turns 30 s into 300 ms); the quota is unchanged. */
  timeScale: number;
}

export interface StoreUser {
  id: number;
  username: string;
  email: string;
  locale: string;
}

/** An access token of the store: the sandbox's own admin token or one issued by the OAuth code exchange. */
export interface TokenGrant {
  token: string;
  clientId: string;
  /** "all" = every scope (the admin token returned by POST /__sandbox/stores). */
  scopes: Set<string> | "all";
  userId: number;
}

export interface AuthCode {
  code: string;
  clientId: string;
  scope: string;
  userId: number;
  expiresAt: number;
}

export interface Delivery {
  id: number;
  hook_id: number;
  scope: string;
  destination: string;
  headers: Record<string, string>;
  payload: Rec;
  created_at: number;
  /** Queue mode: not handed out by drain before this time (webhookDelayMs). */
  due_at: number;
  /** Over HTTP: the last attempt's status ("error" = network error, "timeout" = no answer in time). */
  status?: number | "error" | "timeout";
  /** Over HTTP: every attempt so far, retries included. */
  attempts?: { at: number; status: number | "error" | "timeout" }[];
  /** Over HTTP: when the next retry is due (ms), while one is scheduled. */
  next_attempt_at?: number | null;
  /** Over HTTP: the retries ran out and the hook was deactivated. */
  gave_up?: boolean;
}

/** How the sandbox retries webhook callbacks over HTTP (see engine/webhooks.ts). */
export interface WebhookPolicy {
  /** An attempt with no answer within this time fails (and is retried). */
  timeoutMs: number;
  /** Multiplies BigCommerce's retry intervals (60 s … 86,400 s): 0.001 runs them in ms. */
  retryScale: number;
}

export interface Stats {
  requests: Record<string, number>;
  total: number;
  rateLimited: number;
  overloaded: number;
  errors5xx: number;
  dropped: number;
  slowed: number;
  inFlight: number;
  peakConcurrency: number;
  bytesSent: number;
  /** Image files served by the CDN path (not API requests: they do not count against the quota). */
  cdnDownloads: number;
  cdnBytes: number;
  /** CDN requests answered 404 (lost or unknown files). */
  cdnNotFound: number;
  /** CDN requests answered 503 by the `cdn5xxRate` fault. */
  cdnErrors: number;
  /** 429s for going over an endpoint's documented concurrency limit. */
  concurrency429: number;
  since: number;
}

export function emptyStats(now: number): Stats {
  return {
    requests: {},
    total: 0,
    rateLimited: 0,
    overloaded: 0,
    errors5xx: 0,
    dropped: 0,
    slowed: 0,
    inFlight: 0,
    peakConcurrency: 0,
    bytesSent: 0,
    cdnDownloads: 0,
    cdnBytes: 0,
    cdnNotFound: 0,
    cdnErrors: 0,
    concurrency429: 0,
    since: now,
  };
}

/** One BigCommerce store held in memory: its credentials, limits, faults and one table per collection. */
export class Store {
  readonly tables = new Map<string, Table>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly users = new Map<number, StoreUser>();
  readonly authCodes = new Map<string, AuthCode>();
  readonly counters = new Map<string, number>();
  /** Singleton documents (store settings and the like), keyed by name. */
  readonly singletons = new Map<string, Rec>();
  deliveries: Delivery[] = [];
  /** Files uploaded through the API (images), served under /__sandbox/cdn/{hash}/..., keyed by path. */
  readonly files = new Map<string, { bytes: Uint8Array; type: string }>();
  /** CDN paths (without rendition suffix) made to answer 404 by the admin `images/lose` endpoint. */
  readonly lostFiles = new Set<string>();
  /** Opt-in (`PUT /__sandbox/stores/{hash}/images/policy`): deleting an image's record loses its file. */
  loseDeletedImages = false;
  deliverySeq = 0;
  webhookPolicy: WebhookPolicy = { timeoutMs: 10_000, retryScale: 1 };
  /** Requests running now per route template (for the per-endpoint concurrency limits). */
  readonly concurrent = new Map<string, number>();
  quota: Quota = { quota: 150, windowMs: 30_000, timeScale: 1 };
  window = { start: 0, used: 0 };
  faults: FaultConfig = { ...NO_FAULTS };
  faultRng = new Rng(1);
  /** CDN faults draw from their own stream, so image downloads do not shift the API's fault sequence. */
  cdnFaultRng = new Rng(2);
  stats: Stats;
  /** Deterministic source for server-assigned uuids and codes. */
  readonly rng: Rng;
  readonly accountUuid: string;
  readonly owner: StoreUser;

  constructor(
    readonly hash: string,
    /** Numeric store id, as sent in webhook payloads (`store_id`). */
    readonly id: number,
    readonly name: string,
    readonly profile: Profile,
    readonly seed: number,
    readonly accessToken: string,
    now: number,
  ) {
    this.rng = new Rng(seed * 7919 + 17);
    this.accountUuid = this.rng.uuid();
    this.stats = emptyStats(now);
    this.owner = { id: 1, username: `owner_${hash}`, email: `owner@${hash}.example.com`, locale: "en-US" };
    this.users.set(1, this.owner);
    this.tokens.set(accessToken, { token: accessToken, clientId: "sandbox-admin", scopes: "all", userId: 1 });
  }

  table(name: string, keyField = "id"): Table {
    let t = this.tables.get(name);
    if (!t) {
      t = new Table(keyField);
      this.tables.set(name, t);
    }
    return t;
  }

  /** Next server-assigned integer id of a collection (starting at 1, never reused). */
  nextId(collection: string): number {
    const n = (this.counters.get(collection) ?? 0) + 1;
    this.counters.set(collection, n);
    return n;
  }

  /** Make sure the counter is past an id chosen explicitly (generators may assign ids). */
  bumpId(collection: string, id: Key): void {
    if (typeof id === "number" && id > (this.counters.get(collection) ?? 0))
      this.counters.set(collection, id);
  }

  setFaults(f: Partial<FaultConfig>): FaultConfig {
    this.faults = { ...this.faults, ...f };
    this.faultRng = new Rng(this.faults.seed);
    this.cdnFaultRng = new Rng(this.faults.seed + 1);
    return this.faults;
  }

  /** The window actually applied, after time scaling. */
  get scaledWindowMs(): number {
    return Math.max(1, Math.round(this.quota.windowMs * this.quota.timeScale));
  }
}
