import { eq } from "drizzle-orm";
import {
  type ApiRecord,
  type BigCommerceClient,
  isUnavailable,
  type ListCursor,
  type ListPage,
  recordIdOf,
  withParent,
} from "../bigcommerce/client";
import { type ChildSpec, type ContentType, getType, parentListing, typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { exportsTable, stores } from "../db/schema";
import { listImageFiles } from "../images/catalog";
import type { JobContext, JobKind, JobProgress, StepResult, TypeProgress } from "../jobs/job-kinds";
import { LINK_TTL_MS } from "./links";
import { notifyExportFailed, notifyExportReady } from "./notify";
import {
  DEFAULT_PART_BYTES,
  DEFAULT_SPLIT_BYTES,
  ExportPackager,
  type PackageInput,
  packageExport,
  SplitNeeded,
  type ZipInfo,
  zipKey,
} from "./package";
import { deleteStaged, joinBlocks, renderStagedPage, stageKey } from "./staging";
import { forgetTokenAccepted } from "./token-cache";
import { forgetPacks, lastCaptureAt, vaultCounts, vaultPage } from "./vault-source";

export type ExportSource = "live" | "vault";

export type ExportParams = {
  exportId: string;
  /**
   * "live" (default) reads the store through the API; "vault" builds the export from the latest
   * backup (the latest version of every record not deleted) and needs no token: what a merchant
   * gets when BigCommerce revoked the app's access, or asks for to spare the store's API quota.
   */
  source?: ExportSource;
  /** Tests use small sizes; production uses 1 GB ZIPs of 5 MiB parts. */
  splitBytes?: number;
  partBytes?: number;
};

/**
 * `fetch`: one API page per step, staged to R2 (resumable at any page, like a backup).
 * `package`: one step that streams the staged pages into ZIPs (no API calls, bounded by R2 and
 * deflate speed, so it fits one alarm: 1 GB takes well under a minute); a crash restarts it.
 */
export type ExportState = {
  exportId: string;
  kind: "manual" | "weekly" | "monthly";
  source: ExportSource;
  /** Vault exports: the state is the vault's at this instant (the export's start)... */
  vaultAt: number | null;
  /** ...whose last capture of the chosen types was then (the manifest's "as of"). */
  asOf: number | null;
  /** Vault exports: the last record id read of the current type ("" before the first page). */
  vaultAfter: string;
  types: string[];
  phase: "fetch" | "package" | "done";
  ti: number;
  cursor: ListCursor | null;
  parentIds: string[] | null;
  pi: number;
  pages: Record<string, number>;
  counts: Record<string, number>;
  totals: Record<string, number | null>;
  calls: Record<string, number>;
  columns: Record<string, string[]>;
  /**
   * Store-wide child lists of the current type: undefined = not started, an object = next page to read,
   * null = done. `prefetched`: the children read that way (attached from the job's SQLite).
   */
  prefetch?: { child: number; page: number } | null;
  prefetched: string[];
  /** Types the store does not have (endpoint 404, or scope not granted: 403), with BigCommerce's answer. */
  unavailable: Record<string, string>;
  zips: ZipInfo[];
  splitBytes: number;
  partBytes: number;
  /** Wall ms per phase, summed over the export's steps (benchmarks read it from the job's state). */
  profile?: Record<string, number>;
};

/** Adds the ms since `t0` to the phase's total in `profile` (a copy owned by the step). */
function lap(profile: Record<string, number>, phase: string, t0: number): number {
  const t = performance.now();
  profile[phase] = (profile[phase] ?? 0) + (t - t0);
  return t;
}

function numberVar(v: unknown, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

async function updateRow(
  ctx: JobContext,
  exportId: string,
  values: Partial<typeof exportsTable.$inferInsert>,
) {
  await getDb(ctx.env).update(exportsTable).set(values).where(eq(exportsTable.id, exportId));
}

function nextType(state: ExportState): ExportState {
  const key = state.types[state.ti];
  // A type read in full has a count, even 0 (a per-parent type without parents); only unavailable types have none.
  const counts =
    key && !state.unavailable[key] && !(key in state.counts) ? { ...state.counts, [key]: 0 } : state.counts;
  const ti = state.ti + 1;
  return {
    ...state,
    counts,
    ti,
    cursor: null,
    parentIds: null,
    pi: 0,
    prefetch: undefined,
    prefetched: [],
    vaultAfter: "",
    phase: ti >= state.types.length ? "package" : "fetch",
  };
}

/** Child lists BigCommerce also serves store-wide (metafields): read once per type instead of once per page. */
function storeWideChildren(type: ContentType) {
  return (type.children ?? []).filter(
    (c): c is Extract<ChildSpec, { fetch: "by_resource_ids" }> => c.fetch === "by_resource_ids",
  );
}

function ensureChildrenTable(sql: SqlStorage) {
  sql.exec(`create table if not exists export_children (job_id text not null, type text not null, child text not null,
    resource_id text not null, item_id text not null, body text not null, primary key (job_id, type, child, resource_id, item_id)) without rowid`);
}

/** One page of a store-wide child list into the job's SQLite (in the step's transaction, via `commit`). */
async function prefetchStep(
  ctx: JobContext,
  state: ExportState,
  type: ContentType,
): Promise<StepResult<ExportState>> {
  const children = storeWideChildren(type);
  const at = state.prefetch ?? { child: 0, page: 1 };
  if (at.child >= children.length) return { state: { ...state, prefetch: null } };
  const child = children[at.child];
  const client = await ctx.client();
  const before = client.calls;
  const page = await client.storeWideChildPage(type, child, at.page);
  const next: ExportState = {
    ...state,
    prefetch: page?.next ? { child: at.child, page: page.next } : { child: at.child + 1, page: 1 },
    prefetched: page ? [...new Set([...state.prefetched, child.key])] : state.prefetched,
    calls: { ...state.calls, [type.key]: (state.calls[type.key] ?? 0) + (client.calls - before) },
  };
  return {
    state: next,
    commit: () => {
      ensureChildrenTable(ctx.sql);
      for (const item of page?.items ?? []) {
        ctx.sql.exec(
          "insert or replace into export_children (job_id, type, child, resource_id, item_id, body) values (?, ?, ?, ?, ?, ?)",
          ctx.jobId,
          type.key,
          child.key,
          String(item.resource_id),
          String(item.id),
          JSON.stringify(item),
        );
      }
    },
  };
}

/** Ids bound per query: Durable Object SQLite takes at most 100 parameters, three go to job, type and child. */
const IDS_PER_QUERY = 90;

/** Sets each record's prefetched children, sorted by id as the per-page fetch sorts them ([] when none). */
function attachPrefetched(ctx: JobContext, type: ContentType, records: ApiRecord[], prefetched: string[]) {
  if (!prefetched.length) return;
  ensureChildrenTable(ctx.sql);
  const ids = records.map((r) => recordIdOf(type, r));
  for (const child of storeWideChildren(type)) {
    if (!prefetched.includes(child.key)) continue;
    // One query per 90 records, not one per record.
    const byId = new Map<string, { id?: unknown }[]>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const rows = ctx.sql.exec(
        `select resource_id, body from export_children where job_id = ? and type = ? and child = ? and resource_id in (${chunk.map(() => "?").join(",")})`,
        ctx.jobId,
        type.key,
        child.key,
        ...chunk,
      );
      for (const row of rows) {
        const id = String(row.resource_id);
        const list = byId.get(id) ?? [];
        list.push(JSON.parse(String(row.body)) as { id?: unknown });
        byId.set(id, list);
      }
    }
    records.forEach((r, i) => {
      const rows = byId.get(ids[i]) ?? [];
      rows.sort((a, b) =>
        typeof a.id === "number" && typeof b.id === "number"
          ? a.id - b.id
          : String(a.id).localeCompare(String(b.id)),
      );
      r[child.into] = rows;
    });
  }
}

/**
 * Ends a fetch step: the pages rendered in this step become one staged object (the next in the
 * type's sequence), and the History row's counts follow.
 */
async function stageBlocks(
  ctx: JobContext,
  state: ExportState,
  after: ExportState,
  step: {
    key: string;
    blocks: Uint8Array[];
    size: number;
    columns: ExportState["columns"];
    profile: NonNullable<ExportState["profile"]>;
  },
): Promise<ExportState> {
  const { key, blocks, size, columns, profile } = step;
  let next = after;
  if (blocks.length) {
    const seq = state.pages[key] ?? 0;
    const t = performance.now();
    await ctx.env.EXPORTS.put(stageKey(ctx.storeHash, state.exportId, key, seq), joinBlocks(blocks));
    lap(profile, "stagePutMs", t);
    profile.stagedBytes = (profile.stagedBytes ?? 0) + size;
    profile.stagedObjects = (profile.stagedObjects ?? 0) + 1;
    next = { ...next, columns, pages: { ...next.pages, [key]: seq + 1 } };
  }
  next = { ...next, profile };
  await writeCounts(ctx, next, next.ti !== state.ti);
  return next;
}

type VaultRead = Awaited<ReturnType<typeof vaultPage>>;
/** The vault page a job reads next, read (D1 + packs) while the current one is rendered; per isolate. */
const vaultAhead = new Map<string, { key: string; result: Promise<VaultRead> }>();

/**
 * Pages of the current type from the vault (no API call, so no token needed), into one staged
 * object up to STAGE_CHUNK, the next page read while the current one is rendered.
 */
async function vaultFetchStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const key = state.types[state.ti];
  const at = state.vaultAt ?? ctx.now();
  const profile = { ...state.profile };
  const started = performance.now();
  const columns = { ...state.columns };
  for (const [stem, cols] of Object.entries(columns)) columns[stem] = [...cols];
  const read = (after: string) => {
    const waiting = vaultAhead.get(ctx.jobId);
    vaultAhead.delete(ctx.jobId);
    if (waiting && waiting.key === `${key}|${after}`) return waiting.result;
    return vaultPage(ctx.env, ctx.storeHash, key, at, after);
  };
  const blocks: Uint8Array[] = [];
  let size = 0;
  let next = state;
  for (let n = 1; ; n++) {
    let t = performance.now();
    const page = await read(next.vaultAfter);
    t = lap(profile, "vaultReadMs", t);
    if (page.next !== null) {
      const ahead = vaultPage(ctx.env, ctx.storeHash, key, at, page.next);
      ahead.catch(() => undefined);
      vaultAhead.set(ctx.jobId, { key: `${key}|${page.next}`, result: ahead });
    }
    if (page.records.length) {
      const text = renderStagedPage(key, page.records, columns);
      blocks.push(text);
      size += text.length;
      lap(profile, "renderMs", t);
    }
    next = {
      ...next,
      vaultAfter: page.next ?? "",
      counts: { ...next.counts, [key]: (next.counts[key] ?? 0) + page.records.length },
    };
    if (page.next === null) {
      next = nextType(next);
      break;
    }
    if (size >= STAGE_CHUNK || n >= STAGE_PAGES || performance.now() - started > STAGE_MS) break;
  }
  return stageBlocks(ctx, state, next, { key, blocks, size, columns, profile });
}

