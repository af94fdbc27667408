/**
 * Measures what sandbox/README.md reports: rs-10k generation time and memory, and the CPU time to serve
 * the pages a backup reads. Run: `npx tsx --expose-gc sandbox/perf.ts` (numbers vary by machine).
 * Each path is read at pages 1–40 once, so every figure is a first read of that page (as a backup reads
 * it); the query strings are the ones worker/bigcommerce/registry.ts and client.ts send. Then every page
 * of the two biggest listings (orders, customers) is read twice, as two full backups in a row do.
 */
import { createSandbox } from "./app.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
const memory = () => {
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`;
};

gc?.();
const before = process.memoryUsage();
const sandbox = createSandbox();
const t0 = performance.now();
const c0 = process.cpuUsage();
const created = await sandbox.fetch(
  new Request("http://sandbox.test/__sandbox/stores", {
    method: "POST",
    body: JSON.stringify({ profile: "rs-10k" }),
  }),
);
const { store_hash, access_token } = (await created.json()) as { store_hash: string; access_token: string };
const genMs = performance.now() - t0;
const genCpu = process.cpuUsage(c0);
gc?.();
const after = process.memoryUsage();
const afterGeneration = memory();
const store = sandbox.state.stores.get(store_hash);
await sandbox.fetch(
  new Request(`http://sandbox.test/__sandbox/stores/${store_hash}/quota`, {
    method: "PUT",
    body: JSON.stringify({ plan: "unlimited" }),
  }),
);

async function get(
  path: string,
): Promise<{ status: number; body: ArrayBuffer; bytes: number; cpu: number; wall: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  const res = await sandbox.fetch(
    new Request(`http://sandbox.test/stores/${store_hash}${path}`, {
      headers: { "x-auth-token": access_token },
    }),
  );
  const body = await res.arrayBuffer();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  return { status: res.status, body, bytes: body.byteLength, cpu: (d.user + d.system) / 1000, wall };
}

const EMPTY_V3 = new TextEncoder().encode('{"data":[]');
/** v2 answers 204 past the last page, v3 an empty `data`. */
function pastTheEnd(r: { status: number; body: ArrayBuffer }): boolean {
  if (r.status !== 200) return true;
  if (r.body.byteLength < EMPTY_V3.length) return false;
  const head = new Uint8Array(r.body, 0, EMPTY_V3.length);
  return EMPTY_V3.every((b, i) => head[i] === b);
}

async function time(
  path: string,
  runs = 40,
): Promise<{ median: number; p95: number; cpu: number; cpuP10: number; bytes: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const r = await get(`${path}&page=${1 + (i % 40)}`);
    times.push(r.wall);
    cpu.push(r.cpu);
    bytes = r.bytes;
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

/** Every page of a listing (until v2's 204 or v3's last page): CPU in total and per page, bytes. */
async function wholeList(path: string): Promise<string> {
  let cpu = 0;
  let bytes = 0;
  let pages = 0;
  for (let page = 1; ; page++) {
    const r = await get(`${path}&page=${page}`);
    if (pastTheEnd(r)) break;
    cpu += r.cpu;
    bytes += r.bytes;
    pages++;
  }
  return `${pages} pages, CPU ${(cpu / 1000).toFixed(2)} s (${(cpu / pages).toFixed(1)} ms a page), ${mb(bytes)}`;
}

const rows: [string, string][] = [
  [
    "rs-10k generation (all types)",
    `${Math.round(genMs)} ms wall, ${Math.round((genCpu.user + genCpu.system) / 1000)} ms CPU`,
  ],
  ["heap after generation (delta)", `${mb(after.heapUsed)} (${mb(after.heapUsed - before.heapUsed)})`],
  ["memory after generation", afterGeneration],
  ["records", String([...(store?.tables.values() ?? [])].reduce((s, t) => s + t.size, 0))],
];
const ORDERS =
  "/v2/orders?include=consignments.line_items,fees&consignment_structure=object&sort=id:asc&limit=250";
const CUSTOMERS = "/v3/customers?include=addresses,storecredit,attributes,formfields,segment_ids&limit=250";
for (const path of [
  "/v3/catalog/products?include=variants,images,custom_fields,bulk_pricing_rules,videos,reviews&limit=250",
  "/v3/catalog/products?include=options,modifiers&include_fields=id&limit=250",
  "/v3/catalog/products?limit=250",
  "/v3/catalog/variants?limit=250",
  "/v3/catalog/variants/metafields?limit=250",
  CUSTOMERS,
  "/v3/customers/subscribers?limit=250",
  ORDERS,
  "/v3/pricelists/1/records?include=bulk_pricing_tiers,sku&limit=1000",
  "/v3/inventory/items?limit=250",
  "/v3/wishlists?limit=250",
  "/v3/storefront/redirects?include=to_url&limit=250",
]) {
  const reads = path === ORDERS || path === CUSTOMERS ? ["first read", "second read (kept rendering)"] : [""];
  for (const read of reads) {
    const r = await time(path);
    rows.push([
      `GET ${path}${read ? `, ${read}` : ""}`,
      `wall median ${r.median.toFixed(1)} ms (p95 ${r.p95.toFixed(1)}), CPU median ${r.cpu.toFixed(1)} ms (p10 ${r.cpuP10.toFixed(1)}), ${Math.round(r.bytes / 1024)} KiB`,
    ]);
  }
}
for (const pass of ["first", "second"]) {
  rows.push([`every page of ${ORDERS}, ${pass} pass`, await wholeList(ORDERS)]);
  rows.push([`every page of ${CUSTOMERS}, ${pass} pass`, await wholeList(CUSTOMERS)]);
}
rows.push(["memory after every page was read", memory()]);
rows.push(["machine load average (1 min) after the run", (await import("node:os")).loadavg()[0].toFixed(1)]);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
