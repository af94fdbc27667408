/**
 * The month of one rs-10k store in Cloudflare units and dollars (docs/COST.md), from the measured
 * counts in bench/results/latest.json (benchmarks full-backup, incremental, export, d1-row-size)
 * and the assumptions below, each named. Prices: Cloudflare's published marginal prices (beyond the
 * account's included allowances), as collected in the team's CLOUDFLARE-LIMITS notes.
 *
 *   npx tsx bench/cost.ts            (after npm run bench)
 */
import { readFileSync } from "node:fs";
import { getType, isTypeKey } from "../worker/bigcommerce/registry";
import type { BenchResult } from "./support";

const latest = JSON.parse(readFileSync("bench/results/latest.json", "utf8")) as { results: BenchResult[] };
const fig = (name: string) => {
  const r = latest.results.find((x) => x.name === name);
  if (!r) throw new Error(`no ${name} result in bench/results/latest.json: run npm run bench first`);
  return r.figures as Record<string, number>;
};
const full = fig("full-backup");
const incr = fig("incremental");
const exp = fig("export");
const rows = fig("d1-row-size");

/**
 * Durable Object SQLite rows the backup job itself writes besides the vault's staging: one
 * `backup_seen` row per record id a sweeping listing returns (inserted, then deleted when the job
 * ends: 2 rows written each). A full listing sweeps every type; a daily incremental sweeps the types
 * without a modification-date filter (listed in full).
 */
const itemsByType = JSON.parse(String(full.itemsByType ?? "{}")) as Record<string, number>;
if (Object.keys(itemsByType).length === 0)
  throw new Error("full-backup has no itemsByType: run npm run bench -- full-backup first");
const seenPerFull = Object.values(itemsByType).reduce((a, b) => a + b, 0);
const seenPerIncremental = Object.entries(itemsByType).reduce((n, [key, items]) => {
  if (!isTypeKey(key)) return n;
  const t = getType(key);
  // Types with a modification-date filter list only changes, and find deletions from one page of ids
  // whose total matches the vault (the full id listing only when it differs): ≤ 250 ids, left out.
  return t.incremental ? n : n + items;
}, 0);

const PRICE = {
  workerRequestPerM: 0.3,
  workerCpuMsPerM: 0.02,
  doRequestPerM: 0.15,
  doGbSecondPerM: 12.5,
  doRowsWrittenPerM: 1,
  d1RowsReadPerM: 0.001,
  d1RowsWrittenPerM: 1,
  d1GbMonth: 0.75,
  doGbMonth: 0.2,
  r2GbMonth: 0.015,
  r2ClassAPerM: 4.5,
  r2ClassBPerM: 0.36,
  queueOpPerM: 0.4,
};

/** Named assumptions (not measured here). */
const A = {
  incrementals: 30,
  exports: 4,
  /** Webhook deliveries per changed record (BigCommerce sends one per change; product edits may add sku events). */
  deliveriesPerChange: 1,
  queueBatch: 10,
  /** API calls per webhook capture (record + its children, e.g. options/modifiers): paced, so wall time in the DO. */
  secondsPerCapture: 1,
  workerCpuMsPerDelivery: 2,
  workerCpuMsPerConsumerBatch: 5,
  uiRequestsPerMonth: 300,
  workerCpuMsPerUiRequest: 5,
  /** A job step is about one API call (a listing page): the step's cursor update is one DO row. */
  stepsPerCall: 1,
  /** Seen ids stored one row per listing page instead of one per id (the change proposed in COST.md). */
  seenIdsPerPage: true,
  /** DO alarm slices are ≤ 25 s; the pacer keeps the object awake for the whole paced job. */
  sliceSeconds: 25,
  statusPollsPerJob: 40,
  doMemoryGb: 0.125,
  /** Export ZIPs live 7 days: four weekly exports keep about one ZIP stored all month. */
  zipDaysStored: 7,
  partBytes: 5 * 1024 * 1024,
  /**
   * R2 objects an rs-10k export stages (up to 16 pages each, deflated once, read back once when
   * zipped): 67 in benchmark 5's session-3 run (1,551 API calls). Used when the export result does
   * not carry its own `stagedObjects`.
   */
  stagedObjects: 67,
};
const stagedObjects = typeof exp.stagedObjects === "number" ? exp.stagedObjects : A.stagedObjects;

const GB = 1024 ** 3;
const secondsAtStandard = (minutes: number) => minutes * 60;

// The store's D1 index after the full backup: measured when the run recorded it, else from the measured bytes per row.
const d1FullBytes =
  typeof full.d1DatabaseBytes === "number"
    ? full.d1DatabaseBytes
    : full.versions * rows.bytesPerVersionRow + full.versions * rows.bytesPerRecordRow;
const r2BytesPerIncrVersion = incr.newVersions > 0 ? incr.r2BytesStored / incr.newVersions : 0;

