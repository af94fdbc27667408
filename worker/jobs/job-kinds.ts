import type { VaultWriter } from "../backup/vault-writer";
import type { BigCommerceClient } from "../bigcommerce/client";

/** What a job step can use: the store's paced client, its vault writer, its Durable Object SQLite. */
export type JobContext = {
  env: Env;
  storeHash: string;
  jobId: string;
  /** The Durable Object's SQLite, for job-private tables (e.g. the ids a backup has seen). */
  sql: SqlStorage;
  client: () => Promise<BigCommerceClient>;
  vault: VaultWriter;
  now: () => number;
};

export type TypeProgress = {
  done: number;
  total: number | null;
  calls: number;
  versions: number;
  deleted: number;
  unchanged: number;
  bytes: number;
  status: "pending" | "running" | "done" | "unavailable";
  /** Why a type was skipped (its endpoint is missing on this store, or the app lacks the scope). */
  note?: string;
};

export type JobProgress = {
  /** Progress per content type (or per unit the kind works in). */
  types: Record<string, TypeProgress>;
  /** The calls the rest of the job still needs, by the registry's cost model: drives the ETA. */
  remainingCalls: number;
  /** A stage past the per-type work that the page names (a backup's image files), when in it. */
  stage?: "images";
};

/**
 * The result of one step. `commit` runs synchronously in the same SQLite transaction that saves
 * the new state, so what a step stages (vault entries, seen ids) and the cursor move together.
 */
export type StepResult<S> = { state: S; done?: boolean; commit?: () => void };

/**
 * A kind of job the store's Durable Object runs one at a time.
 *
 * To add one (restore, export): write `{ kind, start, step, progress, finish? }` and add it to
 * `jobKinds` in `worker/jobs/kinds.ts`. `start` turns params into the first state (JSON);
 * `step` does one bounded unit of work (one API page) and returns the next state. Steps run in
 * alarm slices and may run again after a crash with the last saved state (alarms are at least
 * once), so a step must be idempotent for a given state. `finish` runs once at the end (done,
 * failed or cancelled) to write results elsewhere (D1 rows, emails).
 */
export type JobKind<P = unknown, S = unknown> = {
  kind: string;
  start(ctx: JobContext, params: P): Promise<S>;
  step(ctx: JobContext, state: S): Promise<StepResult<S>>;
  progress(state: S): JobProgress;
  finish?(
    ctx: JobContext,
    state: S,
    outcome: { status: "done" | "failed" | "cancelled"; error?: string },
  ): Promise<void>;
};

// biome-ignore lint/suspicious/noExplicitAny: kinds have their own param/state types; the runner treats them as JSON.
export type AnyJobKind = JobKind<any, any>;