/**
 * A step stages a type's API pages into one R2 object until it holds about this many characters
 * (or STAGE_PAGES pages, or STAGE_MS of reading): fewer puts and steps than one object per page,
 * and a replayed step re-reads at most that much.
 */
const STAGE_CHUNK = 4 * 1024 * 1024;
const STAGE_PAGES = 16;
const STAGE_MS = 5_000;
/** Counts go to the History row at most this often (and at each type's end), not once per page. */
const ROW_EVERY_MS = 2_000;

type PageRead = { type: string; parentId?: string; cursor: ListCursor | null; skip: string[] };
type ReadResult = { page: ListPage; calls: number } | { error: unknown; calls: number };

/**
 * The API page an export reads next, per job, requested while the current page is rendered and
 * staged: the store (or the sandbox) serves it meanwhile. A cache of this isolate only: a step
 * whose read is not the one waiting (a retry, another isolate after an eviction) reads it anew.
 */
const readAhead = new Map<string, { key: string; result: Promise<ReadResult> }>();
const rowWrittenAt = new Map<string, number>();

/** The page the next live step reads, when it is a plain page of the current type. */
function pageReadOf(state: ExportState, withSql: boolean): PageRead | null {
  if (state.phase !== "fetch" || state.source === "vault") return null;
  const key = state.types[state.ti];
  const type = getType(key);
  if (type.parent) {
    if (!state.parentIds || state.pi >= state.parentIds.length) return null;
    return { type: key, parentId: state.parentIds[state.pi], cursor: state.cursor, skip: [] };
  }
  if (withSql && storeWideChildren(type).length > 0 && state.prefetch !== null) return null;
  return { type: key, cursor: state.cursor, skip: state.prefetched ?? [] };
}

