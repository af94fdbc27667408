import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { checkVault } from "../worker/integrity/vault-check";
import type { JobStatus } from "../worker/jobs/store-jobs";
import { jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

/** The sandbox's fault settings (see sandbox/README.md). */
export type Faults = Partial<{
  error5xxRate: number;
  slowMs: number;
  slowRate: number;
  overload429Rate: number;
  dropRate: number;
  webhookDuplicateRate: number;
  webhookDelayMs: number;
  seed: number;
}>;

/**
 * One row of the fault matrix: what the sandbox does to the store's API while the job runs.
 * `quota` replaces the store's quota (a small quota answers 429 with the rate headers);
 * `restarts` aborts the store's Durable Object while the job runs, every `restartEveryMs`.
 */
export type Scenario = {
  name: string;
  faults?: Faults;
  quota?: Record<string, unknown>;
  restarts?: boolean;
  /** Another client of the store spends the shared quota meanwhile (what turns a small quota into a storm). */
  competitor?: boolean;
  /** What the sandbox's stats must show happened (so no row passes without its fault). */
  evidence: "throttled_429" | "overload_429" | "errors_5xx" | "slow" | "drops" | "restarts";
};

export const SCENARIOS: Scenario[] = [
  {
    name: "429 storm with rate headers",
    quota: { quota: 20, window_ms: 1_000, time_scale: 1 },
    competitor: true,
    evidence: "throttled_429",
  },
  {
    name: "429 without headers (overload)",
    faults: { overload429Rate: 0.1, seed: 3 },
    evidence: "overload_429",
  },
  { name: "10% 5xx", faults: { error5xxRate: 0.1, seed: 4 }, evidence: "errors_5xx" },
  { name: "slow responses", faults: { slowRate: 0.3, slowMs: 200, seed: 5 }, evidence: "slow" },
  { name: "dropped connections", faults: { dropRate: 0.1, seed: 6 }, evidence: "drops" },
  {
    name: "Durable Object restarted mid-job",
    faults: { slowRate: 1, slowMs: 40, seed: 7 },
    restarts: true,
    evidence: "restarts",
  },
];

export type Stats = {
  total_requests: number;
  rate_limited_429: number;
  overload_429: number;
  errors_5xx: number;
  dropped: number;
  slowed: number;
};

/** The sandbox counter that proves a scenario's fault happened. */
export const EVIDENCE: Record<Exclude<Scenario["evidence"], "restarts">, keyof Stats> = {
  throttled_429: "rate_limited_429",
  overload_429: "overload_429",
  errors_5xx: "errors_5xx",
  slow: "slowed",
  drops: "dropped",
};

export const statsOf = (storeHash: string) => sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
export const resetStats = (storeHash: string) =>
  sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });

export async function applyScenario(storeHash: string, s: Scenario) {
  if (s.quota) await sandboxAdmin(`/stores/${storeHash}/quota`, { method: "PUT", json: s.quota });
  if (s.faults) await sandboxAdmin(`/stores/${storeHash}/faults`, { method: "PUT", json: s.faults });
}

