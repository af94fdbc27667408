import { BigCommerceError } from "../bigcommerce/client";
import { restoreOrder } from "../bigcommerce/registry";
import type { JobContext, JobKind } from "../jobs/job-kinds";
import { bulkStep } from "./bulk-step";
import { applyItem, bigCommerceMessage, type ItemOutcome, planItem, RestoreInputError } from "./engine";
import { notifyRestoreFinished } from "./notify-finished";
import { finishRestore, getRestore, nextPendingItem, recordOutcome } from "./restore-log";

export type RestoreParams = { restoreId: string };
export type RestoreState = {
  restoreId: string;
  types: string[];
  total: number;
  done: number;
  errors: number;
  /** Bulk recovery (and the undo and retries of one): many records per step, see bulk-step.ts. */
  batched?: boolean;
  /** Set when a cancel request stopped a batched restore between batches. */
  cancelled?: boolean;
};

/** Calls a record's restore takes on average (plan read, snapshot, write, verify): the ETA's estimate. */
const CALLS_PER_ITEM = 5;
/**
 * The same for a batched restore (reads of 250, writes of 10, children in store-wide lists): 10,000
 * products of rs-10k took 1,986 calls (docs/BENCHMARKS.md), ≈ 0.2 per record; 0.25 leaves room for
 * stores with more modifiers.
 */
const BATCHED_CALLS_PER_ITEM = 0.25;

/**
 * The "restore" job kind: runs a restore's pending items one per step, in the registry's dependency
 * order, through the restore engine. Single-record restores, bulk recovery and undo all run here, in
 * the store's Durable Object, so a restore never overlaps a backup or another restore of the store.
 * A step interrupted by eviction leaves its item pending and it is planned again from the live store.
 */
export const restoreJob: JobKind<RestoreParams, RestoreState> = {
  kind: "restore",

  async start(ctx, params) {
    const found = await getRestore(ctx.env, ctx.storeHash, params.restoreId);
    if (!found) throw new RestoreInputError(`Restore ${params.restoreId} does not exist for this store`);
    // Counted in SQL: getRestore lists at most 500 items, and a restore resumed after a cancel or
    // retried may have many more left.
    const pending =
      (
        await ctx.env.DB.prepare(
          "select count(*) as n from restore_items where restore_id = ? and status = 'pending'",
        )
          .bind(params.restoreId)
          .first<{ n: number }>()
      )?.n ?? 0;
    return {
      restoreId: params.restoreId,
      types: restoreOrder(found.restore.types),
      total: found.restore.totalCount,
      done: found.restore.totalCount - pending,
      errors: 0,
      batched: found.restore.kind === "bulk" || Boolean(found.restore.options?.batched),
    };
  },

  async step(ctx: JobContext, state) {
    if (state.batched) return bulkStep(ctx, state);
    const row = await nextPendingItem(ctx.env, state.restoreId, state.types);
    if (!row) return { state, done: true };
    const engine = {
      env: ctx.env,
      storeHash: ctx.storeHash,
      client: await ctx.client(),
      vault: ctx.vault,
      now: ctx.now,
    };
    let outcome: ItemOutcome;
    let displayName = row.displayName;
    try {
      const item = await planItem(engine, {
        type: row.type,
        recordId: row.recordId,
        versionId: row.fromVersionId,
      });
      displayName = item.displayName;
      outcome = await applyItem(engine, item);
    } catch (err) {
      // Refusals are the record's result; anything else (network, 5xx after retries) retries the step.
      const refused =
        err instanceof RestoreInputError ||
        (err instanceof BigCommerceError && err.status >= 400 && err.status < 500 && err.status !== 429);
      if (!refused) throw err;
      outcome = {
        status: "error",
        action: row.action,
        newId: null,
        beforeVersionId: null,
        afterVersionId: null,
        mismatches: [],
        message: `${bigCommerceMessage(err)}. Nothing was changed.`,
      };
    }
    await recordOutcome(
      ctx.env,
      state.restoreId,
      { type: row.type, recordId: row.recordId, displayName },
      outcome,
      ctx.now(),
    );
    return {
      state: { ...state, done: state.done + 1, errors: state.errors + (outcome.status === "error" ? 1 : 0) },
    };
  },

  progress(state) {
    return {
      types: Object.fromEntries(
        state.types.map((t) => [
          t,
          {
            done: state.done,
            total: state.total,
            calls: 0,
            versions: 0,
            deleted: 0,
            unchanged: 0,
            bytes: 0,
            status: state.done >= state.total ? "done" : "running",
          },
        ]),
      ),
      remainingCalls: Math.ceil(
        Math.max(0, state.total - state.done) * (state.batched ? BATCHED_CALLS_PER_ITEM : CALLS_PER_ITEM),
      ),
    };
  },

  async finish(ctx, state, outcome) {
    const status = state.cancelled ? "cancelled" : outcome.status;
    await finishRestore(ctx.env, state.restoreId, status, outcome.error, ctx.now());
    await notifyRestoreFinished(ctx.env, ctx.storeHash, state.restoreId);
  },
};
