/**
 * Shared by the `*.bench.test.ts` files (they run in workerd): the same-run baseline that times are
 * divided by, medians, the Standard-quota conversion, and the `BENCH_RESULT` line bench/run.ts collects.
 */

import { env } from "cloudflare:workers";
import { deflateSync } from "fflate";
import { jobsOf } from "../test/support/stores";
import type { LocatedVersion } from "../worker/backup/vault-read";
import type { JobStatus } from "../worker/jobs/store-jobs";

/** One benchmark's figures: counts are exact; times carry their runs and the baseline ratio. */
export type BenchResult = {
  name: string;
  title: string;
  scale: string;
  figures: Record<string, number | string | boolean | null>;
  goals: { figure: string; goal: string; met: boolean | null }[];
  notes: string[];
};

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Median wall time of `fn` over `runs` runs (after one warm-up). */
export async function timeMedian(fn: () => Promise<unknown> | unknown, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

// The baseline: work shaped like ingest (canonical JSON, SHA-256, raw DEFLATE) on a fixed 256 KB
// payload, in the same isolate as the figure it normalises, so a loaded machine moves both.
const BASELINE_RECORDS = Array.from({ length: 200 }, (_, i) => ({
  id: i,
  name: `Baseline record ${i}`,
  sku: `BL-${String(i).padStart(5, "0")}`,
  price: (i * 7.31) % 500,
  description: "<p>A fixed paragraph that every run hashes and compresses the same way.</p>".repeat(12),
  tags: ["a", "b", "c", String(i % 17)],
}));

async function baselineOnce() {
  const enc = new TextEncoder();
  for (const r of BASELINE_RECORDS) {
    const bytes = enc.encode(JSON.stringify(r, Object.keys(r).sort()));
    await crypto.subtle.digest("SHA-256", bytes);
    deflateSync(bytes, { level: 6 });
  }
}

/** Median ms of the baseline workload (7 runs). Measured before and after each benchmark file's work. */
export const measureBaseline = () => timeMedian(baselineOnce, 7);

/** Standard plan: 150 requests per 30 s window, 20% kept free for the merchant's other apps. */
export const STANDARD = { quota: 150, windowMs: 30_000, reservePct: 20 };
export const STANDARD_USABLE = Math.floor(STANDARD.quota * (1 - STANDARD.reservePct / 100));

/** Minutes a job of `calls` API calls needs at the Standard quota when the pacer is the only limit. */
export const minutesAtStandard = (calls: number) => (calls / STANDARD_USABLE) * (STANDARD.windowMs / 60_000);

/** Prints the result where bench/run.ts finds it (one line, prefixed). */
export function report(result: BenchResult) {
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

/**
 * Polls the store's job until every type's listing is done (or the job ended); ms since `t0`. A
 * catalog backup then fetches image files (worker/images): that phase is not record ingest.
 */
export async function recordsDone(storeHash: string, t0: number): Promise<number> {
  for (;;) {
    const s = (await jobsOf(storeHash).status()) as JobStatus | null;
    const types = Object.values(s?.progress.types ?? {});
    if (
      s?.status !== "running" ||
      (types.length > 0 && types.every((p) => p.status !== "pending" && p.status !== "running"))
    )
      return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A store's versions matching `where` (`id > ?`, `backup_id = ?`), with what reading their bodies needs. */
export async function versionsWhere(
  storeHash: string,
  where: string,
  ...binds: unknown[]
): Promise<(LocatedVersion & { type: string; source: string })[]> {
  const { results } = await env.DB.prepare(
    `select id, store_hash as storeHash, type, record_id as recordId, source, change, pack_id as packId,
       "offset", length, body_offset as bodyOffset, size from versions where store_hash = ? and ${where}`,
  )
    .bind(storeHash, ...binds)
    .all<LocatedVersion & { type: string; source: string }>();
  return results;
}