/** One page and its per-page children; only one read is in flight at a time, so the call count is its own. */
async function readPage(client: BigCommerceClient, read: PageRead): Promise<ReadResult> {
  const before = client.calls;
  const type = getType(read.type);
  try {
    const page = await client.listPage(type, { cursor: read.cursor, parentId: read.parentId });
    await client.fetchChildren(type, page.records as ApiRecord[], { skip: read.skip });
    return { page, calls: client.calls - before };
  } catch (error) {
    return { error, calls: client.calls - before };
  }
}

function takeRead(jobId: string, client: BigCommerceClient, read: PageRead): Promise<ReadResult> {
  const waiting = readAhead.get(jobId);
  readAhead.delete(jobId);
  if (waiting && waiting.key === JSON.stringify(read)) return waiting.result;
  return readPage(client, read);
}

async function fetchStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const key = state.types[state.ti];
  const type = getType(key);
  const client = await ctx.client();
  const withSql = Boolean(ctx.sql);

  if (type.parent && state.parentIds === null) {
    // Per-parent types (price list records, promotion codes, site routes...): list the parents' ids first.
    const before = client.calls;
    const parentType = parentListing(type);
    const parentIds: string[] = [];
    for await (const page of client.pages(parentType, { idsOnly: true })) {
      for (const r of page.records) parentIds.push(recordIdOf(parentType, r));
    }
    const calls = { ...state.calls, [key]: (state.calls[key] ?? 0) + (client.calls - before) };
    return { ...state, parentIds, pi: 0, cursor: null, calls };
  }
  if (type.parent && state.pi >= (state.parentIds?.length ?? 0)) return nextType(state);

  const profile = { ...state.profile };
  const started = performance.now();
  const columns = { ...state.columns };
  const blocks: Uint8Array[] = [];
  let size = 0;
  let next = state;
  for (let n = 1; ; n++) {
    const read = pageReadOf(next, withSql) as PageRead;
    let t = performance.now();
    const result = await takeRead(ctx.jobId, client, read);
    t = lap(profile, "apiWaitMs", t);
    next = { ...next, calls: { ...next.calls, [key]: (next.calls[key] ?? 0) + result.calls } };
    if ("error" in result) {
      // As in backups: a parent without a sub-list is skipped; a type the store lacks is noted in
      // the manifest and History instead of failing the whole export. Mid-listing errors still fail.
      if (!isUnavailable(result.error) || read.cursor) throw result.error;
      const note = (result.error as Error).message.slice(0, 200);
      if (read.parentId === undefined) {
        next = nextType({ ...next, unavailable: { ...next.unavailable, [key]: note } });
        break;
      }
      next = { ...next, pi: next.pi + 1, cursor: null };
    } else {
      const { page } = result;
      next = {
        ...next,
        cursor: page.next,
        counts: { ...next.counts, [key]: (next.counts[key] ?? 0) + page.records.length },
        totals: { ...next.totals, [key]: type.parent ? null : (page.total ?? next.totals[key] ?? null) },
      };
      if (!page.next) next = type.parent ? { ...next, pi: next.pi + 1, cursor: null } : nextType(next);
    }
    // The next page is requested before this one is rendered, so the store serves it meanwhile.
    const more = next.ti === state.ti ? pageReadOf(next, withSql) : null;
    if (more) {
      const ahead = readPage(client, more);
      readAhead.set(ctx.jobId, { key: JSON.stringify(more), result: ahead });
    }
    if (!("error" in result) && result.page.records.length) {
      const records = result.page.records as ApiRecord[];
      attachPrefetched(ctx, type, records, state.prefetched);
      if (!blocks.length) for (const [stem, cols] of Object.entries(columns)) columns[stem] = [...cols];
      // The vault's body and id (what a backup captures), without the names and search text it also derives.
      const staged = records.map((raw) => ({
        recordId: recordIdOf(type, raw, read.parentId),
        body: read.parentId !== undefined ? withParent(type, raw, read.parentId) : raw,
      }));
      const text = renderStagedPage(key, staged, columns);
      blocks.push(text);
      size += text.length;
      lap(profile, "renderMs", t);
    }
    if (!more || size >= STAGE_CHUNK || n >= STAGE_PAGES || performance.now() - started > STAGE_MS) break;
  }
  // Copies above: the previous state's column arrays stay as they were if this step runs again.
  return stageBlocks(ctx, state, next, { key, blocks, size, columns, profile });
}

