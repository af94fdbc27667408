/**
 * Export of rs-10k end to end in workerd (the real worker: StoreJobs Durable Object, D1, R2), from the
 * live store and from the latest backup, after one full backup:
 *
 *   STRONGBOX_BENCH=1 npx vitest run --project bench bench/export.bench.test.ts
 *
 * The vault export makes no API call, so its MB/s is the export engine's own pace (D1 pages, R2 pack
 * reads, rendering, deflate, R2 parts); the live one adds the paced API reads (unlimited quota here).
 * MB/s = uncompressed bytes of the ZIPs' files (from their central directories) / wall time from start
 * to done. A same-run baseline (bench/support.ts) is given as a ratio: the machine is shared.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { installViaOAuth, sandbox } from "../test/support/install";
import { jobsOf, waitForJob } from "../test/support/stores";
import { SANDBOX_URL } from "../test/support/test-env";
import { typeKeys } from "../worker/bigcommerce/registry";
import type { ExportSource } from "../worker/export/export-job";
import { startExport } from "../worker/export/start";
import { exportMarker, exportProfile, zipUncompressed } from "./export-support";
import { measureBaseline, median, report, round } from "./support";

const MB = 1024 * 1024;
/** Runs of each export (VITE_EXPORT_RUNS, default 1): the figures are their medians. */
const viteEnv = (import.meta as { env?: Record<string, string> }).env ?? {};
const RUNS = Number(viteEnv.VITE_EXPORT_RUNS ?? 1) || 1;
/** A pause before each export (bench/export-heap.ts sets it) in which the heap sampler collects garbage. */
const SETTLE_MS = Number(viteEnv.VITE_EXPORT_SETTLE_MS ?? 0) || 0;
let storeHash: string;
let baseline = 0;

async function exportOnce(source: ExportSource, run: number) {
  await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`, { method: "DELETE" });
  if (SETTLE_MS) {
    exportMarker(`${source}-${run}`, "prepare");
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  }
  exportMarker(`${source}-${run}`, "start");
  const t0 = performance.now();
  const id = await startExport(env, {
    storeHash,
    kind: "manual",
    types: [...typeKeys],
    emails: [],
    source,
    createdBy: "bench",
  });
  await waitForJob(storeHash, 3_000_000);
  const ms = performance.now() - t0;
  exportMarker(`${source}-${run}`, "end");
  const row = await env.DB.prepare("select status, files, counts, error from exports where id = ?")
    .bind(id)
    .first<{ status: string; files: string; counts: string; error: string | null }>();
  expect(row?.error ?? null).toBeNull();
  expect(row?.status).toBe("done");
  const files = JSON.parse(row?.files ?? "[]") as { key: string; size: number }[];
  let uncompressed = 0;
  let entries = 0;
  for (const f of files) {
    const z = await zipUncompressed(f.key);
    uncompressed += z.bytes;
    entries += z.entries;
  }
  const stats = await (await fetch(`http://sandbox.test/__sandbox/stores/${storeHash}/stats`)).json<{
    total_requests: number;
  }>();
  const records = Object.values(JSON.parse(row?.counts ?? "{}") as Record<string, number>).reduce(
    (a, b) => a + b,
    0,
  );
  return {
    ms,
    files,
    uncompressed,
    entries,
    records,
    apiCalls: stats.total_requests,
    profile: await exportProfile(storeHash),
  };
}

async function exportRuns(source: ExportSource) {
  const runs: Awaited<ReturnType<typeof exportOnce>>[] = [];
  for (let i = 1; i <= RUNS; i++) runs.push(await exportOnce(source, i));
  const mid = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)];
  const base = median([baseline, await measureBaseline()]);
  const mbps = mid.uncompressed / MB / (mid.ms / 1000);
  report({
    name: `export-${source}`,
    title: `Export of rs-10k, all types, from the ${source === "vault" ? "latest backup" : "live store"}`,
    scale: `rs-10k, ${typeKeys.length} types, ${mid.records} records`,
    figures: {
      wallMs: Math.round(mid.ms),
      runsMs: runs.map((r) => Math.round(r.ms)).join(" / "),
      zipFiles: mid.files.length,
      zipBytes: mid.files.reduce((a, f) => a + f.size, 0),
      zipEntries: mid.entries,
      uncompressedBytes: mid.uncompressed,
      endToEndMBps: round(mbps, 1),
      apiCalls: mid.apiCalls,
      baselineMs: round(base),
      wallToBaseline: round(mid.ms / base, 0),
      ...mid.profile,
    },
    goals: [{ figure: "endToEndMBps", goal: "≥ 30 MB/s", met: mbps >= 30 }],
    notes: [
      "MB/s = uncompressed bytes of the ZIPs' files / wall time from start to done (median run)",
      "*Ms figures: the median run's wall ms per phase, summed over its steps (ExportState.profile); apiWaitMs is time spent waiting for a page the read-ahead had not delivered yet",
    ],
  } as Parameters<typeof report>[0]);
}

describe.sequential("export of rs-10k", () => {
  it("installs rs-10k", async () => {
    baseline = await measureBaseline();
    const s = await installViaOAuth("rs-10k", 11);
    storeHash = s.storeHash;
    await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });
    await env.DB.prepare("update stores set plan = 'pro' where hash = ?").bind(storeHash).run();
  });

  it("exports from the live store", () => exportRuns("live"));

  it("backs up rs-10k in full (the vault export's source)", async () => {
    const stub = jobsOf(storeHash);
    const started = await stub.startBackup({ kind: "manual" });
    if (!started.started) await waitForJob(storeHash, 3_000_000);
    // The records are in the vault once the backup reaches its image files: a vault export without
    // images does not need them, and they take minutes, so the backup is stopped there.
    for (;;) {
      const status = await stub.status();
      if (status?.status !== "running") break;
      if (status.progress.stage === "images") {
        await stub.cancel(status.id, "benchmark: image files not needed");
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const count = await env.DB.prepare("select count(*) as n from records where store_hash = ?")
      .bind(storeHash)
      .first<{ n: number }>();
    expect(count?.n ?? 0).toBeGreaterThan(150_000);
  });

  it("exports from the latest backup (no API call)", () => exportRuns("vault"));
});
