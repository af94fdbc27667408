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
};

type DatedChild = Extract<ChildSpec, { fetch: "by_resource_ids" | "by_nested_ids" }> & {
  changedSince: ChildChanges;
};

/** Nested items traced one call each up to this many; beyond it the owner list is read page by page. */
const TRACE_ONE_BY_ONE = 50;
/** Records without an `id:in` list filter are read one by one, this many per step. */
const SINGLE_READS_PER_STEP = 10;

export const datedChildren = (type: ContentType): DatedChild[] =>
  (type.children ?? []).filter(
    (c): c is DatedChild =>
      (c.fetch === "by_resource_ids" || c.fetch === "by_nested_ids") && Boolean(c.changedSince),
  );

/** Whether this run starts the type with the child-changes phase: it lists only changes, and has dated children. */
export const listsChildChanges = (type: ContentType, state: BackupState): boolean =>
  state.since[type.key] != null && datedChildren(type).length > 0;

const isoDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const hasMore = (body: V3List | null, got: number, limit: number) => {
  const p = body?.meta?.pagination;
  return p ? p.current_page < p.total_pages : got >= limit;
};

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
      const stage = cur.nested.length ? "map" : "read";
      return { state: { ...state, childChanges: { ...cur, stage, at: 0 } } };
    }
    const nextChild = { ...cur, child: cur.child + 1, page: 1 };
    // On a store with automatic sync, healthy hooks announced these changes already (this run
    // trusted hooks for some type only if the check at its start succeeded).
    const hooksTrusted = Object.keys(state.byWebhook ?? {}).length > 0;
    if (hooksTrusted && hooksCoverSince(ctx.sql, child.changedSince.hooks, since)) {
      return { state: { ...state, childChanges: nextChild } };
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
    const found = (body?.data ?? []).map((m) => String(m.resource_id));
    const into = child.fetch === "by_nested_ids" ? "nested" : "ids";
    const merged = { ...cur, [into]: [...new Set([...cur[into], ...found])] };
    const more = hasMore(body, found.length, child.pageSize);
    return {
      state: withCalls({
        ...state,
        childChanges: more ? { ...merged, page: cur.page + 1 } : { ...merged, child: cur.child + 1, page: 1 },
      }),
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
