/**
 * Packaging alone, timed several times on the same real pages, with a same-run baseline.
 *
 *   EXPORT_STAGE_DIR=/tmp/stage npx tsx --expose-gc bench/export.ts rs-10k unlimited   # once: saves the read phase
 *   npx tsx --expose-gc bench/export-package.ts /tmp/stage [runs=3] [level=2]
 *
 * The saved pages are the API's records as `bench/export.ts` staged them; this script renders them
 * into the staged format once (timed: that work moved into the read phase) and writes them to a
 * disk, then runs `packageExport` `runs` times (staged pages held in memory as a bucket would serve
 * them, ZIP parts counted and dropped) and reports the median, wall and CPU. Baselines
 * in the same run, on the first 64 MiB of the same sections: fflate's `deflateSync` at level 6 and
 * native zlib `deflateRawSync` at the packaging level (median of the same number of runs).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constants, deflateRawSync } from "node:zlib";
import { deflateSync } from "fflate";
import { packageExport } from "../worker/export/package";
import { decodeStagedObject, renderStagedPage, stagedSection, stageKey } from "../worker/export/staging";
import type { ZipLevel } from "../worker/export/zip-writer";

const dir = process.argv[2] ?? "/tmp/strongbox-export-stage";
const runs = Number(process.argv[3] ?? 3);
const level = Number(process.argv[4] ?? 2) as ZipLevel;
const saved = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as {
  storeHash: string;
  exportId: string;
  state: {
    types: string[];
    pages: Record<string, number>;
    counts: Record<string, number>;
    unavailable: Record<string, string>;
  };
};
const { storeHash, exportId, state } = saved;
const fileOf = (root: string, key: string) => join(root, key.replace(/[/]/g, "_"));

// Pages saved by bench/export.ts before commit 8bd21ef hold a line of ids and the JSON Lines; newer
// ones are already rendered. Render the former once, in page order, as the read phase now does.
// "rendered-v3": pages rendered and deflated per section (since the staged format carries DEFLATE chunks).
const v2 = join(dir, "rendered-v3");
const columnsFile = join(v2, "columns.json");
const reuse = existsSync(columnsFile);
if (!reuse) {
  rmSync(v2, { recursive: true, force: true });
  mkdirSync(v2, { recursive: true });
}
const columns: Record<string, string[]> = reuse ? JSON.parse(readFileSync(columnsFile, "utf8")) : {};
/** CPU seconds (user + system) of this process: on a loaded machine, wall time mostly measures the wait. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let renderCpu = 0;
let stagedBytes = 0;
for (const type of reuse ? [] : state.types) {
  for (let seq = 0; seq < (state.pages[type] ?? 0); seq++) {
    const key = stageKey(storeHash, exportId, type, seq);
    const text = readFileSync(fileOf(join(dir, "pages"), key), "utf8");
    const nl = text.indexOf("\n");
    const head = JSON.parse(text.slice(0, nl));
    let out: Uint8Array | string = text;
    if (typeof head[0] === "string" || head.length === 0) {
      const ids = head as string[];
      const records = text
        .slice(nl + 1)
        .split("\n")
        .filter(Boolean)
        .map((line, i) => ({ recordId: ids[i], body: JSON.parse(line) }));
      const c0 = cpu();
      out = renderStagedPage(type, records, columns);
      renderCpu += cpu() - c0;
    }
    stagedBytes += Buffer.byteLength(out);
    writeFileSync(fileOf(v2, key), out);
  }
}

if (!reuse) writeFileSync(columnsFile, JSON.stringify(columns));

/**
 * A bucket holding the staged pages in memory, read once from disk before timing (disk reads would
 * otherwise dominate the profile: R2's own read cost is not what this measures); ZIP parts are
 * dropped (the writer counts their bytes).
 */
const staged = new Map<string, Uint8Array>();
for (const type of state.types)
  for (let seq = 0; seq < (state.pages[type] ?? 0); seq++) {
    const key = stageKey(storeHash, exportId, type, seq);
    staged.set(key, new Uint8Array(readFileSync(fileOf(v2, key))));
  }
