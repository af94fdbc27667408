import type { LocatedVersion } from "../backup/vault-read";
import type { ApiRecord } from "../bigcommerce/client";
import { getType, restoreOrder } from "../bigcommerce/registry";
import type { JobContext, StepResult } from "../jobs/job-kinds";
import { applyItems, isRefusal, planChunk, planItems } from "./batch";
import { bigCommerceMessage, type ItemOutcome, type PlannedItem, type RestoreContext } from "./engine";
import { readBodies } from "./vault-bodies";
import { mismatches } from "./write-record";

/**
 * The batched step of the "restore" job (bulk recovery, its undo and retries): the next pending
 * records of the first type in dependency order, as many as one read plans (`planChunk`: 250 when
 * the type lists by id), planned with one read and written by `applyItems` in the type's batch size.
 * Each write batch's results are recorded as soon as it is known, and a cancel request is honoured
 * between write batches. A step stops starting writes past `STEP_CALLS`, so it stays well inside an
 * alarm's wall time at any quota; the records it left are planned again by the next step, which
 * reads no more of them than this one managed to write. A step interrupted after writing is planned
 * again from the live store, and the before-restore version noted before the write keeps undo correct.
 */

/**
 * Calls after which a step starts no more writes: ≈ 50 s at BigCommerce's Standard quota with the
 * 20% reserve (120 calls per 30 s), far inside the 15 minutes an alarm may run.
 */
export const STEP_CALLS = 200;

export type BulkStepState = {
  restoreId: string;
  types: string[];
  done: number;
  errors: number;
  cancelled?: boolean;
  /** Records the next step plans, when the last step ran out of calls before writing all it planned. */
  planSize?: number;
};

type PendingRow = {
  type: string;
  record_id: string;
  display_name: string;
  from_version_id: number | null;
  before_version_id: number | null;
  action: PlannedItem["action"];
};

const cancelRequested = async (db: D1Database, restoreId: string) =>
  Boolean(
    (
      await db
        .prepare("select json_extract(options, '$.cancelRequested') as cancel from restores where id = ?")
        .bind(restoreId)
        .first<{ cancel: number | null }>()
    )?.cancel,
  );

export async function bulkStep<S extends BulkStepState>(ctx: JobContext, state: S): Promise<StepResult<S>> {
  const db = ctx.env.DB;
  if (await cancelRequested(db, state.restoreId)) return { state: { ...state, cancelled: true }, done: true };

  const order = restoreOrder(state.types);
  const rank = `case type ${order.map((t, i) => `when '${t.replace(/'/g, "")}' then ${i}`).join(" ")} else ${order.length} end`;
  const first = await db
    .prepare(
      `select type from restore_items where restore_id = ? and status = 'pending' order by ${rank} limit 1`,
    )
    .bind(state.restoreId)
    .first<{ type: string }>();
  if (!first) return { state, done: true };
  const size = Math.min(planChunk(getType(first.type)), state.planSize ?? Number.POSITIVE_INFINITY);
  const { results: rows } = await db
    .prepare(
      `select type, record_id, display_name, from_version_id, before_version_id, action from restore_items
       where restore_id = ? and type = ? and status = 'pending' order by record_id limit ${size}`,
    )
    .bind(state.restoreId, first.type)
    .all<PendingRow>();

  const engine: RestoreContext = {
    env: ctx.env,
    storeHash: ctx.storeHash,
    client: await ctx.client(),
    vault: ctx.vault,
    now: ctx.now,
  };
  const rowOf = new Map(rows.map((r) => [r.record_id, r]));
  let planned: PlannedItem[];
  try {
    planned = await planItems(
      engine,
      rows.map((r) => ({ type: r.type, recordId: r.record_id, versionId: r.from_version_id })),
    );
  } catch (err) {
    if (!isRefusal(err)) throw err;
    const message = `${bigCommerceMessage(err)}. Nothing was changed.`;
    await recordOutcomes(
      ctx,
      state.restoreId,
      rows.map((r) => ({
        item: { type: r.type, recordId: r.record_id, displayName: r.display_name },
        outcome: failed(r.action, message),
      })),
    );
    return { state: await counted(db, { ...state, planSize: undefined }) };
  }

  const finished = [
    ...(await alreadyRestored(planned, rowOf)),
    ...(await relinkedEarlier(
      engine,
      planned.filter((p) => p.action === "unchanged" && p.conflicts.length === 0 && p.live && p.liveId),
      rowOf,
    )),
  ];
  const recreatedHere = await recreatedByThisRestore(db, ctx.storeHash, state.restoreId, planned);
  await recordOutcomes(
    ctx,
    state.restoreId,
    finished.map((r) => asRecreated(r, recreatedHere)),
  );
  const startCalls = engine.client.calls;
  let recorded = finished.length;
  let outOfCalls = false;
  let cancelled = false;
  await applyItems(
    engine,
    planned.filter((p) => !finished.some((f) => f.item === p)),
    {
      onSnapshot: async (saved) => {
        await db
          .prepare(
            `update restore_items set before_version_id = coalesce(restore_items.before_version_id, s.before), action = s.action
             from (select json_extract(value, '$.type') as type, json_extract(value, '$.id') as id,
                          json_extract(value, '$.before') as before, json_extract(value, '$.action') as action
                   from json_each(?2)) as s
             where restore_items.restore_id = ?1 and restore_items.type = s.type and restore_items.record_id = s.id`,
          )
          .bind(
            state.restoreId,
            JSON.stringify(
              saved.map(({ item, beforeVersionId }) => ({
                type: item.type,
                id: item.recordId,
                before: beforeVersionId,
                action: item.action,
              })),
            ),
          )
          .run();
      },
      onOutcomes: async (results) => {
        recorded += results.length;
        await recordOutcomes(
          ctx,
          state.restoreId,
          results.map((r) => asRecreated(r, recreatedHere)),
        );
      },
      shouldStop: async () => {
        outOfCalls = engine.client.calls - startCalls >= STEP_CALLS;
        cancelled = !outOfCalls && (await cancelRequested(db, state.restoreId));
        return outOfCalls || cancelled;
      },
    },
  );
  if (cancelled) return { state: { ...(await counted(db, state)), cancelled: true }, done: true };
  // Out of calls: the next step plans only as many as this one finished, so its read is not wasted;
  // a step that finished all it planned lets the next plan twice as many, up to `planChunk`.
  const planSize = outOfCalls
    ? Math.max(10, recorded)
    : state.planSize && state.planSize * 2 < planChunk(getType(first.type))
      ? state.planSize * 2
      : undefined;
  return { state: await counted(db, { ...state, planSize }) };
}

