/**
 * Measures what sandbox/README.md reports: rs-10k generation time and memory, and the time to serve
 * 250-product pages with includes. Run: `npx tsx --expose-gc sandbox/perf.ts` (numbers vary by machine).
 * Each path is read at pages 1–40 once, so every figure is a first read of that page (as a backup reads it).
 */
import { createSandbox } from "./app.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => `${Math.round(n / 1e6)} MB`;

gc?.();
const before = process.memoryUsage();
const sandbox = createSandbox();
const t0 = performance.now();
const created = await sandbox.fetch(
  new Request("http://sandbox.test/__sandbox/stores", {
    method: "POST",
    body: JSON.stringify({ profile: "rs-10k" }),
  }),
);
const { store_hash, access_token } = (await created.json()) as { store_hash: string; access_token: string };
const genMs = performance.now() - t0;
gc?.();
const after = process.memoryUsage();
const store = sandbox.state.stores.get(store_hash);
await sandbox.fetch(
  new Request(`http://sandbox.test/__sandbox/stores/${store_hash}/quota`, {
    method: "PUT",
    body: JSON.stringify({ plan: "unlimited" }),
  }),
);

async function time(
  path: string,
  runs = 40,
): Promise<{ median: number; p95: number; cpu: number; cpuP10: number; bytes: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const page = 1 + (i % 40);
    const c = process.cpuUsage();
    const t = performance.now();
    const res = await sandbox.fetch(
      new Request(`http://sandbox.test/stores/${store_hash}${path}&page=${page}`, {
        headers: { "x-auth-token": access_token },
      }),
    );
    const body = await res.arrayBuffer();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return {
    median: times[mid],
    p95: times[Math.floor(times.length * 0.95)],
    cpu: cpu[mid],
    cpuP10: cpu[Math.floor(cpu.length * 0.1)],
    bytes,
  };
}

const rows: [string, string][] = [
  ["rs-10k generation (all types)", `${Math.round(genMs)} ms`],
  ["heap after generation (delta)", `${mb(after.heapUsed)} (${mb(after.heapUsed - before.heapUsed)})`],
  ["rss after generation", mb(after.rss)],
  ["records", String([...(store?.tables.values() ?? [])].reduce((s, t) => s + t.size, 0))],
];
for (const path of [
  "/v3/catalog/products?limit=250&include=variants,images,custom_fields,bulk_pricing_rules,videos,primary_image",
  "/v3/catalog/products?limit=250&include=variants,images,custom_fields,bulk_pricing_rules,videos,primary_image,options,modifiers",
  "/v3/catalog/products?limit=250",
  "/v3/catalog/variants?limit=250",
  "/v3/customers?limit=250&include=addresses,storecredit,attributes,formfields",
  "/v2/orders?limit=250&include=consignments.line_items,fees&consignment_structure=object",
]) {
  const r = await time(path);
  rows.push([
    `GET ${path}`,
    `wall median ${r.median.toFixed(1)} ms (p95 ${r.p95.toFixed(1)}), CPU median ${r.cpu.toFixed(1)} ms (p10 ${r.cpuP10.toFixed(1)}), ${Math.round(r.bytes / 1024)} KiB`,
  ]);
}
rows.push(["machine load average (1 min) after the run", (await import("node:os")).loadavg()[0].toFixed(1)]);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
