import { eq } from "drizzle-orm";
import { toCaptured } from "../backup/capture";
import {
  type ApiRecord,
  isUnavailable,
  type ListCursor,
  type ListPage,
  recordIdOf,
} from "../bigcommerce/client";
import { type ChildSpec, type ContentType, getType, typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { exportsTable, stores } from "../db/schema";
import { listImageFiles } from "../images/catalog";
import type { JobContext, JobKind, JobProgress, StepResult, TypeProgress } from "../jobs/job-kinds";
import { LINK_TTL_MS } from "./links";
import { notifyExportFailed, notifyExportReady } from "./notify";
import {
  DEFAULT_PART_BYTES,
  DEFAULT_SPLIT_BYTES,
  type PackageInput,
  packageExport,
  type ZipInfo,
  zipKey,
} from "./package";
import { deleteStaged, renderStagedPage, type StagedRecord, stageKey } from "./staging";
import { lastCaptureAt, vaultCounts, vaultPage } from "./vault-source";

export type ExportSource = "live" | "vault";

export type ExportParams = {
  exportId: string;
  /**
   * "live" (default) reads the store through the API; "vault" builds the export from the latest
   * backup (the latest version of every record not deleted) and needs no token: what a merchant
   * gets when BigCommerce revoked the app's access, or asks for to spare the store's API quota.
   */
  source?: ExportSource;
  /** Tests use small sizes; production uses 1 GB ZIPs of 8 MiB parts. */
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
};

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

/** Sets each record's prefetched children, sorted by id as the per-page fetch sorts them ([] when none). */
function attachPrefetched(ctx: JobContext, type: ContentType, records: ApiRecord[], prefetched: string[]) {
  if (!prefetched.length) return;
  ensureChildrenTable(ctx.sql);
  for (const child of storeWideChildren(type)) {
    if (!prefetched.includes(child.key)) continue;
    for (const r of records) {
      const rows = ctx.sql
        .exec(
          "select body from export_children where job_id = ? and type = ? and child = ? and resource_id = ?",
          ctx.jobId,
          type.key,
          child.key,
          recordIdOf(type, r),
        )
        .toArray()
        .map((row) => JSON.parse(String(row.body)) as { id?: unknown });
      rows.sort((a, b) =>
        typeof a.id === "number" && typeof b.id === "number"
          ? a.id - b.id
          : String(a.id).localeCompare(String(b.id)),
      );
      r[child.into] = rows;
    }
  }
}

/** Renders a page into its staged object (JSONL and CSV rows) and adds its CSV columns to `columns`. */
async function stage(
  ctx: JobContext,
  state: ExportState,
  key: string,
  seq: number,
  records: StagedRecord[],
  columns: Record<string, string[]>,
) {
  if (!records.length) return;
  // Copies: the previous state's arrays stay as they were if this step fails and runs again.
  for (const [stem, cols] of Object.entries(columns)) columns[stem] = [...cols];
  await ctx.env.EXPORTS.put(
    stageKey(ctx.storeHash, state.exportId, key, seq),
    renderStagedPage(key, records, columns),
  );
}

/** One page of the current type from the vault: no API call, so no token needed. */
async function vaultFetchStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const key = state.types[state.ti];
  const page = await vaultPage(ctx.env, ctx.storeHash, key, state.vaultAt ?? ctx.now(), state.vaultAfter);
  const seq = state.pages[key] ?? 0;
  const columns = { ...state.columns };
  await stage(ctx, state, key, seq, page.records, columns);
  let next: ExportState = {
    ...state,
    columns,
    vaultAfter: page.next ?? "",
    pages: { ...state.pages, [key]: seq + (page.records.length ? 1 : 0) },
    counts: { ...state.counts, [key]: (state.counts[key] ?? 0) + page.records.length },
  };
  if (page.next === null) next = nextType(next);
  await updateRow(ctx, state.exportId, { counts: next.counts });
  return next;
}

