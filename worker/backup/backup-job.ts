import {
  type ApiRecord,
  type BigCommerceClient,
  isUnavailable,
  type ListCursor,
  type ListPage,
  recordIdOf,
  sortById,
} from "../bigcommerce/client";
import {
  backupOrder,
  type ContentType,
  getType,
  minCalls,
  parentListing,
  typeKeys,
} from "../bigcommerce/registry";
import { captureImagesStep } from "../images/capture";
import type { JobContext, JobKind, JobProgress, TypeProgress } from "../jobs/job-kinds";
import { newId } from "../lib/ids";
import { deletedCapture, toCaptured } from "./capture";
import {
  type ChildChangesCursor,
  childChangesStep,
  listsChildChanges,
  storeWideChildren,
  writeChildCount,
} from "./child-changes";
import { storeThemeFiles } from "./theme-files";
import { hooksCoverSince, registerWebhooks } from "./webhooks";

export type BackupKind = "manual" | "scheduled" | "initial" | "incremental";
export type BackupParams = { backupKind: BackupKind; types?: string[] };

/**
 * Per type: prefetch (a full backup reads store-wide child lists such as metafields once, instead
 * of once per page of records), list (changed or all records), ids (cheap id listing), sweep
 * (ids the vault holds that the listing did not return become deletions).
 */
type Phase = "start" | "prefetch" | "child_changes" | "list" | "ids" | "sweep";

export type BackupState = {
  backupId: string;
  backupKind: BackupKind;
  types: string[];
  ti: number;
  phase: Phase;
  cursor: ListCursor | null;
  /** Per-parent types: the parents' ids and which one is being listed. */
  parentIds: string[];
  pi: number;
  /** Prefetch: which store-wide child list, which page; `prefetched` the children attached from the cache. */
  prefetch?: { child: number; page: number };
  prefetched?: string[];
  /** Per-parent types: parents whose sub-list could not be read (their children are not swept). */
  skippedParents?: string[];
  /** Sweep position (record ids are compared as text). */
  sweepAfter: string;
  /** Per type: list only what changed since this time (null = list everything). */
  since: Record<string, number | null>;
  /**
   * Per type, what this run leaves to webhooks (the registry's `webhookCoverage`, when its hooks
   * have been active since the type's last backup): "deletions" skips the id listing, "changes"
   * skips the listing of a type without a modification-date filter.
   */
  byWebhook?: Record<string, ("deletions" | "changes")[]>;
  /** Records whose metafields changed without moving their own date (worker/backup/child-changes.ts). */
  childChanges?: ChildChangesCursor;
  /** Records per type at the last backup: the ETA's estimate for types not started yet. */
  estimates: Record<string, number>;
  progress: Record<string, TypeProgress>;
};

/** Changes captured during the listing's own run could be missed by a filter on the exact start time. */
const INCREMENTAL_SKEW_MS = 5 * 60_000;
const SWEEP_PAGE = 1000;
const FULL_BACKUP_EVERY_MS = 7 * 86_400_000;

const emptyProgress = (): TypeProgress => ({
  done: 0,
  total: null,
  calls: 0,
  versions: 0,
  deleted: 0,
  unchanged: 0,
  bytes: 0,
  status: "pending",
});

function ensureSeenTable(sql: SqlStorage) {
  // Ids a sweeping listing returned, one row per page (a JSON array): Durable Object storage bills
  // every row written, and one row per id cost millions of rows a month on a large store.
  // `backup_seen` (one row per id) is still read for jobs that started before this table existed.
  sql.exec(`create table if not exists backup_seen_pages (job_id text not null, type text not null,
    seq integer not null, ids text not null, primary key (job_id, type, seq)) without rowid`);
  sql.exec(`create table if not exists backup_seen (job_id text not null, type text not null, record_id text not null,
    primary key (job_id, type, record_id)) without rowid`);
  sql.exec(`create table if not exists backup_children (job_id text not null, type text not null, child text not null,
    resource_id text not null, item_id text not null, body text not null,
    primary key (job_id, type, child, resource_id, item_id)) without rowid`);
}

