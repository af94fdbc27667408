import { type ApiRecord, isUnavailable, type V3List } from "../bigcommerce/client";
import type { ChildChanges, ChildSpec, ContentType } from "../bigcommerce/registry";
import type { JobContext } from "../jobs/job-kinds";
import type { BackupState } from "./backup-job";
import { toCaptured } from "./capture";
import { readRecords } from "./read-records";
import { hooksCoverSince } from "./webhooks";

/**
 * Records whose children changed without moving their own modification date (metafields: registry
 * `changedSince`), found by a scheduled run before it lists the type's changed records: each dated
 * child's store-wide list is read from the run's `since` (one call on a quiet day), nested items are
 * traced to their record, and those records are read again like the changed ones. Without this a
 * metafield-only edit waited for the weekly full listing.
 *
 * One API call per step, so the job's cursor moves after every call as the listing's does.
 */
export type ChildChangesCursor = {
  stage: "scan" | "map" | "read";
  /** Scan: which dated child, which page. Map and read: position in `nested` or `ids`. */
  child: number;
  page: number;
  at: number;
  /** Ids of records to read again, and of nested items (variants) still to trace to their record. */
  ids: string[];
  nested: string[];
  /** Scan, this child: its count now, the one the last run left, and how many of the dated items are new since. */
  count?: ChildCount;
  base?: ChildCount | null;
  created?: number;
  /** Some child lost items since the last run: the type is listed in full instead (see ChildCount). */
  full?: boolean;
};

/**
 * How many items a store-wide child list holds, and its highest id, read at one moment (one call:
 * `limit=1&direction=desc`). Items are numbered in creation order, so between two counts the items
 * created are exactly those with an id above the first count's highest, and all of them are in the
 * dated list (created after the last run began, so modified since): last count + created since −
 * count now = items deleted since. A deleted metafield is in no dated list (BigCommerce has no
 * metafield deletion hooks for customers and variants, and a store without automatic sync gets none):
 * when any were deleted, the type is listed in full this run, which re-reads every record and stores
 * the ones that changed. Items created and deleted between two counts change nothing to count.
 */
export type ChildCount = { total: number; maxId: number };

const countKey = (type: ContentType, child: ChildSpec) => `${type.key}.${child.key}`;

function ensureCounts(sql: SqlStorage) {
  sql.exec(
    "create table if not exists child_counts (child text primary key, total integer not null, max_id integer not null)",
  );
}

export function readChildCount(sql: SqlStorage, type: ContentType, child: ChildSpec): ChildCount | null {
  ensureCounts(sql);
  const row = sql
    .exec("select total, max_id from child_counts where child = ?", countKey(type, child))
    .toArray()[0];
  return row ? { total: Number(row.total), maxId: Number(row.max_id) } : null;
}

/** Called inside the step's transaction: the count moves with the job's cursor. */
export function writeChildCount(sql: SqlStorage, type: ContentType, child: ChildSpec, count: ChildCount) {
  ensureCounts(sql);
  sql.exec(
    "insert into child_counts (child, total, max_id) values (?, ?, ?) on conflict (child) do update set total = excluded.total, max_id = excluded.max_id",
    countKey(type, child),
    count.total,
    count.maxId,
  );
}

type DatedChild = Extract<ChildSpec, { fetch: "by_resource_ids" | "by_nested_ids" }> & {
  changedSince: ChildChanges;
};

/** Nested items traced one call each up to this many; beyond it the owner list is read page by page. */
const TRACE_ONE_BY_ONE = 50;
/** Records without an `id:in` list filter are read one by one, this many per step. */
const SINGLE_READS_PER_STEP = 10;

/**
 * Children a full backup reads store-wide once (a few pages) instead of once per listing page:
 * lists filtered by `resource_id`, whether the resource is the record (metafields) or an item of
 * one of its lists (variant metafields name the variant).
 */
export const storeWideChildren = (type: ContentType) =>
  (type.children ?? []).filter(
    (c): c is Extract<ChildSpec, { fetch: "by_resource_ids" | "by_nested_ids" }> =>
      c.fetch === "by_resource_ids" || c.fetch === "by_nested_ids",
  );