async function fetchStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const key = state.types[state.ti];
  const type = getType(key);
  const client = await ctx.client();
  const before = client.calls;
  let next = state;

  if (type.parent && state.parentIds === null) {
    // Per-parent types (price list records, promotion codes, site routes...): list the parents' ids first.
    const parentType = getType(type.parent.type);
    const parentIds: string[] = [];
    for await (const page of client.pages(parentType, { idsOnly: true })) {
      for (const r of page.records) parentIds.push(recordIdOf(parentType, r));
    }
    next = { ...state, parentIds, pi: 0, cursor: null };
  } else if (type.parent && state.pi >= (state.parentIds?.length ?? 0)) {
    return nextType(state);
  } else {
    const parentId = type.parent ? (state.parentIds as string[])[state.pi] : undefined;
    let page: ListPage;
    try {
      page = await client.listPage(type, { cursor: state.cursor, parentId });
    } catch (err) {
      // As in backups: a parent without a sub-list is skipped; a type the store lacks is noted in
      // the manifest and History instead of failing the whole export. Mid-listing errors still fail.
      if (!isUnavailable(err) || state.cursor) throw err;
      const note = (err as Error).message.slice(0, 200);
      next =
        parentId !== undefined
          ? { ...state, pi: state.pi + 1, cursor: null }
          : nextType({ ...state, unavailable: { ...state.unavailable, [key]: note } });
      next = { ...next, calls: { ...next.calls, [key]: (next.calls[key] ?? 0) + (client.calls - before) } };
      return next;
    }
    await client.fetchChildren(type, page.records as ApiRecord[], { skip: state.prefetched });
    attachPrefetched(ctx, type, page.records as ApiRecord[], state.prefetched);
    const captured = toCaptured(type, page.records, parentId);
    const seq = state.pages[key] ?? 0;
    const columns = { ...state.columns };
    await stage(ctx, state, key, seq, captured, columns);
    next = {
      ...state,
      columns,
      cursor: page.next,
      pages: { ...state.pages, [key]: seq + (captured.length ? 1 : 0) },
      counts: { ...state.counts, [key]: (state.counts[key] ?? 0) + captured.length },
      totals: { ...state.totals, [key]: type.parent ? null : (page.total ?? state.totals[key] ?? null) },
    };
    if (!page.next) next = type.parent ? { ...next, pi: next.pi + 1, cursor: null } : nextType(next);
  }
  next = { ...next, calls: { ...next.calls, [key]: (next.calls[key] ?? 0) + (client.calls - before) } };
  await updateRow(ctx, state.exportId, { counts: next.counts });
  return next;
}

const sourceOf = (state: ExportState): PackageInput["source"] =>
  state.source === "vault" ? { kind: "vault", asOf: state.asOf } : { kind: "live" };

async function packageStep(ctx: JobContext, state: ExportState): Promise<ExportState> {
  const db = getDb(ctx.env);
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, state.exportId)).limit(1);
  const [store] = await db
    .select({ name: stores.name })
    .from(stores)
    .where(eq(stores.hash, ctx.storeHash))
    .limit(1);
  const zips = await packageExport(
    ctx.env.EXPORTS,
    {
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
    },
    { splitBytes: state.splitBytes, partBytes: state.partBytes },
  );
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
  return { ...state, phase: "done", zips };
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
    await updateRow(ctx, row.id, { status: "running", counts: {} });
    const env = ctx.env as unknown as Record<string, unknown>;
    const source = params.source ?? "live";
    return {
      exportId: row.id,
      kind: row.kind,
      source,
      vaultAt: source === "vault" ? ctx.now() : null,
      asOf: source === "vault" ? await lastCaptureAt(ctx.env.DB, ctx.storeHash, types) : null,
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
    if (state.phase === "fetch" && state.source === "vault")
      return { state: await vaultFetchStep(ctx, state) };
    if (state.phase === "fetch") {
      const type = getType(state.types[state.ti]);
      // Only with the Durable Object's SQLite at hand (the Node benchmark runs steps without it).
      const canPrefetch = Boolean(ctx.sql) && !type.parent && storeWideChildren(type).length > 0;
      if (canPrefetch && state.prefetch === undefined)
        return { state: { ...state, prefetch: { child: 0, page: 1 } } };
      if (canPrefetch && state.prefetch) return prefetchStep(ctx, state, type);
      return { state: await fetchStep(ctx, { ...state, prefetched: state.prefetched ?? [] }) };
    }
    if (state.phase === "package") return { state: await packageStep(ctx, state), done: true };
    return { state, done: true };
  },

  progress(state) {
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
  },

  async finish(ctx, state, outcome) {
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
  },
};