/** Every id this job's sweeping listing of a type returned so far. */
function seenIds(sql: SqlStorage, jobId: string, type: string): Set<string> {
  const seen = new Set<string>();
  for (const row of sql.exec(
    "select ids from backup_seen_pages where job_id = ? and type = ?",
    jobId,
    type,
  )) {
    for (const id of JSON.parse(String(row.ids)) as string[]) seen.add(id);
  }
  for (const row of sql.exec(
    "select record_id from backup_seen where job_id = ? and type = ?",
    jobId,
    type,
  )) {
    seen.add(String(row.record_id));
  }
  return seen;
}

/**
 * The seen ids of the type being swept, read once per sweep instead of once per sweep page (the
 * listing is over, so they no longer change). Per Durable Object instance, like the read-ahead:
 * lost with the instance, when the next sweep step reads them again.
 */
const sweepSeen = new WeakMap<object, { key: string; seen: Set<string> }>();

function seenForSweep(ctx: JobContext, type: string): Set<string> {
  const key = `${ctx.jobId}\u0000${type}`;
  const cached = sweepSeen.get(ctx.vault);
  if (cached?.key === key) return cached.seen;
  const seen = seenIds(ctx.sql, ctx.jobId, type);
  sweepSeen.set(ctx.vault, { key, seen });
  return seen;
}

/** Does this type list everything this run (so ids missing from the listing are deletions)? */
function sweeps(type: ContentType, state: BackupState): boolean {
  if (state.since[type.key] === null || state.since[type.key] === undefined) return true;
  if (type.deletions === "id_listing" && leftToWebhooks(state, type.key, "deletions")) return false;
  return type.deletions === "id_listing" || type.deletions === "full_listing";
}

const leftToWebhooks = (state: BackupState, key: string, what: "deletions" | "changes") =>
  state.byWebhook?.[key]?.includes(what) ?? false;

/**
 * Records the vault holds as present for a type right now: D1's index plus what the open pack
 * changes (captures not flushed yet).
 */
async function vaultPresent(ctx: JobContext, key: string): Promise<number> {
  // A flush running meanwhile would move entries from the pending state to D1 between the reads.
  await ctx.vault.idle();
  const row = await ctx.env.DB.prepare(
    "select count(*) as n from records where store_hash = ? and type = ? and deleted = 0",
  )
    .bind(ctx.storeHash, key)
    .first<{ n: number }>();
  let n = row?.n ?? 0;
  const pending = ctx.vault.pendingState(key);
  if (pending.size === 0) return n;
  const { results } = await ctx.env.DB.prepare(
    "select record_id, deleted from records where store_hash = ? and type = ? and record_id in (select value from json_each(?))",
  )
    .bind(ctx.storeHash, key, JSON.stringify([...pending.keys()]))
    .all<{ record_id: string; deleted: number }>();
  const inD1 = new Map(results.map((r) => [r.record_id, r.deleted === 0]));
  for (const [id, deleted] of pending) {
    const wasPresent = inD1.get(id) ?? false;
    if (deleted && wasPresent) n--;
    else if (!deleted && !wasPresent) n++;
  }
  return n;
}

function nextPhaseAfterList(type: ContentType, state: BackupState): Phase | "next_type" {
  const incremental = state.since[type.key] != null;
  if (incremental && type.deletions === "id_listing") return sweeps(type, state) ? "ids" : "next_type";
  return sweeps(type, state) ? "sweep" : "next_type";
}

/** Seen ids stay until the job ends: deleting them mid-job, outside the step's transaction, could turn a replayed sweep into false deletions. */
function advanceType(state: BackupState, _ctx: JobContext): BackupState {
  const key = state.types[state.ti];
  const progress = { ...state.progress, [key]: { ...state.progress[key], status: "done" as const } };
  return {
    ...state,
    progress,
    ti: state.ti + 1,
    phase: "start",
    cursor: null,
    parentIds: [],
    pi: 0,
    sweepAfter: "",
  };
}