/** The History row's counts, at most every ROW_EVERY_MS while a type is read, and at its end. */
async function writeCounts(ctx: JobContext, state: ExportState, typeEnded: boolean) {
  const last = rowWrittenAt.get(ctx.jobId) ?? 0;
  if (!typeEnded && Date.now() - last < ROW_EVERY_MS) return;
  const t = performance.now();
  await updateRow(ctx, state.exportId, { counts: state.counts });
  rowWrittenAt.set(ctx.jobId, Date.now());
  if (state.profile) lap(state.profile, "rowMs", t);
}

/**
 * Whether the error is BigCommerce refusing the token. `accessRevoked` lives in the Durable Object's
 * module, which Node (bench/export.ts runs these steps) cannot load: imported when an error needs it.
 */
async function refusedToken(err: unknown): Promise<boolean> {
  const { accessRevoked } = await import("../jobs/store-jobs");
  return accessRevoked(err) !== null;
}

/** The export again from its first type, built from the vault as it is now; what was staged is dropped. */
async function restartFromVault(ctx: JobContext, state: ExportState): Promise<ExportState> {
  readAhead.delete(ctx.jobId);
  dropAlongside(ctx.jobId);
  await forgetTokenAccepted(ctx.storeHash);
  await deleteStaged(ctx.env.EXPORTS, ctx.storeHash, state.exportId, state.pages);
  const asOf = await lastCaptureAt(ctx.env.DB, ctx.storeHash, state.types);
  await updateRow(ctx, state.exportId, { source: "vault", sourceAsOf: asOf, counts: {} });
  return {
    ...state,
    source: "vault",
    vaultAt: ctx.now(),
    asOf,
    vaultAfter: "",
    phase: state.types.length ? "fetch" : "package",
    ti: 0,
    cursor: null,
    parentIds: null,
    pi: 0,
    pages: {},
    counts: {},
    totals: await vaultCounts(ctx.env.DB, ctx.storeHash, state.types),
    columns: {},
    unavailable: {},
    prefetch: undefined,
    prefetched: [],
  };
}

