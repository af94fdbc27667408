/**
 * Does packaging keep memory flat? Streams a large synthetic export (staged pages on disk, ZIP parts
 * appended to a file on disk, so the bucket holds nothing in this process) with V8's old space capped:
 *
 *   node --max-old-space-size=64 --expose-gc --import tsx bench/export-memory.ts [pages=800]
 *
 * If packaging held the export (or more than a few pages) in memory it would die with "JavaScript heap
 * out of memory"; it prints the peak heap + array buffers it sampled and the throughput.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageExport } from "../worker/export/package";
import { decodeStagedObject, renderStagedPage, stagedSection, stageKey } from "../worker/export/staging";

const pages = Number(process.argv[2] ?? 800);
const dir = mkdtempSync(join(tmpdir(), "strongbox-export-mem-"));
const file = (key: string) => join(dir, key.replace(/[/]/g, "_"));

/** An R2 bucket on disk: objects and multipart parts never stay in this process. */
const bucket = {
  async put(key: string, value: string | Uint8Array) {
    writeFileSync(file(key), value);
  },
  async get(key: string) {
    sample();
    try {
      const path = file(key);
      statSync(path);
      return { arrayBuffer: async () => new Uint8Array(readFileSync(path)).buffer };
    } catch {
      return null;
    }
  },
  async delete() {},
  async createMultipartUpload(key: string) {
    writeFileSync(file(key), "");
    return {
      uploadPart: async (n: number, data: Uint8Array) => {
        sample();
        appendFileSync(file(key), data);
        return { partNumber: n, etag: String(n) };
      },
      complete: async () => undefined,
      abort: async () => undefined,
    };
  },
};

const store = "memstore";
const exportId = "MEM";
let uncompressedInput = 0;
const columns: Record<string, string[]> = {};
for (let p = 0; p < pages; p++) {
  const recs = Array.from({ length: 250 }, (_, i) => {
    const id = p * 250 + i + 1;
    const noise = Array.from({ length: 24 }, (_, k) =>
      ((id * 2654435761 + k * 40503) >>> 0).toString(36),
    ).join(" ");
    return {
      id,
      name: `Product ${id}`,
      sku: `SKU-${id}`,
      price: (id % 997) / 7,
      description: `<p>${noise}</p>`,
      custom_url: { url: `/product-${id}/`, is_customized: false },
      variants: Array.from({ length: 4 }, (_, v) => ({
        id: id * 10 + v,
        sku: `SKU-${id}-${v}`,
        price: v + 1,
        option_values: [{ id: v, label: `Size ${v}` }],
      })),
    };
  });
  const text = renderStagedPage(
    "products",
    recs.map((r) => ({ recordId: String(r.id), body: r })),
    columns,
  );
  for (const page of decodeStagedObject(text))
    for (const name of page.sections.keys()) uncompressedInput += stagedSection(page, name)?.raw.length ?? 0;
  await bucket.put(stageKey(store, exportId, "products", p), text);
}

const mem = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
global.gc?.();
let peak = mem();
// Packaging never yields to the event loop here (the bucket answers at once), so a timer alone would
// not sample during it: the bucket also samples on every read and part upload.
function sample() {
  peak = Math.max(peak, mem());
}
const sampler = setInterval(() => {
  sample();
}, 10);
const t0 = performance.now();
const zips = await packageExport(bucket as unknown as R2Bucket, {
  storeHash: store,
  storeName: "Memory",
  exportId,
  kind: "manual",
  createdAt: Date.now(),
  types: ["products"],
  pages: { products: pages },
  counts: { products: pages * 250 },
  columns,
});
const s = (performance.now() - t0) / 1000;
clearInterval(sampler);
const MB = 1024 * 1024;
const zipBytes = zips.reduce((a, z) => a + z.size, 0);
console.log(
  JSON.stringify({
    pages,
    records: pages * 250,
    stagedMB: +(uncompressedInput / MB).toFixed(1),
    zipMB: +(zipBytes / MB).toFixed(1),
    seconds: +s.toFixed(1),
    stagedMBps: +(uncompressedInput / MB / s).toFixed(1),
    peakHeapPlusBuffersMB: +(peak / MB).toFixed(1),
    maxOldSpace: process.execArgv.find((a) => a.startsWith("--max-old-space-size")) ?? "default",
  }),
);
rmSync(dir, { recursive: true, force: true });