/**
 * Backs up the store's content types page by page: every page's records are hashed against the
 * vault and only changed ones become versions; a listing that covers the whole type is followed by
 * a sweep that records deletions. Scheduled backups of types with a modification-date filter list
 * only what changed since the last successful backup and find deletions by listing ids.
 */
export const backupJob: JobKind<BackupParams, BackupState> = {
  kind: "backup",

  async start(ctx, params) {
    ensureSeenTable(ctx.sql);
    const types = backupOrder(params.types?.length ? params.types : typeKeys);
    const backupId = newId(ctx.now());
    const since: Record<string, number | null> = {};
    const byWebhook: Record<string, ("deletions" | "changes")[]> = {};
    const incremental = params.backupKind === "scheduled" || params.backupKind === "incremental";
    if (incremental) {
      const { results } = await ctx.env.DB.prepare(
        "select kind, types, started_at from backups where store_hash = ? and status = 'done' order by started_at desc limit 200",
      )
        .bind(ctx.storeHash)
        .all<{ kind: string; types: string; started_at: number }>();
      const covers = (b: { types: string }, key: string) => (JSON.parse(b.types) as string[]).includes(key);
      // Hooks are left to only when this run could check them (a failed check trusts none).
      const autoSync = (await autoSyncOn(ctx)) && (await keepWebhooksInStep(ctx));
      for (const key of types) {
        const type = getType(key);
        if (!type.incremental && !(autoSync && type.webhookCoverage?.changes)) continue;
        const last = results.find((b) => covers(b, key));
        const lastFull = results.find((b) => b.kind !== "incremental" && covers(b, key));
        // Changes the modification date does not reveal (a metafield, a complex rule) are caught by
        // a full listing at least once a week.
        const fresh = lastFull && ctx.now() - lastFull.started_at < FULL_BACKUP_EVERY_MS;
        since[key] = last && fresh ? last.started_at - INCREMENTAL_SKEW_MS : null;
        const from = since[key];
        if (from == null || !autoSync) continue;
        const left = (["deletions", "changes"] as const).filter((what) =>
          hooksCoverSince(ctx.sql, type.webhookCoverage?.[what], from),
        );
        if (left.length) byWebhook[key] = left;
        // Without a modification-date filter the type is listed in full unless its changes are announced.
        if (!type.incremental && !left.includes("changes")) since[key] = null;
      }
    }
    // A run that listed only changes is recorded as "incremental", so the next one knows when the last full one was.
    const recordedKind: BackupKind = Object.values(since).some((v) => v != null)
      ? "incremental"
      : params.backupKind;
    const counts = await ctx.env.DB.prepare(
      "select type, count(*) as n from records where store_hash = ? and deleted = 0 group by type",
    )
      .bind(ctx.storeHash)
      .all<{ type: string; n: number }>();
    const estimates = Object.fromEntries(counts.results.map((r) => [r.type, r.n]));
    // A store runs one job at a time, so a backup still "running" here lost its job (evicted while
    // starting, before its state was saved): close it rather than leave it running forever.
    await ctx.env.DB.batch([
      ctx.env.DB.prepare(
        "update backups set status = 'failed', finished_at = ?, error = 'Interrupted while starting; started again.' where store_hash = ? and status = 'running'",
      ).bind(ctx.now(), ctx.storeHash),
      ctx.env.DB.prepare(
        "insert into backups (id, store_hash, kind, status, types, started_at) values (?, ?, ?, 'running', ?, ?)",
      ).bind(backupId, ctx.storeHash, recordedKind, JSON.stringify(types), ctx.now()),
    ]);
    return {
      backupId,
      backupKind: params.backupKind,
      types,
      ti: 0,
      phase: "start",
      cursor: null,
      parentIds: [],
      pi: 0,
      sweepAfter: "",
      since,
      estimates,
      byWebhook,
      progress: Object.fromEntries(types.map((t) => [t, emptyProgress()])),
    };
  },

  async step(ctx, state) {
    ensureSeenTable(ctx.sql);
    // Last phase: the image files the captured versions reference (see worker/images/capture.ts).
    if (state.ti >= state.types.length) return captureImagesStep(ctx, state);
    const key = state.types[state.ti];
    const type = getType(key);
    const prog = state.progress[key];

    if (state.phase === "start") {
      if (state.since[key] != null && leftToWebhooks(state, key, "changes")) {
        const skipped = advanceType(state, ctx);
        skipped.progress[key] = {
          ...skipped.progress[key],
          note: "Changes arrive by webhook; listed in full once a week.",
        };
        return { state: skipped };
      }
      let parentIds: string[] = [];
      let parentCalls = 0;
      if (type.parent) {
        // Parents were listed earlier in this backup; the newest of them may still be in the open pack.
        await ctx.vault.idle();
        const { results } = await ctx.env.DB.prepare(
          "select record_id from records where store_hash = ? and type = ? and deleted = 0 order by record_id",
        )
          .bind(ctx.storeHash, type.parent.type)
          .all<{ record_id: string }>();
        const pending = ctx.vault.pendingState(type.parent.type);
        const ids = new Set(results.map((r) => r.record_id));
        for (const [id, deleted] of pending) {
          if (deleted) ids.delete(id);
          else ids.add(id);
        }
        parentIds = [...ids].sort();
        if (type.parent.only) {
          const client = await ctx.client();
          const before = client.calls;
          const eligible = new Set(await filteredParentIds(client, parentListing(type)));
          parentIds = parentIds.filter((id) => eligible.has(id));
          parentCalls = client.calls - before;
        }
      }
      const total = state.since[key] != null ? null : (state.estimates[key] ?? null);
      const prefetchable = state.since[key] == null && storeWideChildren(type).length > 0;
      return {
        state: {
          ...state,
          phase: prefetchable ? "prefetch" : listsChildChanges(type, state) ? "child_changes" : "list",
          prefetch: prefetchable ? { child: 0, page: 1 } : undefined,
          prefetched: [],
          cursor: null,
          parentIds,
          pi: 0,
          progress: {
            ...state.progress,
            [key]: {
              ...prog,
              status: "running",
              total: prog.total ?? total,
              calls: prog.calls + parentCalls,
            },
          },
        },
      };
    }

    if (state.phase === "prefetch") {
      const children = storeWideChildren(type);
      const at = state.prefetch ?? { child: 0, page: 1 };
      if (at.child >= children.length) return { state: { ...state, phase: "list", prefetch: undefined } };
      const child = children[at.child];
      const client = await ctx.client();
      const before = client.calls;
      const page = await client.storeWideChildPage(type, child, at.page);
      const calls = client.calls - before;
      const progress = { ...state.progress, [key]: { ...prog, calls: prog.calls + calls } };
      const nextAt = page?.next ? { child: at.child, page: page.next } : { child: at.child + 1, page: 1 };
      const prefetched = page
        ? [...new Set([...(state.prefetched ?? []), child.key])]
        : (state.prefetched ?? []);
      return {
        state: { ...state, prefetch: nextAt, prefetched, progress },
        commit: () => {
          // The whole list's count as of its last page: the baseline the next runs' deletion check
          // starts from (child-changes.ts).
          if (child.changedSince && page && !page.next && page.total !== null) {
            const maxId = page.items.reduce((n, item) => Math.max(n, Number(item.id) || 0), 0);
            writeChildCount(ctx.sql, type, child, { total: page.total, maxId });
          }
          for (const item of page?.items ?? []) {
            ctx.sql.exec(
              "insert or replace into backup_children (job_id, type, child, resource_id, item_id, body) values (?, ?, ?, ?, ?, ?)",
              ctx.jobId,
              key,
              child.key,
              String(item.resource_id),
              String(item.id),
              JSON.stringify(item),
            );
          }
        },
      };
    }

    if (state.phase === "child_changes") return childChangesStep(ctx, state, type);

    if (state.phase === "list" || state.phase === "ids") {
      if (type.parent && state.pi >= state.parentIds.length) return { state: afterListing(ctx, state, type) };
      const parentId = type.parent ? state.parentIds[state.pi] : undefined;
      const client = await ctx.client();
      const callsBefore = client.calls;
      const idsOnly = state.phase === "ids";
      const prefetched = state.prefetched ?? [];
      const read = (cursor: ListCursor | null): PageRead => ({
        jobId: ctx.jobId,
        type,
        cursor,
        parentId,
        idsOnly,
        modifiedSince: idsOnly ? undefined : (state.since[key] ?? undefined),
        skip: prefetched,
      });
      let page: ListPage;
      try {
        page = await readPage(ctx, client, read(state.cursor));
      } catch (err) {
        if (isUnavailable(err) && parentId !== undefined && !state.cursor) {
          // This parent's sub-list is gone (parent deleted meanwhile, or none for it): its children
          // are left as they are in the vault rather than swept.
          return {
            state: {
              ...state,
              pi: state.pi + 1,
              cursor: null,
              skippedParents: [...(state.skippedParents ?? []), parentId],
            },
          };
        }
        if (!isUnavailable(err) || state.cursor) throw err;
        // The store has no such endpoint (feature off, or scope not granted): skip the type, and
        // never sweep it, so what the vault holds is not marked deleted.
        const skipped = advanceType(state, ctx);
        skipped.progress[key] = {
          ...skipped.progress[key],
          status: "unavailable",
          note: (err as Error).message.slice(0, 200),
        };
        return { state: skipped };
      }
      // The next pages (with their children) are read while the vault stores this one. Not for ids:
      // they give the vault no work to overlap, and the first page's count often ends the listing.
      if (page.next && !idsOnly) {
        for (const cursor of pagesAhead(type, page)) readAhead(ctx, client, read(cursor));
      }
      const capturedAt = ctx.now();
      let entries: Awaited<ReturnType<typeof ctx.vault.prepare>>["entries"] = [];
      let result = { versions: 0, deleted: 0, unchanged: 0, bytes: 0 };
      if (!idsOnly) {
        attachPrefetched(ctx, type, page.records, prefetched);
        await storeThemeFiles(ctx.env, ctx.storeHash, client, type, page.records);
      }
      const captured = toCaptured(type, page.records, parentId);
      if (!idsOnly) {
        ({ entries, result } = await ctx.vault.prepare(
          { storeHash: ctx.storeHash, type: key, backupId: state.backupId, source: "backup", capturedAt },
          captured,
        ));
      }
      const record = sweeps(type, state);
      const ids = captured.map((c) => c.recordId);
      let next: BackupState = { ...state, cursor: page.next };
      // The first page of ids says how many records the store has: when the vault holds exactly
      // that many (after this run's changes), nothing was deleted and the rest of the listing is
      // skipped (1 call instead of 100 for 25,000 customers).
      if (idsOnly && !state.cursor && page.next && page.total !== null) {
        if (page.total === (await vaultPresent(ctx, key))) {
          const done = advanceType(state, ctx);
          done.progress[key] = {
            ...done.progress[key],
            calls: done.progress[key].calls + (client.calls - callsBefore),
          };
          return { state: done };
        }
      }
      if (!page.next) {
        next = type.parent ? { ...next, pi: state.pi + 1, cursor: null } : afterListing(ctx, next, type);
      }
      const total =
        page.total !== null && !type.parent && !idsOnly && state.since[key] == null
          ? page.total
          : next.progress[key].total;
      next.progress = {
        ...next.progress,
        [key]: {
          ...next.progress[key],
          total,
          done: next.progress[key].done + (idsOnly ? 0 : page.records.length),
          calls: next.progress[key].calls + (client.calls - callsBefore),
          versions: next.progress[key].versions + result.versions,
          deleted: next.progress[key].deleted + result.deleted,
          unchanged: next.progress[key].unchanged + result.unchanged,
          bytes: next.progress[key].bytes + result.bytes,
        },
      };
      return {
        state: next,
        commit: () => {
          ctx.vault.commit(entries);
          if (record && ids.length) {
            ctx.sql.exec(
              `insert into backup_seen_pages (job_id, type, seq, ids) values (?, ?,
                 (select coalesce(max(seq), 0) + 1 from backup_seen_pages where job_id = ? and type = ?), ?)`,
              ctx.jobId,
              key,
              ctx.jobId,
              key,
              JSON.stringify(ids),
            );
          }
        },
      };
    }

    // Sweep: records the vault holds as present that this run's listing did not return were deleted.
    // (Records created by this run may still be in the open pack, not in D1: they were seen anyway.)
    const { results } = await ctx.env.DB.prepare(
      `select record_id from records
       where store_hash = ? and type = ? and deleted = 0 and record_id > ? order by record_id limit ?`,
    )
      .bind(ctx.storeHash, key, state.sweepAfter, SWEEP_PAGE)
      .all<{ record_id: string }>();
    const skipped = new Set(state.skippedParents ?? []);
    const seen = seenForSweep(ctx, key);
    const missingIds = results
      .map((r) => r.record_id)
      .filter((id) => !(type.parent && skipped.has(id.slice(0, id.indexOf(":")))) && !seen.has(id));
    // Names only for the few records that were deleted (a deleted item stays findable by them).
    const missing = missingIds.length
      ? (
          await ctx.env.DB.prepare(
            `select record_id, display_name, search_text from records
             where store_hash = ? and type = ? and record_id in (select value from json_each(?)) order by record_id`,
          )
            .bind(ctx.storeHash, key, JSON.stringify(missingIds))
            .all<{ record_id: string; display_name: string; search_text: string }>()
        ).results
      : [];
    const { entries, result } = await ctx.vault.prepare(
      {
        storeHash: ctx.storeHash,
        type: key,
        backupId: state.backupId,
        source: "backup",
        capturedAt: ctx.now(),
      },
      missing.map((r) => deletedCapture(r.record_id, r.display_name, r.search_text)),
    );
    let next: BackupState = {
      ...state,
      sweepAfter: results.length ? results[results.length - 1].record_id : state.sweepAfter,
      progress: { ...state.progress, [key]: { ...prog, deleted: prog.deleted + result.deleted } },
    };
    if (results.length < SWEEP_PAGE) next = advanceType(next, ctx);
    return { state: next, commit: () => ctx.vault.commit(entries) };
  },

  progress(state): JobProgress {
    let remainingCalls = 0;
    state.types.forEach((key, i) => {
      const type = getType(key);
      const p = state.progress[key];
      if (i < state.ti || p.status === "done") return;
      const items = p.total ?? state.estimates[key] ?? 0;
      const plan = minCalls(type, {
        items: Math.max(items, 0),
        parents: state.estimates[type.parent?.type ?? ""] ?? 0,
      });
      const doneShare = items > 0 ? Math.min(p.done / items, 1) : 0;
      remainingCalls += Math.ceil(plan * (1 - doneShare));
    });
    // Past the last type the backup downloads image files: the page says so instead of showing
    // every type done while a first backup of a large catalog fetches its pictures.
    const stage = state.ti >= state.types.length ? ("images" as const) : undefined;
    return { types: state.progress, remainingCalls, stage };
  },

  async finish(ctx, state, outcome) {
    ensureSeenTable(ctx.sql);
    ctx.sql.exec("delete from backup_seen_pages where job_id = ?", ctx.jobId);
    ctx.sql.exec("delete from backup_seen where job_id = ?", ctx.jobId);
    ctx.sql.exec("delete from backup_children where job_id = ?", ctx.jobId);
    const counts = Object.fromEntries(
      Object.entries(state.progress).map(([k, p]) => [
        k,
        { items: p.done, versions: p.versions, deleted: p.deleted, calls: p.calls, bytes: p.bytes },
      ]),
    );
    const sum = (f: (p: TypeProgress) => number) =>
      Object.values(state.progress).reduce((n, p) => n + f(p), 0);
    const now = ctx.now();
    const statements = [
      ctx.env.DB.prepare(
        `update backups set status = ?, finished_at = ?, error = ?, counts = ?, api_calls = ?, versions_written = ?, bytes_stored = ?
         where id = ?`,
      ).bind(
        outcome.status,
        now,
        outcome.error ?? null,
        JSON.stringify(counts),
        sum((p) => p.calls),
        sum((p) => p.versions + p.deleted),
        sum((p) => p.bytes),
        state.backupId,
      ),
    ];
    if (outcome.status === "done") {
      statements.push(
        ctx.env.DB.prepare("update stores set last_backup_id = ? where hash = ?").bind(
          state.backupId,
          ctx.storeHash,
        ),
      );
    }
    await ctx.env.DB.batch(statements);
    if (outcome.status === "done") await keepWebhooksInStep(ctx);
  },
};

