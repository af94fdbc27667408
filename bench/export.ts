/**
 * Export of a large sandbox store (all content types), run by the real export job code against
 * Miniflare's R2 and D1 (workerd storage, outside this process) and the sandbox store in its own
 * process, so this process's memory is the export engine's.
 *
 *   npx tsx bench/export.ts [profile=rs-10k] [quota=unlimited|standard]
 *
 * Reports: time of the read phase (API pages staged to R2) and of the packaging phase (staged pages
 * streamed through fflate into R2 multipart parts), ZIP size and count, uncompressed bytes,
 * packaging throughput, and peak memory (heap + array buffers) above the idle baseline.
 * Goals (issue 7): peak ≤ 64 MB, ≥ 30 MB/s of uncompressed data locally.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { unzipSync } from "fflate";
import { Miniflare } from "miniflare";
import { BigCommerceClient } from "../worker/bigcommerce/client";
import { typeKeys } from "../worker/bigcommerce/registry";
import { type ExportState, exportJob } from "../worker/export/export-job";
import { stageKey } from "../worker/export/staging";
import type { JobContext } from "../worker/jobs/job-kinds";

const profile = process.argv[2] ?? "rs-10k";
const quota = process.argv[3] ?? "unlimited";
/** Optional comma-separated subset of types (default: every type of the registry). */
const only = process.argv[4]?.split(",").filter(Boolean);
/**
 * EXPORT_STAGE_DIR=dir: when the read phase ends, also copy the staged pages and the job state there,
 * so `bench/export-package.ts` can time packaging alone, many times, on the same real pages.
 */
const stageDir = process.env.EXPORT_STAGE_DIR;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const sandboxUrl = `http://127.0.0.1:${port}`;
const sandbox = spawn("npx", ["tsx", "sandbox/server.ts"], {
  env: { ...process.env, SANDBOX_PORT: String(port), SANDBOX_SEED_DEMO: "0" },
  stdio: ["ignore", "ignore", "ignore"],
});
process.on("exit", () => sandbox.kill("SIGTERM"));
process.on("uncaughtException", (err) => {
  console.error(err);
  process.exit(1);
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${sandboxUrl}/__sandbox/health`)).ok) break;
  } catch {}
  if (i > 200) throw new Error("sandbox did not start");
  await new Promise((r) => setTimeout(r, 100));
}
const created = (await (
  await fetch(`${sandboxUrl}/__sandbox/stores`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ profile, seed: 1 }),
  })
).json()) as { store_hash: string; access_token: string };
const storeHash = created.store_hash;
if (quota === "unlimited") {
  await fetch(`${sandboxUrl}/__sandbox/stores/${storeHash}/quota`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ plan: "unlimited" }),
  });
}

const mf = new Miniflare({
  modules: true,
  script: "export default { fetch() { return new Response('ok') } }",
  d1Databases: ["DB"],
  r2Buckets: ["EXPORTS"],
});
const DB = (await mf.getD1Database("DB")) as unknown as D1Database;
const EXPORTS = (await mf.getR2Bucket("EXPORTS")) as unknown as R2Bucket;
for (const file of readdirSync("migrations")
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
    if (statement.trim()) await DB.prepare(statement).run();
  }
}
const exportId = "BENCHEXPORT";
const now = Date.now();
await DB.prepare(
  "insert into stores (hash, status, name, scope, installed_at) values (?, 'installed', 'Bench', 'x', ?)",
)
  .bind(storeHash, now)
  .run();
await DB.prepare(
  "insert into exports (id, store_hash, kind, status, types, emails, created_by, created_at) values (?, ?, 'manual', 'queued', ?, '[]', 'bench', ?)",
)
  .bind(exportId, storeHash, JSON.stringify(only ?? typeKeys), now)
  .run();

const env = { DB, EXPORTS } as unknown as Env;
const client = new BigCommerceClient({ baseUrl: sandboxUrl, storeHash, token: created.access_token });
const ctx = {
  env,
  storeHash,
  jobId: "bench",
  client: async () => client,
  now: () => Date.now(),
} as unknown as JobContext;

const mem = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
global.gc?.();
const baseline = mem();
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, mem() - baseline);
}, 20);

async function saveStage(s: ExportState) {
  mkdirSync(`${stageDir}/pages`, { recursive: true });
  for (const [type, n] of Object.entries(s.pages)) {
    for (let seq = 0; seq < n; seq++) {
      const key = stageKey(storeHash, exportId, type, seq);
      const obj = (await EXPORTS.get(key)) as R2ObjectBody;
      writeFileSync(`${stageDir}/pages/${key.replace(/\//g, "_")}`, new Uint8Array(await obj.arrayBuffer()));
    }
  }
  writeFileSync(`${stageDir}/state.json`, JSON.stringify({ storeHash, exportId, state: s }));
}

let state = (await exportJob.start(ctx, { exportId })) as ExportState;
const t0 = performance.now();
let steps = 0;
let tPackage = 0;
for (;;) {
  if (state.phase === "package" && !tPackage) {
    if (stageDir) await saveStage(state);
    tPackage = performance.now();
  }
  const r = await exportJob.step(ctx, state);
  state = r.state;
  steps++;
  peak = Math.max(peak, mem() - baseline);
  if (steps % 25 === 0)
    console.error(
      `step ${steps}: ${state.phase} ${state.types[state.ti] ?? ""} ${JSON.stringify(state.counts)}`,
    );
  if (r.done) break;
}
const t1 = performance.now();
clearInterval(sampler);

let uncompressed = 0;
let files = 0;
for (const z of state.zips) {
  const obj = await EXPORTS.get(z.key);
  const entries = unzipSync(new Uint8Array(await (obj as R2ObjectBody).arrayBuffer()));
  const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"])) as {
    files: { bytes: number }[];
  };
  for (const f of manifest.files) {
    uncompressed += f.bytes;
    files++;
  }
}
const records = Object.values(state.counts).reduce((a, b) => a + b, 0);
const zipBytes = state.zips.reduce((a, z) => a + z.size, 0);
const MB = 1024 * 1024;
const readS = (tPackage - t0) / 1000;
const packS = (t1 - tPackage) / 1000;
console.log(
  JSON.stringify(
    {
      profile,
      quota,
      records,
      apiCalls: client.calls,
      steps,
      types: state.types.length,
      unavailable: Object.keys(state.unavailable),
      readPhaseSeconds: +readS.toFixed(2),
      packagePhaseSeconds: +packS.toFixed(2),
      totalSeconds: +(readS + packS).toFixed(2),
      uncompressedMB: +(uncompressed / MB).toFixed(1),
      files,
      zipMB: +(zipBytes / MB).toFixed(2),
      zips: state.zips.length,
      packageThroughputMBps: +(uncompressed / MB / packS).toFixed(1),
      endToEndThroughputMBps: +(uncompressed / MB / (readS + packS)).toFixed(1),
      peakMemoryMB: +(peak / MB).toFixed(1),
    },
    null,
    2,
  ),
);
await mf.dispose();
sandbox.kill("SIGTERM");