/** The job's own progress (status and ETA of the store's job runner) from the records' results. */
async function counted<S extends BulkStepState>(db: D1Database, state: S): Promise<S> {
  const row = await db
    .prepare(
      "select sum(status != 'pending') as done, sum(status = 'error') as errors from restore_items where restore_id = ?",
    )
    .bind(state.restoreId)
    .first<{ done: number | null; errors: number | null }>();
  return { ...state, done: Number(row?.done ?? 0), errors: Number(row?.errors ?? 0) };
}

type Result = { item: PlannedItem; outcome: ItemOutcome };

/**
 * Planned records found under a new id that this restore itself gave them (the id map's entry is
 * younger than the restore): an attempt of a step re-created them and stopped before recording it.
 */
async function recreatedByThisRestore(
  db: D1Database,
  storeHash: string,
  restoreId: string,
  planned: PlannedItem[],
): Promise<Set<string>> {
  const remapped = planned.filter((p) => p.liveId && p.liveId !== p.recordId);
  if (remapped.length === 0) return new Set();
  const { results } = await db
    .prepare(
      `select old_id from id_map where store_hash = ?1 and type = ?2
         and old_id in (select value from json_each(?3))
         and created_at >= (select created_at from restores where id = ?4)`,
    )
    .bind(storeHash, remapped[0].type, JSON.stringify(remapped.map((p) => p.recordId)), restoreId)
    .all<{ old_id: string }>();
  return new Set(results.map((r) => r.old_id));
}

/**
 * A record re-created by an attempt of this step that stopped before recording it is found again,
 * under its new id, as an update or as unchanged: the merchant's item list still says it was
 * re-created, with the new id.
 */
function asRecreated(result: Result, recreatedHere: Set<string>): Result {
  const { outcome, item } = result;
  if (!recreatedHere.has(item.recordId) || outcome.status !== "done" || outcome.action === "create")
    return result;
  const newId = item.liveId && item.liveId !== item.recordId ? item.liveId : outcome.newId;
  return {
    item,
    outcome: {
      ...outcome,
      action: "create",
      newId,
      message: [
        `Re-created${newId ? ` with the new id ${newId}` : ""}.`,
        ...outcome.message.split(". ").slice(1),
      ]
        .filter(Boolean)
        .join(" "),
    },
  };
}