/** Ids of the parents the registry's `parent.only` filter selects, from the parent type's own listing. */
async function filteredParentIds(client: BigCommerceClient, parents: ContentType): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of client.pages(parents, { idsOnly: true })) {
    for (const r of page.records) ids.push(recordIdOf(parents, r));
  }
  return ids;
}

/** One listing page as a step reads it: the page and, unless ids only, its per-page children. */
type PageRead = {
  jobId: string;
  type: ContentType;
  cursor: ListCursor | null;
  parentId?: string;
  idsOnly: boolean;
  modifiedSince?: number;
  skip: string[];
};

/** A page read ahead is used only by the step that asks for exactly it, and only while fresh. */
const AHEAD_MAX_AGE_MS = 30_000;
/**
 * Pages read ahead of the one being stored. Past the next one only when the listing says how many
 * pages it has (v3 `meta.pagination`, a v2 list's count: no call beyond its end), so that several
 * round trips are in flight at once: a page of BigCommerce takes 100–300 ms to come, longer than the
 * vault takes to store one. Three while pages are small (250 orders are ≈ 2 MB of JSON); two when a
 * page is big (250 products with variants and images: tens of MB once parsed, in a 128 MB isolate).
 */
const AHEAD_PAGES = 3;
const BIG_PAGE_BYTES = 4 * 1024 * 1024;
type Ahead = { key: string; at: number; read: Promise<{ page: ListPage; calls: number } | null> };
/** Per Durable Object instance (its vault writer): lost with the instance, when the step simply reads again. */
const ahead = new WeakMap<object, Ahead[]>();