const bucket = {
  async get(key: string) {
    const bytes = staged.get(key);
    return bytes === undefined ? null : { arrayBuffer: async () => bytes };
  },
  async put() {},
  async createMultipartUpload() {
    return {
      uploadPart: async (n: number) => ({ partNumber: n, etag: String(n) }),
      complete: async () => undefined,
      abort: async () => undefined,
    };
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MB = 1024 * 1024;

// Every section of every page, as bytes: what packaging writes (before CSV padding and headers).
const sections: Uint8Array[] = [];
for (const type of state.types)
  for (let seq = 0; seq < (state.pages[type] ?? 0); seq++) {
    for (const page of decodeStagedObject(staged.get(stageKey(storeHash, exportId, type, seq)) as Uint8Array))
      for (const name of page.sections.keys()) {
        const raw = stagedSection(page, name)?.raw;
        if (raw) sections.push(raw);
      }
  }
const sectionBytes = sections.reduce((n, s) => n + s.byteLength, 0);
// The baselines deflate the first 64 MiB of sections (a rate, not the whole export: fflate at level 6
// would otherwise cost more than the packaging it is compared with).
const sample: Uint8Array[] = [];
let sampleBytes = 0;
for (const s of sections) {
  if (sampleBytes >= 64 * MB) break;
  sample.push(s);
  sampleBytes += s.byteLength;
}

const packCpu: number[] = [];
const packTimes: number[] = [];
const fflateTimes: number[] = [];
const zlibTimes: number[] = [];
let uncompressed = 0;
let zipSize = 0;
let fflateSize = 0;
let zlibSize = 0;
for (let r = 0; r < runs; r++) {
  global.gc?.();
  let t = performance.now();
  const c0 = cpu();
  const zips = await packageExport(
    bucket as unknown as R2Bucket,
    {
      storeHash,
      storeName: "Bench",
      exportId,
      kind: "manual",
      createdAt: Date.now(),
      types: state.types,
      pages: state.pages,
      counts: state.counts,
      columns,
      unavailable: state.unavailable,
    },
    { level },
  );
  packTimes.push(performance.now() - t);
  packCpu.push(cpu() - c0);
  zipSize = zips.reduce((n, z) => n + z.size, 0);

  t = performance.now();
  fflateSize = 0;
  for (const s of sample) fflateSize += deflateSync(s, { level: 6 }).byteLength;
  fflateTimes.push(performance.now() - t);

  t = performance.now();
  zlibSize = 0;
  for (const s of sample)
    zlibSize += deflateRawSync(s, {
      level: level || 1,
      finishFlush: constants.Z_SYNC_FLUSH,
    }).byteLength;
  zlibTimes.push(performance.now() - t);
}
// The uncompressed size of the ZIP's files: the sections plus CSV headers and padding (≈ sectionBytes).
uncompressed = sectionBytes;
const packS = median(packTimes) / 1000;
console.log(
  JSON.stringify(
    {
      pages: Object.values(state.pages).reduce((a, b) => a + b, 0),
      files: readdirSync(v2).length - 1,
      level,
      runs,
      renderCpuSecondsOnce: reuse ? "reused" : +renderCpu.toFixed(2),
      stagedMB: reuse ? "reused" : +(stagedBytes / MB).toFixed(1),
      uncompressedMB: +(uncompressed / MB).toFixed(1),
      zipMB: +(zipSize / MB).toFixed(2),
      packageSeconds: packTimes.map((t) => +(t / 1000).toFixed(2)),
      packageMBps: +(uncompressed / MB / packS).toFixed(1),
      packageCpuSeconds: packCpu.map((t) => +t.toFixed(2)),
      packageMBperCpuSecond: +(uncompressed / MB / median(packCpu)).toFixed(1),
      baselineFflate6: {
        seconds: fflateTimes.map((t) => +(t / 1000).toFixed(2)),
        MBps: +(sampleBytes / MB / (median(fflateTimes) / 1000)).toFixed(1),
        ratio: +(fflateSize / sampleBytes).toFixed(4),
      },
      baselineZlib: {
        level: level || 1,
        seconds: zlibTimes.map((t) => +(t / 1000).toFixed(2)),
        MBps: +(sampleBytes / MB / (median(zlibTimes) / 1000)).toFixed(1),
        ratio: +(zlibSize / sampleBytes).toFixed(4),
      },
      sampleMB: +(sampleBytes / MB).toFixed(1),
      /** Packaging's MB/s over fflate level 6's MB/s, both wall, same run: the load-independent figure. */
      packageVsFflate6: +(sectionBytes / median(packTimes) / (sampleBytes / median(fflateTimes))).toFixed(2),
      peakRssMB: +(process.memoryUsage().rss / MB).toFixed(0),
    },
    null,
    2,
  ),
);
