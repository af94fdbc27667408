/**
 * Canonical JSON (worker/backup/canonical.ts) on real rs-10k orders and customers, in one workerd
 * isolate: the shipped implementation against the ways of doing it in bench/canonical-variants.ts,
 * interleaved rounds, fastest and median round of each. Every variant is first checked to give the
 * reference's bytes for every record.
 *
 *   flock /tmp/heavy.lock npm run bench -- canonical
 */

import { env } from "cloudflare:workers";
import { Buffer } from "node:buffer";
import { expect, it } from "vitest";
import { reference } from "../test/support/canonical-reference";
import { installTestStore } from "../test/support/stores";
import { canonicalJson } from "../worker/backup/canonical";
import { BigCommerceClient } from "../worker/bigcommerce/client";
import { getType } from "../worker/bigcommerce/registry";
import { variants } from "./canonical-variants";

const vars = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
// `npm run bench` (every benchmark) leaves it out; `npm run bench -- canonical` runs it.
const selected = vars.VITE_BENCH_ONLY === undefined || vars.VITE_BENCH_ONLY.split(",").includes("canonical");
const ROUNDS = Number(vars.VITE_CANONICAL_ROUNDS ?? 9);
const PAGES: Record<string, number> = { orders: 20, customers: 10 };

it.runIf(selected)("canonical JSON of rs-10k orders and customers, by method", async () => {
  const { storeHash, token } = await installTestStore("rs-10k", { seed: 11 });
  const client = new BigCommerceClient({ baseUrl: env.BC_API_URL, storeHash, token });
  const all: Record<string, (value: unknown) => unknown> = { canonicalJson, ...variants };
  const report: Record<string, Record<string, { min: number; median: number }>> = {};
  for (const [key, pages] of Object.entries(PAGES)) {
    const type = getType(key);
    const texts: string[] = [];
    let cursor = null;
    for (let i = 0; i < pages; i++) {
      const page = await client.listPage(type, { cursor });
      await client.fetchChildren(type, page.records, { skip: [] });
      texts.push(JSON.stringify(page.records));
      cursor = page.next;
    }
    // Parsed again: records as JSON.parse builds them, the way the backup's client hands them over.
    const records = texts.flatMap((t) => JSON.parse(t) as unknown[]);
    const expected = records.map(reference);
    for (const [label, fn] of Object.entries(all)) {
      if (label === "stringify (no sort)") continue;
      const wrong = records.findIndex((r, i) => fn(r) !== expected[i]);
      expect(wrong, `${label} differs from the reference on ${key} record ${wrong}`).toBe(-1);
    }
    const times: Record<string, number[]> = {};
    // Rounds interleaved: a loaded machine slows every variant alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, fn] of Object.entries(all)) {
        // Each page parsed just before, as the backup does: young records, as the garbage collector sees them.
        let ms = 0;
        for (const text of texts) {
          const page = JSON.parse(text) as unknown[];
          const t0 = performance.now();
          for (const r of page) fn(r);
          ms += performance.now() - t0;
        }
        times[label] = [...(times[label] ?? []), ms];
      }
    }
    // The vault encodes each page's canonical strings to UTF-8 inside the same timer
    // (VaultProfile.canonicalMs): ways of doing that, on the same strings.
    const pageStrings = texts.map((t) => (JSON.parse(t) as unknown[]).map((r) => canonicalJson(r)));
    const encoder = new TextEncoder();
    const encodes: Record<string, (page: string[]) => unknown> = {
      "encode: encodeInto one buffer per page": (page) => {
        let units = 0;
        for (const t of page) units += t.length;
        const buffer = new Uint8Array(units + (units >> 4) + 1024);
        let at = 0;
        return page.map((t) => {
          const { written } = encoder.encodeInto(t, buffer.subarray(at));
          const out = buffer.subarray(at, at + written);
          at += written;
          return out;
        });
      },
      "encode: encode per record": (page) => page.map((t) => encoder.encode(t)),
      "encode: one encode of the page joined by newlines": (page) => {
        // JSON.stringify escapes every newline inside strings: a raw one only separates records.
        const bytes = encoder.encode(page.join("\n"));
        const out: Uint8Array[] = [];
        let from = 0;
        for (let i = 0; i < page.length; i++) {
          const end = i === page.length - 1 ? bytes.length : bytes.indexOf(10, from);
          out.push(bytes.subarray(from, end));
          from = end + 1;
        }
        return out;
      },
      "encode: Buffer.from per record": (page) => page.map((t) => Buffer.from(t, "utf8")),
    };
    const joined = pageStrings.map((page) =>
      encodes["encode: one encode of the page joined by newlines"](page),
    );
    const direct = pageStrings.map((page) => encodes["encode: encode per record"](page));
    expect(JSON.stringify(joined.map((p) => (p as Uint8Array[]).map((b) => b.length)))).toBe(
      JSON.stringify(direct.map((p) => (p as Uint8Array[]).map((b) => b.length))),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, fn] of Object.entries(encodes)) {
        const t0 = performance.now();
        for (const page of pageStrings) fn(page);
        times[label] = [...(times[label] ?? []), performance.now() - t0];
      }
    }
    // JSON.stringify escapes control characters: a record's text is printable characters only.
    const strings = pageStrings.flat();
    const ascii = strings.filter((t) => !/[^ -~]/.test(t)).length;
    const latin1 = strings.filter((t) => !/[^ -\u00ff]/.test(t)).length;
    console.log(`CANONICAL_STRINGS ${key}: of ${strings.length} records ${ascii} ASCII, ${latin1} Latin-1`);
    report[`${key} (${records.length})`] = Object.fromEntries(
      Object.entries(times).map(([label, t]) => {
        const sorted = t.slice(1).sort((a, b) => a - b);
        const ms = (x: number) => Math.round(x * 10) / 10;
        return [label, { min: ms(sorted[0]), median: ms(sorted[sorted.length >> 1]) }];
      }),
    );
  }
  for (const [set, byLabel] of Object.entries(report))
    for (const [label, { min, median }] of Object.entries(byLabel))
      console.log(`CANONICAL ${set.padEnd(17)} ${label.padEnd(52)} fastest ${min} ms, median ${median} ms`);
});
