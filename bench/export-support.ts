/**
 * Shared by the export benchmarks in workerd (bench/export.bench.test.ts, step 5 of
 * bench/rs10k.bench.test.ts): the uncompressed size of a ZIP from its central directory, the export
 * job's per-phase profile (kept in its Durable Object state), and the markers bench/export-rss.ts
 * uses to attribute workerd's resident memory to an export.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { jobsOf } from "../test/support/stores";

const MB = 1024 * 1024;

/** Sums the uncompressed sizes in a ZIP's central directory (read from the object's tail). */
export async function zipUncompressed(key: string): Promise<{ bytes: number; entries: number }> {
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
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("bad central directory entry");
    bytes += view.getUint32(at + 24, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { bytes, entries };
}

/** The latest export job's profile (wall ms per phase, summed over its steps), rounded. */
export async function exportProfile(storeHash: string): Promise<Record<string, number>> {
  const state = await runInDurableObject(jobsOf(storeHash), (_instance, ctx) => {
    const row = ctx.storage.sql
      .exec("select state from jobs where kind = 'export' order by started_at desc limit 1")
      .toArray()[0];
    return row ? String(row.state) : "{}";
  });
  const profile = (JSON.parse(state) as { profile?: Record<string, number> }).profile ?? {};
  return Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, Math.round(v)]));
}

/**
 * A line bench/export-rss.ts and bench/export-heap.ts read from the run's output: the epoch ms an export
 * started or ended ("prepare": the heap sampler may collect garbage now, the export starts after a pause).
 * Date.now() in workerd moves with I/O, which both markers follow.
 */
export const exportMarker = (name: string, edge: "prepare" | "start" | "end") =>
  console.log(`EXPORT_WINDOW ${JSON.stringify({ name, edge, at: Date.now() })}`);