/** Already brought to the version by an attempt of this step that stopped before recording it. */
async function alreadyRestored(planned: PlannedItem[], rowOf: Map<string, PendingRow>): Promise<Result[]> {
  return planned
    .filter(
      (p) => p.action === "unchanged" && p.conflicts.length === 0 && rowOf.get(p.recordId)?.before_version_id,
    )
    .map((item) => {
      const row = rowOf.get(item.recordId) as PendingRow;
      return {
        item,
        outcome: {
          status: "done",
          action: row.action,
          newId: null,
          beforeVersionId: row.before_version_id,
          afterVersionId: null,
          mismatches: [],
          message: "Restored.",
        },
      };
    });
}

/**
 * Records that match the version only because an earlier part of this restore re-created a record
 * they point to and relinked them (a category's products): the restore did change them, and their
 * state before it is the vault's latest version of them, which undo goes back to.
 */
async function relinkedEarlier(
  ctx: RestoreContext,
  unchanged: PlannedItem[],
  rowOf: Map<string, PendingRow>,
): Promise<Result[]> {
  const candidates = unchanged.filter((p) => !rowOf.get(p.recordId)?.before_version_id);
  if (candidates.length === 0) return [];
  const type = getType(candidates[0].type);
  const { results } = await ctx.env.DB.prepare(
    `select id, store_hash as storeHash, record_id as recordId, change, pack_id as packId, "offset", length,
            body_offset as bodyOffset, size from (
       select *, row_number() over (partition by record_id order by captured_at desc, id desc) as rn
       from versions where store_hash = ? and type = ? and record_id in (select value from json_each(?))
     ) where rn = 1`,
  )
    .bind(ctx.storeHash, type.key, JSON.stringify(candidates.map((p) => p.liveId)))
    .all<LocatedVersion>();
  const bodies = await readBodies(ctx.env, results);
  const latestOf = new Map(results.map((r) => [r.recordId, r.id]));
  const out: Result[] = [];
  for (const item of candidates) {
    const versionId = latestOf.get(item.liveId as string);
    const body = versionId === undefined ? undefined : bodies.get(versionId);
    if (!body || mismatches(type, body, item.live as ApiRecord, true).length === 0) continue;
    out.push({
      item,
      outcome: {
        status: "done",
        action: "update",
        newId: null,
        beforeVersionId: versionId ?? null,
        afterVersionId: null,
        mismatches: [],
        message: "Restored: its references were brought back when a record it points to was re-created.",
      },
    });
  }
  return out;
}

const failed = (action: PlannedItem["action"], message: string): ItemOutcome => ({
  status: "error",
  action,
  newId: null,
  beforeVersionId: null,
  afterVersionId: null,
  mismatches: [],
  message,
});

/** Writes records' results and recounts the restore's successes and errors (retries make counting by increments wrong). */
async function recordOutcomes(
  ctx: JobContext,
  restoreId: string,
  results: { item: Pick<PlannedItem, "type" | "recordId" | "displayName">; outcome: ItemOutcome }[],
) {
  if (results.length === 0) return;
  const db = ctx.env.DB;
  const now = ctx.now();
  // One statement for the whole batch: a step must stay far below D1's 1,000 queries per invocation.
  await db.batch([
    db
      .prepare(
        `update restore_items set action = s.action, status = s.status, display_name = s.name,
           before_version_id = coalesce(restore_items.before_version_id, s.before), new_id = s.new_id,
           message = s.message, finished_at = ?2
         from (select json_extract(value, '$.type') as type, json_extract(value, '$.id') as id,
                      json_extract(value, '$.action') as action, json_extract(value, '$.status') as status,
                      json_extract(value, '$.name') as name, json_extract(value, '$.before') as before,
                      json_extract(value, '$.newId') as new_id, json_extract(value, '$.message') as message
               from json_each(?3)) as s
         where restore_items.restore_id = ?1 and restore_items.type = s.type and restore_items.record_id = s.id`,
      )
      .bind(
        restoreId,
        now,
        JSON.stringify(
          results.map(({ item, outcome }) => ({
            type: item.type,
            id: item.recordId,
            action: outcome.action,
            status: outcome.status,
            name: item.displayName,
            before: outcome.beforeVersionId,
            newId: outcome.newId,
            message: outcome.message.slice(0, 4000),
          })),
        ),
      ),
    db
      .prepare(
        `update restores set
           status = case when status = 'planned' then 'progressing' else status end,
           success_count = (select count(*) from restore_items where restore_id = ?1 and status in ('done', 'skipped')),
           error_count = (select count(*) from restore_items where restore_id = ?1 and status = 'error')
         where id = ?1`,
      )
      .bind(restoreId),
  ]);
}