const readKey = (r: PageRead) =>
  JSON.stringify([r.jobId, r.type.key, r.cursor, r.parentId, r.idsOnly, r.modifiedSince, r.skip]);

/** The cursors to read ahead after `page`: its next, and the one after when the listing's size is known. */
function pagesAhead(type: ContentType, page: ListPage): ListCursor[] {
  if (!page.next) return [];
  const n = page.next.page;
  if (n === undefined || page.total === null || !type.list.pageSize) return [page.next];
  const last = Math.ceil(page.total / type.list.pageSize);
  const depth = (page.bytes ?? BIG_PAGE_BYTES) < BIG_PAGE_BYTES ? AHEAD_PAGES : AHEAD_PAGES - 1;
  const out: ListCursor[] = [];
  for (let p = n; p <= Math.min(n + depth - 1, last); p++) out.push({ ...page.next, page: p });
  return out.length ? out : [page.next];
}

async function fetchPage(client: BigCommerceClient, r: PageRead): Promise<ListPage> {
  const page = await client.listPage(r.type, {
    cursor: r.cursor,
    parentId: r.parentId,
    idsOnly: r.idsOnly,
    modifiedSince: r.modifiedSince,
    withTotal: !r.idsOnly,
  });
  if (!r.idsOnly) await client.fetchChildren(r.type, page.records, { skip: r.skip });
  return page;
}