const sourceOf = (state: ExportState): PackageInput["source"] =>
  state.source === "vault" ? { kind: "vault", asOf: state.asOf } : { kind: "live" };

/**
 * Packaging alongside the read phase: each type, once read (its staged objects and CSV columns are
 * final then), is written into the ZIP in the background while the next types are read, in the time
 * the job otherwise spends waiting for the store's pages. Per isolate: after an eviction, a failure,
 * or a ZIP that would need a split (its manifest needs the final counts), the package step writes
 * the whole export in one go as before, from the staged objects.
 */
type Alongside = {
  packager: ExportPackager;
  chain: Promise<void>;
  queued: string[];
  failed: boolean;
  profile: Record<string, number>;
};
const alongside = new Map<string, Alongside>();

function dropAlongside(jobId: string) {
  const a = alongside.get(jobId);
  alongside.delete(jobId);
  if (a) a.chain = a.chain.then(() => a.packager.abort()).catch(() => undefined);
}

/** Queues the types a step finished reading (those between `before.ti` and `after.ti`). */
function packAlongside(ctx: JobContext, before: ExportState, after: ExportState) {
  if (after.ti <= before.ti || after.source !== before.source) return;
  const done = (upTo: number) => after.types.slice(0, upTo).filter((t) => !after.unavailable[t]);
  let a = alongside.get(ctx.jobId);
  if (!a) {
    // Started in another isolate (or after an eviction): the earlier types were not packaged here.
    if (done(before.ti).length) return;
    a = {
      packager: new ExportPackager(
        ctx.env.EXPORTS,
        { storeHash: ctx.storeHash, exportId: after.exportId, source: sourceOf(after) },
        { splitBytes: after.splitBytes, partBytes: after.partBytes, canSplit: false },
      ),
      chain: Promise.resolve(),
      queued: [],
      failed: false,
      profile: {},
    };
    alongside.set(ctx.jobId, a);
  } else if (a.queued.join() !== done(before.ti).join()) return dropAlongside(ctx.jobId);
  const entry = a;
  for (const type of after.types.slice(before.ti, after.ti)) {
    if (after.unavailable[type]) continue;
    entry.queued.push(type);
    const pages = after.pages[type] ?? 0;
    const columns = after.columns;
    entry.chain = entry.chain
      .then(async () => {
        if (entry.failed) return;
        const t = performance.now();
        await entry.packager.addType(type, pages, columns);
        lap(entry.profile, "packAlongsideMs", t);
      })
      .catch((err) => {
        if (!(err instanceof SplitNeeded))
          console.error(`export ${after.exportId}: packaging alongside the reads stopped: ${String(err)}`);
        entry.failed = true;
      });
  }
}