/**
 * One store-month. `initial`: the month the store is installed (its first full backup writes every
 * record); otherwise a steady month, where the weekly full listing writes only what changed (so its
 * writes are an incremental's) and the vault holds `retainedDays` of daily changes.
 */
function month(
  initial: boolean,
  retainedDays: number,
  indexRows: boolean,
  { seenPerPage = A.seenIdsPerPage, indexInDo = false } = {},
) {
  // Exports are paced reads too: calls / 120 per 30 s.
  const exportMinutes = (exp.apiCalls / 120) * 0.5;
  const jobSeconds =
    (initial ? secondsAtStandard(full.minutesAtStandard) : 4 * secondsAtStandard(full.minutesAtStandard)) +
    (initial ? A.incrementals : A.incrementals - 4) * secondsAtStandard(incr.minutesAtStandard) +
    A.exports * secondsAtStandard(exportMinutes);
  const jobs = 1 + A.incrementals + A.exports;
  const deliveries = incr.changedRecords * A.deliveriesPerChange * 30;
  const consumerBatches = Math.ceil(deliveries / A.queueBatch);
  const captures = consumerBatches; // one captureRecords RPC per batch (grouped by store and type)
  const fullWrites = initial ? 1 : 0;
  // A steady month lists everything weekly (4 full listings); the first month once, then dailies.
  const fullListings = initial ? 1 : 4;
  const dailyIncrementals = A.incrementals - (initial ? 0 : 4);
  // Each change is stored once: by its webhook capture, or by the next incremental for types without
  // webhooks (the incremental then finds webhook-captured records unchanged). Writes per version are the incremental's.
  const changeVersions = A.incrementals * incr.newVersions;
  // "With indexes": what D1 reported written when the run measured it, else the counted upper bound.
  const billed = (r: Record<string, number>) =>
    typeof r.d1RowsReportedByD1 === "number" ? r.d1RowsReportedByD1 : r.d1RowsWrittenWithIndexes;
  const fullRows = indexRows ? billed(full) : full.d1RowsWritten;
  const incrRows = indexRows ? billed(incr) : incr.d1RowsWritten;

  const units = {
    workerRequests: deliveries + consumerBatches + A.uiRequestsPerMonth,
    workerCpuMs:
      deliveries * A.workerCpuMsPerDelivery +
      consumerBatches * A.workerCpuMsPerConsumerBatch +
      A.uiRequestsPerMonth * A.workerCpuMsPerUiRequest,
    doRequests: jobSeconds / A.sliceSeconds + jobs * A.statusPollsPerJob + captures,
    doGbSeconds: (jobSeconds + captures * A.secondsPerCapture) * A.doMemoryGb,
    // The vault stages one row per commit with versions (a listing page that changed something, or a
    // webhook capture), inserted then deleted at the flush; each job step updates its cursor (1 row) and each alarm slice sets an
    // alarm (1 row); the backup job remembers the ids its sweeping listings saw (2 rows each, or 2 per
    // page of 250 with the proposed change).
    doRowsWritten:
      2 *
        (fullWrites * full.apiCalls + A.incrementals * Math.min(incr.apiCalls, incr.newVersions) + captures) +
      (fullListings * full.apiCalls + dailyIncrementals * incr.apiCalls) * A.stepsPerCall +
      jobSeconds / A.sliceSeconds +
      2 *
        (seenPerPage
          ? Math.ceil((fullListings * seenPerFull + dailyIncrementals * seenPerIncremental) / 250)
          : fullListings * seenPerFull + dailyIncrementals * seenPerIncremental),
    // The share of doRowsWritten that is backup_seen (not priced apart: shown for COST.md).
    doRowsWrittenSeenIds:
      2 *
      (seenPerPage
        ? Math.ceil((fullListings * seenPerFull + dailyIncrementals * seenPerIncremental) / 250)
        : fullListings * seenPerFull + dailyIncrementals * seenPerIncremental),
    // Versions, records, packs as the benchmarks counted them; a webhook delivery adds its dedupe row (+ index).
    d1RowsWritten: fullWrites * fullRows + A.incrementals * incrRows + deliveries * (indexRows ? 2 : 1),
    // The writer reads each listed record's current hash (row + index); incrementals read the id-listed types' records.
    d1RowsRead: (initial ? 1 : 4) * 2 * full.records + A.incrementals * 2 * full.records + deliveries * 2,
    d1GbMonth: (d1FullBytes + (retainedDays + 30) * (changeVersions / 30) * rows.bytesPerVersionRow) / GB,
    r2ClassA:
      fullWrites * full.r2Writes +
      // Incremental packs, plus one pack per webhook capture flush (upper bound: both paths write).
      A.incrementals * incr.r2Writes +
      captures +
      // Export: the staged objects, then the multipart upload (create, parts, complete).
      A.exports * (stagedObjects + 2 + Math.ceil(exp.zipBytes / A.partBytes)),
    // Export: each staged object read back once, the ZIP downloaded once.
    r2ClassB: A.exports * (stagedObjects + 1),
    r2GbMonth:
      (full.r2BytesStored +
        (retainedDays + 30) * (changeVersions / 30) * r2BytesPerIncrVersion +
        (exp.zipBytes * A.exports * A.zipDaysStored) / 30) /
      GB,
    queueOps: 3 * (deliveries + A.incrementals + A.exports),
  };
  const cost = {
    workerRequests: (units.workerRequests / 1e6) * PRICE.workerRequestPerM,
    workerCpu: (units.workerCpuMs / 1e6) * PRICE.workerCpuMsPerM,
    doRequests: (units.doRequests / 1e6) * PRICE.doRequestPerM,
    doDuration: (units.doGbSeconds / 1e6) * PRICE.doGbSecondPerM,
    doRowsWritten: (units.doRowsWritten / 1e6) * PRICE.doRowsWrittenPerM,
    d1RowsWritten: (units.d1RowsWritten / 1e6) * PRICE.d1RowsWrittenPerM,
    d1RowsRead: (units.d1RowsRead / 1e6) * PRICE.d1RowsReadPerM,
    // The proposal: the same index in the store's Durable Object SQLite, billed at its storage price.
    d1Storage: units.d1GbMonth * (indexInDo ? PRICE.doGbMonth : PRICE.d1GbMonth),
    r2ClassA: (units.r2ClassA / 1e6) * PRICE.r2ClassAPerM,
    r2ClassB: (units.r2ClassB / 1e6) * PRICE.r2ClassBPerM,
    r2Storage: units.r2GbMonth * PRICE.r2GbMonth,
    queue: (units.queueOps / 1e6) * PRICE.queueOpPerM,
  };
  return { units, cost, total: Object.values(cost).reduce((a, b) => a + b, 0) };
}