/**
 * Starts reading a page before its step runs, so the API's time overlaps the vault's work on the
 * pages before. Its calls go through the same pacer (a limited quota paces it like any call) and are
 * counted by the step that uses the page. The cursor is still saved only with the page it stored.
 */
function readAhead(ctx: JobContext, client: BigCommerceClient, r: PageRead) {
  const queue = ahead.get(ctx.vault) ?? [];
  const key = readKey(r);
  if (queue.some((a) => a.key === key)) return;
  const forked = client.fork();
  const read = fetchPage(forked, r).then(
    (page) => ({ page, calls: forked.calls }),
    // The step reads the page again and meets the error where it is handled.
    () => null,
  );
  ahead.set(ctx.vault, [...queue.slice(-(AHEAD_PAGES - 1)), { key, at: Date.now(), read }]);
}

/** The page read ahead for this step if there is one, else read now. Pages ahead of it stay queued. */
async function readPage(ctx: JobContext, client: BigCommerceClient, r: PageRead): Promise<ListPage> {
  const queue = ahead.get(ctx.vault) ?? [];
  const key = readKey(r);
  const i = queue.findIndex((a) => a.key === key);
  ahead.set(ctx.vault, i >= 0 ? queue.slice(i + 1) : []);
  const a = queue[i];
  if (a && Date.now() - a.at < AHEAD_MAX_AGE_MS) {
    const got = await a.read;
    if (got) {
      client.calls += got.calls;
      return got.page;
    }
  }
  return fetchPage(client, r);
}