async function packageStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const profile = { ...state.profile };
  const t = performance.now();
  const db = getDb(ctx.env);
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, state.exportId)).limit(1);
  const [store] = await db
    .select({ name: stores.name })
    .from(stores)
    .where(eq(stores.hash, ctx.storeHash))
    .limit(1);
  const input: PackageInput = {
    storeHash: ctx.storeHash,
    storeName: store?.name ?? ctx.storeHash,
    exportId: state.exportId,
    kind: state.kind,
    createdAt: row?.createdAt ?? ctx.now(),
    types: state.types,
    pages: state.pages,
    counts: state.counts,
    columns: state.columns,
    unavailable: state.unavailable,
    source: sourceOf(state),
    ...(row?.includeImages
      ? {
          attachments: {
            bucket: ctx.env.VAULT,
            files: listImageFiles(
              ctx.env,
              ctx.storeHash,
              state.types.filter((t) => !state.unavailable[t]),
            ),
          },
        }
      : {}),
  };
  const a = alongside.get(ctx.jobId);
  alongside.delete(ctx.jobId);
  let zips: ZipInfo[] | null = null;
  if (a && a.queued.join() === state.types.filter((k) => !state.unavailable[k]).join()) {
    await a.chain;
    Object.assign(profile, a.profile);
    if (!a.failed) {
      try {
        zips = await a.packager.finish(input);
      } catch (err) {
        if (!(err instanceof SplitNeeded)) throw err;
      }
    }
    if (!zips) await a.packager.abort();
  } else if (a) await a.packager.abort();
  profile.packagedAlongside = zips ? 1 : 0;
  zips ??= await packageExport(ctx.env.EXPORTS, input, {
    splitBytes: state.splitBytes,
    partBytes: state.partBytes,
    profile,
  });
  lap(profile, "packageMs", t);
  await deleteStaged(ctx.env.EXPORTS, ctx.storeHash, state.exportId, state.pages);
  const finishedAt = ctx.now();
  await updateRow(ctx, state.exportId, {
    status: "done",
    finishedAt,
    expiresAt: finishedAt + LINK_TTL_MS,
    size: zips.reduce((s, z) => s + z.size, 0),
    files: zips,
    counts: state.counts,
    error: null,
  });
  return { ...state, phase: "done", zips, profile };
}

/**
 * Exports the chosen content types of the store as it is now: JSON Lines + CSV per type and a
 * manifest, in one or more ZIPs in R2, then emails the download links. Runs in the store's
 * Durable Object like a backup, so it is paced by the same quota and never runs beside another job.
 */
export const exportJob: JobKind<ExportParams, ExportState> = {
  kind: "export",

  async start(ctx, params) {
    const db = getDb(ctx.env);
    const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, params.exportId)).limit(1);
    if (!row || row.storeHash !== ctx.storeHash)
      throw new Error(`Export ${params.exportId} not found for this store`);
    const order = new Set(row.types);
    const types = typeKeys.filter((k) => order.has(k));
    const env = ctx.env as unknown as Record<string, unknown>;
    const source = params.source ?? "live";
    const asOf = source === "vault" ? await lastCaptureAt(ctx.env.DB, ctx.storeHash, types) : null;
    await updateRow(ctx, row.id, { status: "running", counts: {}, source, sourceAsOf: asOf });
    return {
      exportId: row.id,
      kind: row.kind,
      source,
      vaultAt: source === "vault" ? ctx.now() : null,
      asOf,
      vaultAfter: "",
      types,
      phase: types.length ? "fetch" : "package",
      ti: 0,
      cursor: null,
      parentIds: null,
      pi: 0,
      pages: {},
      counts: {},
      totals: source === "vault" ? await vaultCounts(ctx.env.DB, ctx.storeHash, types) : {},
      calls: {},
      columns: {},
      unavailable: {},
      prefetched: [],
      zips: [],
      splitBytes: params.splitBytes ?? numberVar(env.EXPORT_SPLIT_BYTES, DEFAULT_SPLIT_BYTES),
      partBytes: params.partBytes ?? numberVar(env.EXPORT_PART_BYTES, DEFAULT_PART_BYTES),
    };
  },

  async step(ctx, state) {
    const result = await readOrPackage(ctx, state);
    if (state.phase === "fetch") packAlongside(ctx, state, result.state);
    return result;
  },

  progress(state) {
    return progressOf(state);
  },

  async finish(ctx, state, outcome) {
    return finishExport(ctx, state, outcome);
  },
};

