/**
 * The vault writer's per-record CPU on real rs-10k orders, in one workerd isolate (no D1, no R2, no
 * sandbox in the timed part): which way of doing each step is cheapest, as the fastest of 8
 * interleaved rounds. Figures for docs/BENCHMARKS.md row 3; the ingest bench
 * (bench/ingest.bench.test.ts) is what the goal reads.
 *
 *   npm run bench -- ingest-cpu      (or STRONGBOX_BENCH=1 npx vitest run --project bench bench/ingest-cpu.bench.test.ts)
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as zlib from "node:zlib";
import { it } from "vitest";
import { installTestStore, jobsOf } from "../test/support/stores";
import { type BodyPlace, bodiesFrom, deflateBodies } from "../worker/backup/body-deflate";
import { canonicalJson } from "../worker/backup/canonical";
import { toCaptured } from "../worker/backup/capture";
import type { VaultProfile, VaultWriter } from "../worker/backup/vault-writer";
import { type ApiRecord, BigCommerceClient } from "../worker/bigcommerce/client";
import { getType } from "../worker/bigcommerce/registry";

const only = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_BENCH_ONLY;
// `npm run bench` (every benchmark) leaves it out; `npm run bench -- ingest-cpu` or vitest directly runs it.
const selected = only === undefined || only.split(",").includes("ingest-cpu");
const PAGES = 12;
const ROUNDS = 8;

it.runIf(selected)("vault writer CPU per order, by method", async () => {
  const { storeHash, token } = await installTestStore("rs-10k", { seed: 11 });
  const client = new BigCommerceClient({ baseUrl: env.BC_API_URL, storeHash, token });
  const type = getType("orders");
  const texts: string[] = [];
  let cursor = null;
  for (let i = 0; i < PAGES; i++) {
    const page = await client.listPage(type, { cursor });
    await client.fetchChildren(type, page.records, { skip: [] });
    texts.push(JSON.stringify(page.records));
    cursor = page.next;
  }
  const records = texts.flatMap((t) => JSON.parse(t) as unknown[]);
  const enc = new TextEncoder();
  const bytes = records.map((r) => enc.encode(canonicalJson(r)));
  const total = bytes.reduce((n, b) => n + b.byteLength, 0);
  const fitted = (size: number) => {
    let w = 9;
    while (w < 15 && 1 << w < size) w++;
    return { windowBits: w, memLevel: w - 7 };
  };
  const strings = records.map((x) => canonicalJson(x));
  const big = new Uint8Array(1 << 20);
  // Every variant runs once per round, rounds interleaved: a loaded machine slows them alike.
  const variants: Record<string, () => unknown> = {
    parse: () => texts.map((t) => JSON.parse(t)),
    canonical: () => records.map((x) => canonicalJson(x)),
    "stringify (no sort)": () => records.map((x) => JSON.stringify(x)),
    "encode per record": () => strings.map((x) => enc.encode(x)),
    "encodeInto one buffer": () => {
      for (const x of strings) enc.encodeInto(x, big);
    },
    "sha256 digests": () => Promise.all(bytes.map((b) => crypto.subtle.digest("SHA-256", b))),
  };
  const deflates: Record<string, (b: Uint8Array) => zlib.ZlibOptions> = {
    "deflate l3": () => ({ level: 3 }),
    // The window and hash tables sized to the body (zlib sets up less per call).
    "deflate l3 fitted": (b) => ({ level: 3, ...fitted(b.byteLength) }),
    "deflate l1 fitted": (b) => ({ level: 1, ...fitted(b.byteLength) }),
  };
  variants["deflate l1 frames, one stream per page"] = () => {
    for (let i = 0; i < bytes.length; i += 250) deflateBodies(bytes.slice(i, i + 250));
  };
  const sizes: Record<string, number> = {};
  const streamed = deflateBodies(bytes);
  sizes["deflate l1 frames, one stream per page"] =
    streamed.reduce((n, b) => n + b.bytes.byteLength, 0) / total;
  // Laid out back to back as a pack does: each body read back through its frame.
  const laidOut = new Uint8Array(streamed.reduce((n, b) => n + b.bytes.byteLength, 0));
  const places: BodyPlace[] = [];
  let at = 0;
  let frameAt = 0;
  streamed.forEach((b, i) => {
    if (b.first) frameAt = at;
    laidOut.set(b.bytes, at);
    at += b.bytes.byteLength;
    places.push({
      offset: frameAt,
      length: at - frameAt,
      bodyOffset: b.bodyOffset,
      size: bytes[i].byteLength,
    });
  });
  const same = bodiesFrom(laidOut, 0, places).every(
    (back, i) => back.byteLength === bytes[i].byteLength && back.every((x, j) => x === bytes[i][j]),
  );
  console.log(`INGEST_CPU streamed bodies inflate back: ${same}`);
  for (const [label, opts] of Object.entries(deflates)) {
    variants[label] = () => bytes.map((b) => zlib.deflateRawSync(b, opts(b)));
    sizes[label] = bytes.reduce((n, b) => n + zlib.deflateRawSync(b, opts(b)).byteLength, 0) / total;
  }
  // A Durable Object mid-backup holds pages of parsed records and staged bodies: the same deflates
  // with a heap that size, where garbage collections cost more.
  const heap: unknown[] = [];
  variants["deflate l3, big heap"] = () => bytes.map((b) => zlib.deflateRawSync(b, { level: 3 }));
  variants["deflate l1 frames one stream per page, big heap"] = () => {
    for (let i = 0; i < bytes.length; i += 250) deflateBodies(bytes.slice(i, i + 250));
  };
  const times: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, fn] of Object.entries(variants)) {
      if (label.endsWith("big heap") && heap.length === 0)
        for (let k = 0; k < 4; k++) heap.push(texts.map((t) => JSON.parse(t)));
      if (!label.endsWith("big heap")) heap.length = 0;
      const t0 = performance.now();
      await fn();
      times[label] = [...(times[label] ?? []), performance.now() - t0];
    }
  }
  // The fastest round of each: the one the machine's other work disturbed least.
  const r = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, Math.round(Math.min(...v.slice(1)) * 10) / 10]),
  );
  // What the local emulation of R2 costs this isolate's thread (workerd runs R2 and D1 on it too):
  // a flush puts one pack of about 4 MB.
  const pack = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
  const puts: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    await env.VAULT.put(`bench/ingest-cpu/${i}`, pack);
    puts.push(performance.now() - t0);
  }
  r["R2 put of a 4 MB pack (each)"] = Math.round(Math.min(...puts.slice(1)) * 10) / 10;
  // The whole writer in the store's Durable Object, without the sandbox: prepare (canonical JSON,
  // SHA-256, DEFLATE, the D1 current-state read), commit (staging row) and flush (R2 put, D1 batch)
  // of the same orders, as a first backup stores them. Its time per record is the ingest ceiling here.
  const captured = toCaptured(type, records as ApiRecord[]);
  const writer = await runInDurableObject(jobsOf(storeHash), async (instance, state) => {
    const vault = (instance as unknown as { vault: VaultWriter }).vault;
    const phases = { prepare: 0, commit: 0, flush: 0 };
    for (let round = 0; round < 2; round++) {
      await env.DB.batch(
        ["versions", "records", "packs"].map((t) =>
          env.DB.prepare(`delete from ${t} where store_hash = ?`).bind(storeHash),
        ),
      );
      if (round) for (const k of Object.keys(vault.profile) as (keyof VaultProfile)[]) vault.profile[k] = 0;
      const meta = { storeHash, type: "orders", backupId: `cpu-${round}`, source: "backup" as const };
      for (let i = 0; i < captured.length; i += 250) {
        let t0 = performance.now();
        const { entries } = await vault.prepare(
          { ...meta, capturedAt: Date.now() },
          captured.slice(i, i + 250),
        );
        if (round) phases.prepare += performance.now() - t0;
        t0 = performance.now();
        state.storage.transactionSync(() => vault.commit(entries));
        if (round) phases.commit += performance.now() - t0;
        t0 = performance.now();
        if (vault.shouldFlush()) await vault.flush();
        if (round) phases.flush += performance.now() - t0;
      }
      const t0 = performance.now();
      await vault.flush();
      if (round) phases.flush += performance.now() - t0;
    }
    return { ...phases, ...vault.profile };
  });
  for (const [k, v] of Object.entries(writer)) r[`writer ${k} (all orders)`] = Math.round(v);
  // A full listing's sweep reads the seen ids (one JSON row per page) for each page of 1,000
  // records it checks: 50,000 orders are 200 rows, read 50 times before the sweep cached them.
  const seenRows = Array.from({ length: 200 }, (_, p) =>
    JSON.stringify(Array.from({ length: 250 }, (_, i) => String(100_000 + p * 250 + i))),
  );
  const seenTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const seen = new Set<string>();
    for (const row of seenRows) for (const id of JSON.parse(row) as string[]) seen.add(id);
    seenTimes.push(performance.now() - t0);
  }
  r["seen ids of 50,000 orders, parsed once"] = Math.round(Math.min(...seenTimes) * 10) / 10;
  console.log(`INGEST_CPU ${records.length} orders, ${total} bytes: ${JSON.stringify({ r, sizes })}`);
});