function afterListing(ctx: JobContext, state: BackupState, type: ContentType): BackupState {
  const phase = state.phase === "ids" ? "sweep" : nextPhaseAfterList(type, state);
  if (phase === "next_type") return advanceType(state, ctx);
  return { ...state, phase, cursor: null, pi: 0, sweepAfter: "" };
}

/**
 * After each successful backup, the store's hooks are brought in line with its automatic sync
 * setting (registered when on, removed when off). This re-creates hooks BigCommerce deactivated
 * (90 days without deliveries, or failures) and costs one call when nothing is missing.
 */
async function keepWebhooksInStep(ctx: JobContext): Promise<boolean> {
  try {
    const store = await ctx.env.DB.prepare("select auto_sync from stores where hash = ?")
      .bind(ctx.storeHash)
      .first<{ auto_sync: number }>();
    if (!store) return false;
    await registerWebhooks(ctx.env, ctx.storeHash, await ctx.client(), Boolean(store.auto_sync), ctx.sql);
    return true;
  } catch (err) {
    console.error(`webhook registration for ${ctx.storeHash} failed`, err);
    return false;
  }
}

/** Sets each record's (or nested item's) prefetched children, sorted by id as the per-page fetch would, [] when none. */
function attachPrefetched(ctx: JobContext, type: ContentType, records: ApiRecord[], prefetched: string[]) {
  // One query per child list and page (not per record): a page of 250 orders made 250 queries.
  const childrenOf = (child: string, resourceIds: string[]) => {
    const grouped = new Map<string, unknown[]>();
    for (const row of ctx.sql.exec(
      "select resource_id, body from backup_children where job_id = ? and type = ? and child = ? and resource_id in (select value from json_each(?))",
      ctx.jobId,
      type.key,
      child,
      JSON.stringify(resourceIds),
    )) {
      const id = String(row.resource_id);
      const list = grouped.get(id);
      const body = JSON.parse(String(row.body));
      if (list) list.push(body);
      else grouped.set(id, [body]);
    }
    return (id: string) => sortById(grouped.get(id) ?? []);
  };
  for (const child of storeWideChildren(type)) {
    if (!prefetched.includes(child.key)) continue;
    if (child.fetch === "by_resource_ids") {
      const ids = records.map((r) => recordIdOf(type, r));
      const of = childrenOf(child.key, ids);
      records.forEach((r, i) => {
        r[child.into] = of(ids[i]);
      });
      continue;
    }
    const items = records.flatMap((r) =>
      Array.isArray(r[child.within]) ? (r[child.within] as ApiRecord[]) : [],
    );
    const of = childrenOf(
      child.key,
      items.map((item) => String(item.id)),
    );
    for (const item of items) item[child.into] = of(String(item.id));
  }
}

async function autoSyncOn(ctx: JobContext): Promise<boolean> {
  const row = await ctx.env.DB.prepare("select auto_sync from stores where hash = ?")
    .bind(ctx.storeHash)
    .first<{ auto_sync: number }>();
  return Boolean(row?.auto_sync);
}
