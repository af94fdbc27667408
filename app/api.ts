import { createSignal, onCleanup, type Resource } from "solid-js";

/** The one error shape every `/api` route answers with. */
export type ErrorBody = { error: { code: string; message: string; field?: string } };

export type Plan = "free" | "standard" | "pro";

/** `GET /api/session`: who is signed in, to which store, and the CSRF token for changes. */
export type Session = {
  store: { hash: string; name: string | null; plan: Plan; timezone: string | null; domain?: string | null };
  user: { id: number; email: string; role: "owner" | "user" };
  csrfToken: string;
  kind: "embedded" | "external";
};

/** A failed `/api` call, carrying the server's code, message and (for bad input) the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | undefined;
const [expired, setExpired] = createSignal(false);

/**
 * True once any call answered 401: the session cookie is gone or revoked, and only reopening the app
 * from the control panel (a new signed load) can start a new one.
 */
export const sessionExpired = expired;

type RequestOptions = {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
};

/** Calls the API: JSON in and out, the session cookie, and the CSRF token on every state-changing request. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      if (value !== undefined && value !== "") params.set(key, String(value));
    }
    const search = params.toString();
    if (search) url += `?${search}`;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "include",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, "network", "Strongbox could not be reached. Check your connection and try again.");
  }
  if (response.status === 401) setExpired(true);
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    if (body.error?.code) {
      return new ApiError(response.status, body.error.code, body.error.message, body.error.field);
    }
  } catch {
    // Not JSON (a proxy or platform error page): fall through to a generic message.
  }
  return new ApiError(
    response.status,
    "http_" + response.status,
    `The request failed (HTTP ${response.status}).`,
  );
}

/** A readable message for anything a call may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/**
 * A resource's last good value without throwing: Solid's `resource.latest` rethrows a failed load, which
 * would take the whole page down; pages show `resource.error` next to what they still have instead.
 */
export function lastGood<T>(resource: Resource<T>): T | undefined {
  return resource.error ? undefined : resource.latest;
}

// ---- Session ----

export async function loadSession(): Promise<Session> {
  const session = await request<Session>("/api/session");
  csrfToken = session.csrfToken;
  setExpired(false);
  return session;
}

// ---- Backup vault ----

export type ContentGroup = "store" | "content";

export type JobStatus = "running" | "done" | "failed" | "cancelled";

/** Progress of one content type inside a job. */
export type JobTypeProgress = {
  done: number;
  /** Unknown until the type's first page tells how many records there are. */
  total: number | null;
  calls: number;
  versions: number;
  deleted: number;
  unchanged: number;
  bytes: number;
  status: "pending" | "running" | "done";
};

/** The store's running (or last) backup, restore or export (`GET /api/jobs/current`). */
export type Job = {
  id: string;
  kind: string;
  status: JobStatus;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: string | null;
  calls: number;
  /** Milliseconds left at the store's API quota, when known. */
  etaMs: number | null;
  backupId: string | null;
  progress: { types: Record<string, JobTypeProgress>; remainingCalls: number; stage?: "images" };
};

export type VaultSummary = {
  lastBackup: {
    id: string;
    status: string;
    kind: string;
    startedAt: number;
    finishedAt: number | null;
  } | null;
  lastSuccessfulBackupAt: number | null;
  nextBackupAt: number | null;
  items: number;
  storageBytes: number;
  autoSync: boolean;
  runningJob: Job | null;
};

export type RestoreMode = "automatic" | "team_assisted";

/** One row of Item Storage (`GET /api/vault/types`); also the list of content types pickers offer. */
export type VaultTypeRow = {
  group: ContentGroup;
  type: string;
  label: string;
  items: number;
  bytes: number;
  restoreMode: RestoreMode;
};

/** One backup on the storage chart (`GET /api/vault/history`, oldest first). */
export type VaultHistoryPoint = {
  backupId: string;
  kind: string;
  status: string;
  startedAt: number;
  finishedAt: number | null;
  changes: number;
  bytesAdded: number;
  /** Total stored after this backup. */
  storageBytes: number;
};

export const vaultApi = {
  summary: () => request<VaultSummary>("/api/vault/summary"),
  types: () => request<{ types: VaultTypeRow[] }>("/api/vault/types").then((r) => r.types),
  history: () => request<{ points: VaultHistoryPoint[] }>("/api/vault/history").then((r) => r.points),
  /** "Backup all data" (or only `types`). 409 `job_running` when a job already runs for the store. */
  startBackup: (types?: string[]) =>
    request<{ jobId: string; backupId: string }>("/api/backups", {
      method: "POST",
      body: types ? { types } : {},
    }),
  currentJob: () => request<{ job: Job | null }>("/api/jobs/current").then((r) => r.job),
};

/**
 * Overall progress of a job: records processed so far, and the share of the job's API calls already made
 * (the same measure its ETA comes from, so the bar and "minutes left" agree).
 */
export function jobOverall(job: Job): { records: number; percent: number | undefined } {
  // Defensive: every job kind reports progress per type, but a job that has not started may not yet.
  const records = Object.values(job.progress?.types ?? {}).reduce((sum, t) => sum + (t.done ?? 0), 0);
  if (job.status === "done") return { records, percent: 100 };
  const planned = (job.calls ?? 0) + (job.progress?.remainingCalls ?? 0);
  return { records, percent: planned > 0 ? ((job.calls ?? 0) / planned) * 100 : undefined };
}

// ---- Live progress ----

/**
 * Calls `fn` now and every `ms` while `active()` is true, keeping the latest result; stops when the
 * owning component unmounts. Calls never overlap: the next one is scheduled after the previous settles.
 * `ms` may be a function, read before each wait (e.g. fast while a job runs, slow otherwise).
 */
export function createPolling<T>(
  fn: () => Promise<T>,
  ms: number | (() => number),
  active: () => boolean = () => true,
) {
  const [value, setValue] = createSignal<T | undefined>();
  const [error, setError] = createSignal<unknown>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight = false;

  const tick = async () => {
    timer = undefined;
    if (stopped || inFlight) return;
    if (active()) {
      inFlight = true;
      try {
        const result = await fn();
        if (stopped) return;
        setValue(() => result);
        setError(undefined);
      } catch (err) {
        if (stopped) return;
        setError(err);
        if (err instanceof ApiError && err.status === 401) return;
      } finally {
        inFlight = false;
      }
    }
    timer = setTimeout(tick, typeof ms === "function" ? ms() : ms);
  };

  void tick();
  onCleanup(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });

  return {
    value,
    error,
    /** Forgets the last result (e.g. before watching a new job). */
    reset: () => setValue(undefined),
    /** Polls immediately instead of waiting for the next tick. */
    refresh: () => {
      if (timer) clearTimeout(timer);
      void tick();
    },
  };
}
