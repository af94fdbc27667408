import { env } from "cloudflare:workers";
import { encryptToken } from "../../worker/auth/token-crypto";
import type { JobStatus } from "../../worker/jobs/store-jobs";
import { SANDBOX_URL } from "./test-env";

export type Profile = "demo" | "rs-10k" | "empty";

/** Calls the sandbox's admin API (`/__sandbox/...`). */
export async function sandboxAdmin<T = unknown>(
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${SANDBOX_URL}/__sandbox${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

/**
 * A sandbox store installed in D1 without the OAuth flow: the `stores` row with the token
 * encrypted as the install callback would store it. Quota unlimited unless `quota` is given.
 */
export async function installTestStore(
  profile: Profile = "demo",
  opts: { seed?: number; quota?: Record<string, unknown>; reservePct?: number } = {},
): Promise<{ storeHash: string; token: string }> {
  const created = await sandboxAdmin<{ store_hash: string; access_token: string }>("/stores", {
    json: { profile, seed: opts.seed ?? 1 },
  });
  const storeHash = created.store_hash;
  await sandboxAdmin(`/stores/${storeHash}/quota`, {
    method: "PUT",
    json: opts.quota ?? { plan: "unlimited" },
  });
  const enc = await encryptToken(env, storeHash, created.access_token);
  await env.DB.prepare(
    `insert into stores (hash, status, scope, token_ciphertext, token_iv, token_key_id, installed_at, quota_reserve_pct, plan)
     values (?, 'installed', 'all', ?, ?, ?, ?, ?, 'pro')`,
  )
    .bind(storeHash, enc.tokenCiphertext, enc.tokenIv, enc.tokenKeyId, Date.now(), opts.reservePct ?? 20)
    .run();
  return { storeHash, token: created.access_token };
}

export function jobsOf(storeHash: string) {
  return env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash));
}

/** Polls the store's job until it is no longer running (alarms drive it). Fails at once if there is none. */
export async function waitForJob(storeHash: string, timeoutMs = 120_000): Promise<JobStatus> {
  const stub = jobsOf(storeHash);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = (await stub.status()) as JobStatus | null;
    if (!status) throw new Error(`store ${storeHash} has no job to wait for`);
    if (status.status !== "running") return status;
    if (Date.now() > until)
      throw new Error(`job still running after ${timeoutMs} ms: ${JSON.stringify(status?.progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the store's job if it has one; null when the store never ran a job. */
export async function settleJobs(storeHash: string, timeoutMs = 120_000): Promise<JobStatus | null> {
  return (await jobsOf(storeHash).status()) ? waitForJob(storeHash, timeoutMs) : null;
}

/** Runs a full ("manual") backup and waits for it. */
export async function backupNow(storeHash: string, types?: string[]): Promise<JobStatus> {
  const started = await jobsOf(storeHash).startBackup({ kind: "manual", types });
  if (!started.started) throw new Error(started.message);
  const status = await waitForJob(storeHash);
  if (status.status !== "done") throw new Error(`backup ${status.status}: ${status.error}`);
  return status;
}