// D1 rows written: "with indexes" counts an index entry per index as a written row (D1's documented
// billing for writes that touch indexed columns, an upper bound for upserts); "table rows" is the lower bound.
const first = month(true, 0, true);
const steady = month(false, 365 - 30, true);
const steadyLow = month(false, 365 - 30, false);
const num = (v: number) => (v < 10 ? v.toFixed(4) : String(Math.round(v)));
console.log(`${"unit".padEnd(18)} ${"first month".padStart(14)} ${"steady month".padStart(14)}`);
for (const k of Object.keys(first.units) as (keyof typeof first.units)[])
  console.log(`${k.padEnd(18)} ${num(first.units[k]).padStart(14)} ${num(steady.units[k]).padStart(14)}`);
console.log(
  `\n${"$ per store-month".padEnd(18)} ${"first month".padStart(14)} ${"steady month".padStart(14)}`,
);
for (const k of Object.keys(first.cost) as (keyof typeof first.cost)[])
  console.log(
    `${k.padEnd(18)} ${first.cost[k].toFixed(5).padStart(14)} ${steady.cost[k].toFixed(5).padStart(14)}`,
  );
console.log(
  `${"total".padEnd(18)} ${first.total.toFixed(4).padStart(14)} ${steady.total.toFixed(4).padStart(14)}  (goal ≤ 0.10, steady month)`,
);
console.log(
  `steady month counting D1 table rows only (no index entries): $${steadyLow.total.toFixed(4)} (D1 rows written $${steadyLow.cost.d1RowsWritten.toFixed(4)})`,
);
const steadySeenPages = month(false, 365 - 30, true, { seenPerPage: true });
const firstSeenPages = month(true, 0, true, { seenPerPage: true });
const steadyBoth = month(false, 365 - 30, true, { seenPerPage: true, indexInDo: true });
const steadyBothLow = month(false, 365 - 30, false, { seenPerPage: true, indexInDo: true });
console.log(
  `with the backup job's seen ids stored per page: steady month $${steadySeenPages.total.toFixed(4)} (DO rows written $${steadySeenPages.cost.doRowsWritten.toFixed(4)} instead of $${steady.cost.doRowsWritten.toFixed(4)}), first month $${firstSeenPages.total.toFixed(4)}`,
);
console.log(
  `steady month with seen ids per page and the version index in the store's Durable Object SQLite: $${steadyBoth.total.toFixed(4)} ($${steadyBothLow.total.toFixed(4)} counting table rows only; index storage $${steadyBoth.cost.d1Storage.toFixed(4)})`,
);
console.log(`seen ids per full listing ${seenPerFull}, per daily incremental ${seenPerIncremental}`);
console.log(
  `\nD1 index of one rs-10k store: ${Math.round(d1FullBytes / 1024 / 1024)} MB after the first backup, ${Math.round(steady.units.d1GbMonth * 1024)} MB after a year of daily changes`,
);
console.log(
  `rs-10k stores per 10 GB D1 database (a year of changes each): ${Math.floor(10 / steady.units.d1GbMonth)}`,
);