async function readOrPackage(ctx: JobContext, state: ExportState): Promise<StepResult<ExportState>> {
  if (state.phase === "fetch" && state.source === "vault") return { state: await vaultFetchStep(ctx, state) };
  if (state.phase === "fetch") {
    const type = getType(state.types[state.ti]);
    // Only with the Durable Object's SQLite at hand (the Node benchmark runs steps without it).
    const canPrefetch = Boolean(ctx.sql) && !type.parent && storeWideChildren(type).length > 0;
    if (canPrefetch && state.prefetch === undefined)
      return { state: { ...state, prefetch: { child: 0, page: 1 } } };
    try {
      if (canPrefetch && state.prefetch) return await prefetchStep(ctx, state, type);
      return { state: await fetchStep(ctx, { ...state, prefetched: state.prefetched ?? [] }) };
    } catch (err) {
      // The token was refused mid-export (revoked, or access changed): the merchant still gets the
      // export, from the latest backup, rather than a failure.
      // Without any backup there is nothing to build it from: it fails and says why.
      if ((await refusedToken(err)) && (await lastCaptureAt(ctx.env.DB, ctx.storeHash, state.types)) !== null)
        return { state: await restartFromVault(ctx, state) };
      throw err;
    }
  }
  if (state.phase === "package") return { state: await packageStep(ctx, state), done: true };
  return { state, done: true };
}

function progressOf(state: ExportState): JobProgress {
  const types: Record<string, TypeProgress> = {};
  state.types.forEach((key, i) => {
    const done = state.phase !== "fetch" || i < state.ti;
    const unavailable = state.unavailable?.[key];
    types[key] = {
      done: state.counts[key] ?? 0,
      total: done ? (state.counts[key] ?? 0) : (state.totals[key] ?? null),
      calls: state.calls[key] ?? 0,
      versions: 0,
      deleted: 0,
      unchanged: 0,
      bytes: 0,
      status: unavailable ? "unavailable" : done ? "done" : i === state.ti ? "running" : "pending",
      ...(unavailable ? { note: unavailable } : {}),
    };
  });
  const left = state.phase === "fetch" ? state.types.length - state.ti : 0;
  return { types, remainingCalls: left } satisfies JobProgress;
}

async function finishExport(
  ctx: JobContext,
  state: ExportState,
  outcome: { status: "done" | "failed" | "cancelled"; error?: string },
) {
  readAhead.delete(ctx.jobId);
  dropAlongside(ctx.jobId);
  vaultAhead.delete(ctx.jobId);
  forgetPacks();
  rowWrittenAt.delete(ctx.jobId);
  if (ctx.sql) {
    ensureChildrenTable(ctx.sql);
    ctx.sql.exec("delete from export_children where job_id = ?", ctx.jobId);
  }
  if (outcome.status === "done") {
    await notifyExportReady(ctx.env, ctx.storeHash, state.exportId, sourceOf(state) ?? { kind: "live" });
    return;
  }
  // A cancel carries its reason when it has one (an uninstall stops the job and says so).
  const reason =
    outcome.error ??
    (outcome.status === "cancelled" ? "The export was cancelled." : "The export stopped unexpectedly.");
  await updateRow(ctx, state.exportId, { status: "failed", finishedAt: ctx.now(), error: reason });
  await deleteStaged(ctx.env.EXPORTS, ctx.storeHash, state.exportId, state.pages).catch(() => undefined);
  // ZIPs of a failed export are never linked: remove any that were completed.
  const keys = Array.from({ length: 64 }, (_, i) => zipKey(ctx.storeHash, state.exportId, i + 1));
  await ctx.env.EXPORTS.delete(keys).catch(() => undefined);
  await notifyExportFailed(ctx.env, ctx.storeHash, state.exportId, reason);
}
