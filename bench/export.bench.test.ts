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
import { measureBaseline, median, report, round } from "./support";

const MB = 1024 * 1024;
let storeHash: string;
let baseline = 0;

/** Sums the uncompressed sizes in a ZIP's central directory (read from the object's tail). */
async function zipUncompressed(key: string): Promise<{ bytes: number; entries: number }> {
  const head = await env.EXPORTS.head(key);
  if (!head) throw new Error(`no ${key}`);
  const obj = await env.EXPORTS.get(key, { range: { suffix: Math.min(head.size, 4 * MB) } });
  const tail = new Uint8Array(await (obj as R2ObjectBody).arrayBuffer());
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--)
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error("no end of central directory");
  const entries = view.getUint16(eocd + 10, true);
  let at = eocd - view.getUint32(eocd + 12, true);
  let bytes = 0;
  for (let n = 0; n < entries; n++) {
    bytes += view.getUint32(at + 24, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { bytes, entries };
}

async function exportOnce(source: ExportSource) {
  await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`, { method: "DELETE" });
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
  const base = median([baseline, await measureBaseline()]);
  const mbps = uncompressed / MB / (ms / 1000);
  report({
    name: `export-${source}`,
    title: `Export of rs-10k, all types, from the ${source === "vault" ? "latest backup" : "live store"}`,
    scale: `rs-10k, ${typeKeys.length} types, ${records} records`,
    figures: {
      wallMs: Math.round(ms),
      zipFiles: files.length,
      zipBytes: files.reduce((a, f) => a + f.size, 0),
      zipEntries: entries,
      uncompressedBytes: uncompressed,
      endToEndMBps: round(mbps, 1),
      apiCalls: stats.total_requests,
      baselineMs: round(base),
      wallToBaseline: round(ms / base, 0),
    },
    goals: [{ figure: "endToEndMBps", goal: "≥ 30 MB/s", met: mbps >= 30 }],
    notes: ["MB/s = uncompressed bytes of the ZIPs' files / wall time from start to done"],
  } as Parameters<typeof report>[0]);
}

describe.sequential("export of rs-10k", () => {
  it("installs rs-10k and backs it up in full", async () => {
    baseline = await measureBaseline();
    const s = await installViaOAuth("rs-10k", 11);
    storeHash = s.storeHash;
    await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });
    await env.DB.prepare("update stores set plan = 'pro' where hash = ?").bind(storeHash).run();
    // The install starts no backup by itself in tests; one full backup fills the vault.
    const started = await jobsOf(storeHash).startBackup({ kind: "manual" });
    if (!started.started) await waitForJob(storeHash, 3_000_000);
    expect((await waitForJob(storeHash, 3_000_000)).status).toBe("done");
  });

  it("exports from the latest backup (no API call)", () => exportOnce("vault"));

  it("exports from the live store", () => exportOnce("live"));
});