export const datedChildren = (type: ContentType): DatedChild[] =>
  storeWideChildren(type).filter((c): c is DatedChild => Boolean(c.changedSince));

/** Whether this run starts the type with the child-changes phase: it lists only changes, and has dated children. */
export const listsChildChanges = (type: ContentType, state: BackupState): boolean =>
  state.since[type.key] != null && datedChildren(type).length > 0;

const isoDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const hasMore = (body: V3List | null, got: number, limit: number) => {
  const p = body?.meta?.pagination;
  return p ? p.current_page < p.total_pages : got >= limit;
};

/**
 * The rest of this run lists the type in full, as the weekly listing does: store-wide children
 * read once, every page, then the sweep. Records whose content did not change store nothing.
 */
function listInFull(state: BackupState, type: ContentType): BackupState {
  const storeWide = storeWideChildren(type).length > 0;
  return {
    ...state,
    since: { ...state.since, [type.key]: null },
    phase: storeWide ? "prefetch" : "list",
    prefetch: storeWide ? { child: 0, page: 1 } : undefined,
    prefetched: [],
    cursor: null,
    childChanges: undefined,
  };
}

export async function childChangesStep(
  ctx: JobContext,
  state: BackupState,
  type: ContentType,
): Promise<{ state: BackupState; commit?: () => void }> {
  const key = type.key;
  const since = state.since[key] as number;
  const cur: ChildChangesCursor = state.childChanges ?? {
    stage: "scan",
    child: 0,
    page: 1,
    at: 0,
    ids: [],
    nested: [],
  };
  const client = await ctx.client();
  const before = client.calls;
  const withCalls = (next: BackupState): BackupState => ({
    ...next,
    progress: {
      ...next.progress,
      [key]: { ...next.progress[key], calls: next.progress[key].calls + (client.calls - before) },
    },
  });
  const children = datedChildren(type);

  if (cur.stage === "scan") {
    const child = children[cur.child];
    if (!child) {
      if (cur.full) return { state: listInFull(state, type) };
      const stage = cur.nested.length ? "map" : "read";
      return { state: { ...state, childChanges: { ...cur, stage, at: 0 } } };
    }
    const nextChild = {
      ...cur,
      child: cur.child + 1,
      page: 1,
      count: undefined,
      base: undefined,
      created: undefined,
    };
    // On a store with automatic sync, healthy hooks announced these changes already (this run
    // trusted hooks for some type only if the check at its start succeeded).
    const hooksTrusted = Object.keys(state.byWebhook ?? {}).length > 0;
    if (hooksTrusted && hooksCoverSince(ctx.sql, child.changedSince.hooks, since)) {
      // Deletions come by hook too. The last count stays: should the hooks stop being trusted, the
      // next scan still compares with it (items created meanwhile but before that run's `since` are
      // not in its dated list, which can hide as many deletions, never report one that did not happen).
      return { state: { ...state, childChanges: nextChild } };
    }
    if (cur.count === undefined) {
      // The count comes before the dated list: an item created in between is then counted as
      // created but not in the count, which can only make the check list the type for nothing.
      let counted: V3List | null;
      try {
        ({ body: counted } = await client.request<V3List>("GET", "v3", child.path, {
          query: { limit: 1, direction: "desc", include_fields: "resource_id" },
        }));
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        return { state: withCalls({ ...state, childChanges: nextChild }) };
      }
      const count = {
        total: Number(counted?.meta?.pagination?.total ?? 0),
        maxId: Number(counted?.data?.[0]?.id ?? 0),
      };
      return {
        state: withCalls({
          ...state,
          childChanges: { ...cur, count, base: readChildCount(ctx.sql, type, child), created: 0 },
        }),
      };
    }
    let body: V3List | null;
    try {
      ({ body } = await client.request<V3List>("GET", "v3", child.path, {
        query: {
          [child.changedSince.param]: isoDate(since),
          include_fields: "resource_id",
          limit: child.pageSize,
          page: cur.page,
        },
      }));
    } catch (err) {
      // A store without the feature or the scope: nothing of it to read again.
      if (!isUnavailable(err)) throw err;
      return { state: withCalls({ ...state, childChanges: nextChild }) };
    }
    const rows = body?.data ?? [];
    const found = rows.map((m) => String(m.resource_id));
    const into = child.fetch === "by_nested_ids" ? "nested" : "ids";
    const { count, base } = cur;
    const created =
      (cur.created ?? 0) +
      (base && count
        ? rows.filter((m) => Number(m.id) > base.maxId && Number(m.id) <= count.maxId).length
        : 0);
    const merged = { ...cur, [into]: [...new Set([...cur[into], ...found])], created };
    if (hasMore(body, found.length, child.pageSize)) {
      return { state: withCalls({ ...state, childChanges: { ...merged, page: cur.page + 1 } }) };
    }
    // The child is scanned: were any of its items deleted since the last run's count?
    const deleted = base && count ? base.total + created - count.total : 0;
    return {
      state: withCalls({
        ...state,
        childChanges: {
          ...merged,
          child: cur.child + 1,
          page: 1,
          count: undefined,
          base: undefined,
          created: undefined,
          full: cur.full || deleted > 0,
        },
      }),
      commit: count ? () => writeChildCount(ctx.sql, type, child, count) : undefined,
    };
  }

  if (cur.stage === "map") {
    const owner = children.find((c) => c.fetch === "by_nested_ids")?.changedSince.owner;
    if (!owner) return { state: { ...state, childChanges: { ...cur, stage: "read", at: 0 } } };
    if (cur.nested.length <= TRACE_ONE_BY_ONE) {
      const item = cur.nested[cur.at];
      if (item === undefined) return { state: { ...state, childChanges: { ...cur, stage: "read", at: 0 } } };
      const { body } = await client.request<V3List>("GET", "v3", owner.path, {
        query: { [owner.idParam]: item, include_fields: owner.field },
      });
      const ids = (body?.data ?? []).map((r) => String(r[owner.field]));
      return {
        state: withCalls({
          ...state,
          childChanges: { ...cur, at: cur.at + 1, ids: [...new Set([...cur.ids, ...ids])] },
        }),
      };
    }
    // Many items: the owner list once, page by page (250 items a call), keeping the ones asked for.
    const limit = 250;
    const { body } = await client.request<V3List>("GET", "v3", owner.path, {
      query: { include_fields: `id,${owner.field}`, limit, page: cur.at + 1 },
    });
    const wanted = new Set(cur.nested);
    const rows = body?.data ?? [];
    const ids = rows.filter((r) => wanted.has(String(r.id))).map((r) => String(r[owner.field]));
    const merged = [...new Set([...cur.ids, ...ids])];
    const next: ChildChangesCursor = hasMore(body, rows.length, limit)
      ? { ...cur, at: cur.at + 1, ids: merged }
      : { ...cur, stage: "read", at: 0, ids: merged };
    return { state: withCalls({ ...state, childChanges: next }) };
  }

  // Read: the records again, with all their children, as the listing would have given them.
  const perStep = type.list.byIds ? type.list.pageSize : SINGLE_READS_PER_STEP;
  const chunk = cur.ids.slice(cur.at, cur.at + perStep);
  if (chunk.length === 0) {
    return { state: { ...state, phase: "list", cursor: null, childChanges: undefined } };
  }
  const records = [...(await readRecords(client, type, chunk)).values()].filter(
    (r): r is ApiRecord => r !== null,
  );
  // A record gone meanwhile is left to the type's own deletion detection.
  const { entries, result } = await ctx.vault.prepare(
    {
      storeHash: ctx.storeHash,
      type: key,
      backupId: state.backupId,
      source: "backup",
      capturedAt: ctx.now(),
    },
    toCaptured(type, records),
  );
  const p = state.progress[key];
  const next: BackupState = {
    ...state,
    childChanges: { ...cur, at: cur.at + chunk.length },
    progress: {
      ...state.progress,
      [key]: {
        ...p,
        done: p.done + records.length,
        versions: p.versions + result.versions,
        unchanged: p.unchanged + result.unchanged,
        bytes: p.bytes + result.bytes,
      },
    },
  };
  return { state: withCalls(next), commit: () => ctx.vault.commit(entries) };
}
