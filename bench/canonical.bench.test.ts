/**
 * Canonical JSON (worker/backup/canonical.ts) on real rs-10k orders and customers, in one workerd
 * isolate: the shipped implementation against the ways of doing it in bench/canonical-variants.ts,
 * interleaved rounds, fastest and median round of each. Every variant is first checked to give the
 * reference's bytes for every record.
 *
 *   flock /tmp/heavy.lock npm run bench -- canonical
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { installTestStore } from "../test/support/stores";
import { canonicalJson } from "../worker/backup/canonical";
import { BigCommerceClient } from "../worker/bigcommerce/client";
import { getType } from "../worker/bigcommerce/registry";
import { parts, reference, variants } from "./canonical-variants";

const vars = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
// `npm run bench` (every benchmark) leaves it out; `npm run bench -- canonical` runs it.
const selected = vars.VITE_BENCH_ONLY === undefined || vars.VITE_BENCH_ONLY.split(",").includes("canonical");
const ROUNDS = Number(vars.VITE_CANONICAL_ROUNDS ?? 9);
const PAGES: Record<string, number> = { orders: 20, customers: 10 };

it.runIf(selected)("canonical JSON of rs-10k orders and customers, by method", async () => {
  const { storeHash, token } = await installTestStore("rs-10k", { seed: 11 });
  const client = new BigCommerceClient({ baseUrl: env.BC_API_URL, storeHash, token });
  const all: Record<string, (value: unknown) => unknown> = { canonicalJson, ...variants, ...parts };
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
      if (label === "stringify (no sort)" || label.startsWith("part:")) continue;
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
    report[`${key} (${records.length})`] = Object.fromEntries(
      Object.entries(times).map(([label, t]) => {
        const sorted = t.slice(1).sort((a, b) => a - b);
        const ms = (x: number) => Math.round(x * 10) / 10;
        return [label, { min: ms(sorted[0]), median: ms(sorted[sorted.length >> 1]) }];
      }),
    );
  }
  console.log(`CANONICAL ${JSON.stringify(report)}`);
});