/** Back to a calm store (faults off, quota unlimited). */
export async function calm(storeHash: string) {
  await sandboxAdmin(`/stores/${storeHash}/faults`, {
    method: "PUT",
    json: {
      error5xxRate: 0,
      slowMs: 0,
      slowRate: 0,
      overload429Rate: 0,
      dropRate: 0,
      webhookDuplicateRate: 0,
      webhookDelayMs: 0,
    },
  });
  await sandboxAdmin(`/stores/${storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });
}

/** Kills only this store's Durable Object (never abortAllDurableObjects: it kills other files' objects). */
export async function restartObject(storeHash: string) {
  await runInDurableObject(jobsOf(storeHash), (_instance, state) =>
    state.abort("restarted by the fault test"),
  ).catch(() => undefined);
}

/**
 * Waits for the store's running job; with `restarts`, aborts its Durable Object every `everyMs` while
 * it runs. Returns the final status and how many times the object was killed.
 */
export async function runThrough(
  storeHash: string,
  opts: { restarts?: boolean; everyMs?: number; maxRestarts?: number; timeoutMs?: number } = {},
): Promise<{ status: JobStatus; restarts: number }> {
  let restarts = 0;
  if (opts.restarts) {
    for (let i = 0; i < (opts.maxRestarts ?? 6); i++) {
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 300));
      const s = (await jobsOf(storeHash).status()) as JobStatus;
      if (s.status !== "running") break;
      await restartObject(storeHash);
      restarts++;
    }
  }
  return { status: await waitForJob(storeHash, opts.timeoutMs ?? 55_000), restarts };
}

/** The vault as (type, record, change) per version, in a comparable order. */
export async function vaultTuples(storeHash: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "select type, record_id, change from versions where store_hash = ? order by type, record_id, captured_at, id",
  )
    .bind(storeHash)
    .all<{ type: string; record_id: string; change: string }>();
  return results.map((r) => `${r.type}/${r.record_id}/${r.change}`);
}

/** The records index (what the merchant browses), without store-specific hashes. */
export async function recordRows(storeHash: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id, current_hash is not null as has_hash, version_count, deleted from records where store_hash = ? order by type, record_id",
  )
    .bind(storeHash)
    .all();
  return results;
}

/** Versions recorded twice for the same body of a record (a replayed page or delivery). */
export async function duplicateVersions(storeHash: string) {
  const { results } = await env.DB.prepare(
    `select type, record_id, hash, count(*) as n from versions where store_hash = ? and hash is not null
     group by type, record_id, hash having count(*) > 1`,
  )
    .bind(storeHash)
    .all();
  return results;
}

/** The vault of `storeHash` equals `baseline`'s, holds no duplicate, and the integrity check finds nothing. */
export async function expectSameVault(storeHash: string, baseline: string, label: string) {
  expect(await vaultTuples(storeHash), label).toEqual(await vaultTuples(baseline));
  expect(await recordRows(storeHash), label).toEqual(await recordRows(baseline));
  expect(await duplicateVersions(storeHash), label).toEqual([]);
  const report = await checkVault(env, storeHash);
  expect(report.problems, label).toEqual([]);
  expect(report.versions).toBeGreaterThan(0);
}

/** A job that did not end done must say why in words a merchant can read (no stack, no bare status code). */
export function expectReadableFailure(status: JobStatus) {
  expect(status.status).toBe("failed");
  expect(status.error ?? "").toMatch(/[a-z]{3,} [a-z]{3,}/i);
  expect(status.error ?? "").not.toMatch(/\n\s+at /);
}

/** One line of the figures table, printed so the doc can be regenerated from the test output. */
export function report(row: Record<string, unknown>) {
  console.log(`FAULTS ${JSON.stringify(row)}`);
}

/**
 * Another app of the same store spending the shared quota: until the job has met a 429 carrying the
 * rate headers, it spends all that is left of the window at every tick (on a busy machine one call a
 * tick can fall under the quota, and the job's calls would fit in what is left); after that it calls
 * once every `everyMs` until stopped.
 */
export async function startCompetitor(storeHash: string, everyMs = 25): Promise<() => Promise<number>> {
  const { access_token } = await sandboxAdmin<{ access_token: string }>(`/stores/${storeHash}/tokens`, {
    json: { scopes: ["store_v2_products_read_only"] },
  });
  const call = async () => {
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/brands?limit=1`, {
      headers: { "x-auth-token": access_token, accept: "application/json" },
    });
    await res.body?.cancel();
    return res.status;
  };
  let calls = 0;
  const spendWindow = async () => {
    for (let i = 0; i < 1000 && (await call().catch(() => 0)) !== 429; i++) calls++;
  };
  await spendWindow();
  let running = true;
  let jobThrottled = false;
  const loop = (async () => {
    while (running) {
      if (!jobThrottled) {
        await spendWindow();
        jobThrottled = (await jobsOf(storeHash).quota()).throttled > 0;
      } else {
        await call().catch(() => 0);
        calls++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return calls;
  };
}

type RunEvidence = { restarts: number; pacer: { throttled: number }; stats: Stats };

/** The scenario's fault really happened during the run (a row may not pass without meeting its fault). */
export function expectFaultMet(scenario: Scenario, run: RunEvidence) {
  if (scenario.evidence === "restarts") expect(run.restarts).toBeGreaterThanOrEqual(2);
  else if (scenario.evidence === "throttled_429") expect(run.pacer.throttled).toBeGreaterThan(0);
  else expect(run.stats[EVIDENCE[scenario.evidence]]).toBeGreaterThan(0);
}

/**
 * The one fault-matrix runner: applies the scenario (and its competitor), starts the job with `start`,
 * restarts the Durable Object meanwhile when the scenario says so, waits for the end, calms the store,
 * reports the row, and returns what the checks need. Every job kind (backup, incremental, bulk restore,
 * export) goes through here, so every row meets its fault the same way.
 */
export async function underFault<T>(
  storeHash: string,
  scenario: Scenario,
  opts: { job: string; start: () => Promise<T>; everyMs?: number },
): Promise<RunEvidence & { status: JobStatus; started: T }> {
  await applyScenario(storeHash, scenario);
  const stopCompetitor = scenario.competitor ? await startCompetitor(storeHash) : null;
  const t0 = Date.now();
  const started = await opts.start();
  const { status, restarts } = await runThrough(storeHash, {
    restarts: scenario.restarts,
    ...(opts.everyMs ? { everyMs: opts.everyMs } : {}),
  });
  await stopCompetitor?.();
  const stats = await statsOf(storeHash);
  const pacer = await jobsOf(storeHash).quota();
  await calm(storeHash);
  report({
    job: opts.job,
    scenario: scenario.name,
    status: status.status,
    error: status.error,
    ms: Date.now() - t0,
    restarts,
    calls: status.calls,
    jobThrottled: pacer.throttled,
    stats,
  });
  return { status, restarts, pacer, stats, started };
}

/** Runs a backup under a scenario's faults to its end (see `underFault`). */
export function backupUnderFault(
  storeHash: string,
  scenario: Scenario,
  opts: { job: string; kind: "manual" | "scheduled"; types?: string[]; everyMs?: number },
) {
  return underFault(storeHash, scenario, {
    job: opts.job,
    everyMs: opts.everyMs,
    start: async () => {
      const started = await jobsOf(storeHash).startBackup({ kind: opts.kind, types: opts.types });
      expect(started.started).toBe(true);
      return started;
    },
  });
}
