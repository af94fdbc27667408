import { DurableObject } from "cloudflare:workers";
import { decryptToken, TokenUnavailableError } from "../auth/token-crypto";
import type { BackupKind, BackupParams } from "../backup/backup-job";
import { toCaptured } from "../backup/capture";
import { readRecords } from "../backup/read-records";
import { pruneVersions, reclaimPacks } from "../backup/retention";
import { VaultWriter } from "../backup/vault-writer";
import { registerWebhooks } from "../backup/webhooks";
import { type ApiRecord, BigCommerceClient, BigCommerceError } from "../bigcommerce/client";
import { QuotaPacer, realClock } from "../bigcommerce/pacer";
import { getType, typeKeySchema } from "../bigcommerce/registry";
import { pruneImageFiles } from "../images/retention";
import { conflict, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import type { AnyJobKind, JobContext, JobProgress } from "./job-kinds";
import { jobKinds } from "./kinds";

/** Job params as the status shows them (kinds cast to their own param type). */
export type JobParams = Record<string, string | number | boolean | null | string[] | number[]> | null;

export type StartResult =
  | { started: true; jobId: string }
  | { started: false; code: "job_running"; runningJobId: string; message: string };

/** The 409 a route answers when the store already runs a job. */
export const jobRunningError = (message: string) => conflict(message, "job_running");

export type JobStatus = {
  id: string;
  kind: string;
  status: "running" | "done" | "failed" | "cancelled";
  params: JobParams;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: string | null;
  progress: JobProgress;
  /** Calls made by this job so far. */
  calls: number;
  /** Milliseconds left at the store's paced rate (null until the quota is known). */
  etaMs: number | null;
  /** Backups: the D1 backups row. */
  backupId: string | null;
};

/** An alarm slice stops starting new steps after this long (alarms get 15 min wall; stay well under). */
const SLICE_MS = 25_000;
/** Retention (prune + pack reclaim) runs at most this often. */
const PRUNE_EVERY_MS = 20 * 3_600_000;
/** A failing step is retried this many times (with back-off) before the job fails. */
const MAX_STEP_FAILURES = 5;

type JobRow = {
  id: string;
  kind: string;
  status: JobStatus["status"];
  params: string;
  state: string;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  error: string | null;
  failures: number;
  calls: number;
};

/**
 * One per store (named by store hash). Serializes the store's backup, restore and export jobs,
 * paces every BigCommerce call of the store against its quota (one QuotaPacer shared by all work
 * of the store), and carries long jobs across invocations with alarms: the job's state is saved in
 * this object's SQLite after every step, so eviction or a repeated alarm resumes where it stopped.
 */
export class StoreJobs extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly vault: VaultWriter;
  private readonly pacer = new QuotaPacer(realClock);
  private storeHash: string | null = null;
  private client: BigCommerceClient | null = null;
  private slice: Promise<void> | null = null;
  /**
   * Webhook captures run one at a time: concurrent queue batches of one store would otherwise hold
   * their listings (up to 250 records each) in this object's 128 MB together.
   */
  private captures: Promise<unknown> = Promise.resolve();
  /** The job a `cancel()` is stopping: its slice ends after the step in flight instead of going on. */
  private stopAfterStep: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.vault = new VaultWriter(this.sql, env);
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`create table if not exists jobs (
        id text primary key, kind text not null, status text not null, params text not null, state text not null,
        started_at integer not null, updated_at integer not null, finished_at integer, error text,
        failures integer not null default 0, calls integer not null default 0)`);
      this.sql.exec("create table if not exists meta (key text primary key, value text not null)");
      const row = this.sql.exec("select value from meta where key = 'store_hash'").toArray()[0];
      this.storeHash = row ? String(row.value) : (ctx.id.name ?? null);
      if (this.storeHash) this.bind(this.storeHash);
      await this.ensureAlarm();
    });
  }

  /** Names the object's store. Called by `storeJobs()` users that know the hash; the id's name also carries it. */
  private bind(storeHash: string) {
    this.storeHash = storeHash;
    this.sql.exec("insert or ignore into meta (key, value) values ('store_hash', ?)", storeHash);
    this.vault.bindStore(storeHash);
  }

  private requireStore(): string {
    if (!this.storeHash) throw new Error("StoreJobs must be addressed with idFromName(storeHash)");
    return this.storeHash;
  }

  // ---- RPC -------------------------------------------------------------------------------------

  /**
   * "Backup all data" (manual), a scheduled backup (incremental where the API allows) or a
   * subset of types. Refused with `job_running` (409) while another job of the store runs.
   */
  async startBackup(
    opts: { kind?: BackupKind; types?: string[] } = {},
  ): Promise<StartResult & { backupId?: string }> {
    const types = opts.types?.map((t) => typeKeySchema.parse(t));
    const params: BackupParams = { backupKind: opts.kind ?? "manual", types };
    const started = await this.startJob("backup", params);
    if (!started.started) return started;
    const state = JSON.parse(this.jobRow(started.jobId)?.state ?? "{}") as { backupId?: string };
    return { ...started, backupId: state.backupId };
  }

  /**
   * Starts a job of any registered kind (restore and export call this with their kind). A store
   * runs one job at a time: while one runs, the answer is `{ started: false, code: "job_running" }`
   * (routes answer 409 with `jobRunningError()`).
   */
  async startJob(kind: string, params: unknown): Promise<StartResult> {
    const storeHash = this.requireStore();
    const jobKind = jobKinds[kind];
    if (!jobKind) throw new Error(`No job kind "${kind}"`);
    const running = this.currentRow();
    if (running) {
      return {
        started: false,
        code: "job_running",
        runningJobId: running.id,
        message: `A ${running.kind} is already running for this store; wait for it to finish.`,
      };
    }
    const jobId = newId();
    const now = Date.now();
    // Reserve the slot before the first await so a concurrent start is refused.
    this.sql.exec(
      "insert into jobs (id, kind, status, params, state, started_at, updated_at) values (?, ?, 'running', ?, 'null', ?, ?)",
      jobId,
      kind,
      JSON.stringify(params ?? null),
      now,
      now,
    );
    try {
      const state = await jobKind.start(this.jobContext(storeHash, jobId), params);
      this.sql.exec(
        "update jobs set state = ?, updated_at = ? where id = ?",
        JSON.stringify(state),
        Date.now(),
        jobId,
      );
    } catch (err) {
      this.sql.exec("delete from jobs where id = ?", jobId);
      throw err;
    }
    await this.ctx.storage.setAlarm(Date.now());
    return { started: true, jobId };
  }

  /**
   * A running job always has an alarm pending. An alarm lost with an eviction mid-slice (or a
   * deploy) would leave the job stuck, so loading the object and reading its status re-arm it.
   */
  private async ensureAlarm() {
    if (!this.currentRow() && this.vault.pendingEntries() === 0) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 1_000);
  }

  /** The running job, else the most recent one; null when the store never ran a job. */
  async status(): Promise<JobStatus | null> {
    await this.ensureAlarm();
    const row =
      this.currentRow() ?? this.sql.exec("select * from jobs order by started_at desc limit 1").toArray()[0];
    return row ? this.toStatus(row as unknown as JobRow) : null;
  }

  /** The running job only. */
  async currentJob(): Promise<JobStatus | null> {
    const row = this.currentRow();
    return row ? this.toStatus(row) : null;
  }

  async cancel(jobId: string, reason?: string): Promise<boolean> {
    const row = this.jobRow(jobId);
    if (!row || row.status !== "running") return false;
    if (this.slice) {
      // A step in flight may already have written to the store: let it record what it did (a
      // restore item marked done), then stop. The slice ends after that step, whatever it returns.
      this.stopAfterStep = jobId;
      try {
        await this.slice;
      } finally {
        this.stopAfterStep = null;
      }
    }
    const latest = this.jobRow(jobId);
    if (latest?.status !== "running") return latest?.status === "cancelled";
    await this.finishJob(latest, { status: "cancelled", ...(reason ? { error: reason } : {}) });
    return true;
  }

  /**
   * Webhook path: fetch these records now (through the pacer) and record a version of each that
   * changed; a record BigCommerce no longer has gets a deleted version. Flushed before returning
   * unless a job is running (the job's next flush writes them within seconds). `changedSince`: no
   * record changed before then (the batch's earliest event), so a type without an ids filter may be
   * listed by modification date instead of read one by one.
   */
  async captureRecords(
    type: string,
    ids: string[],
    changedSince?: number,
  ): Promise<{ versions: number; deleted: number; unchanged: number }> {
    const run = this.captures.then(() => this.capture(type, ids, changedSince));
    this.captures = run.catch(() => undefined);
    return run;
  }

  private async capture(
    type: string,
    ids: string[],
    changedSince?: number,
  ): Promise<{ versions: number; deleted: number; unchanged: number }> {
    const storeHash = this.requireStore();
    const t = getType(typeKeySchema.parse(type));
    const client = await this.getClient();
    const found = await readRecords(client, t, ids, { changedSince });
    const existing = await this.env.DB.prepare(
      "select record_id, display_name, search_text from records where store_hash = ? and type = ? and record_id in (select value from json_each(?))",
    )
      .bind(storeHash, t.key, JSON.stringify(ids))
      .all<{ record_id: string; display_name: string; search_text: string }>();
    const names = new Map(existing.results.map((r) => [r.record_id, r]));
    const captured = [...found].map(([id, record]) => {
      if (record) {
        const parentId = t.parent ? id.slice(0, id.indexOf(":")) : undefined;
        return toCaptured(t, [record], parentId)[0];
      }
      const n = names.get(id);
      return {
        recordId: id,
        body: null,
        displayName: n?.display_name ?? id,
        searchText: n?.search_text ?? id.toLowerCase(),
      };
    });
    const { entries, result } = await this.vault.prepare(
      { storeHash, type: t.key, backupId: null, source: "webhook", capturedAt: Date.now() },
      captured,
    );
    this.ctx.storage.transactionSync(() => this.vault.commit(entries));
    if (!this.currentRow()) await this.vault.flush();
    return { versions: result.versions, deleted: result.deleted, unchanged: result.unchanged };
  }

  /** The record as it is in the store right now (with its children), through the store's pacer. */
  async fetchLive(type: string, id: string): Promise<ApiRecord | null> {
    const t = getType(typeKeySchema.parse(type));
    let record: ApiRecord | null;
    try {
      record = await (await this.getClient()).getRecord(t, id);
    } catch (err) {
      // Errors cross RPC as plain Errors: carry a refused token as the one sentence callers recognise.
      const refused = accessRevoked(err);
      throw refused ? new Error(refused) : err;
    }
    if (!record) return null;
    return toCaptured(t, [record], t.parent ? id.slice(0, id.indexOf(":")) : undefined)[0].body as ApiRecord;
  }

  /** Registers (or removes, when auto sync is off) the store's webhooks. */
  async syncWebhooks(enabled: boolean): Promise<{ created: number; removed: number }> {
    return registerWebhooks(this.env, this.requireStore(), await this.getClient(), enabled, this.sql);
  }

  /**
   * Retention: prunes versions older than the store's retention window (keeping each record's
   * latest) and reclaims pack space (see `backup/retention.ts`). Runs with the object's input
   * closed so no capture can point a new version into a pack being rewritten. Skipped while a job runs.
   */
  async pruneVault(now = Date.now()): Promise<{
    skipped?: "job_running";
    versionsDeleted: number;
    packsDeleted: number;
    packsCompacted: number;
    bytesFreed: number;
  }> {
    const storeHash = this.requireStore();
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.currentRow())
        return {
          skipped: "job_running" as const,
          versionsDeleted: 0,
          packsDeleted: 0,
          packsCompacted: 0,
          bytesFreed: 0,
        };
      await this.vault.flush();
      const pruned = await pruneVersions(this.env, storeHash, now);
      const packs = await reclaimPacks(this.env, storeHash);
      await pruneImageFiles(this.env, storeHash);
      this.sql.exec(
        "insert into meta (key, value) values ('last_prune', ?) on conflict (key) do update set value = excluded.value",
        String(now),
      );
      return {
        versionsDeleted: pruned.deleted,
        packsDeleted: packs.deleted,
        packsCompacted: packs.compacted,
        bytesFreed: packs.bytesFreed,
      };
    });
  }

  /** Writes any versions still in the open pack (tests and shutdown paths). */
  async flushVault(): Promise<{ packs: number; versions: number }> {
    return this.vault.flush();
  }

  /** The pacer's view of the store's quota (calls, 429s, time waited). */
  async quota() {
    return this.pacer.snapshot();
  }

  // ---- job runner ------------------------------------------------------------------------------

  /** Drops everything the object keeps (jobs, cursors, pacer state): the store's data is being purged. */
  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // Reset the live instance too: the next call constructs a fresh, empty object. The caller sees
    // this RPC reject with the abort reason.
    this.ctx.abort("store purged");
  }

  override async alarm(): Promise<void> {
    // Alarms and RPCs may overlap: one slice at a time.
    if (this.slice) return this.slice;
    this.slice = this.runSlice().finally(() => {
      this.slice = null;
    });
    return this.slice;
  }

  private async runSlice(): Promise<void> {
    const row = this.currentRow();
    if (!row) {
      // Webhook captures left in the open pack while a job ran, or after a crash.
      if (this.vault.pendingEntries() > 0) await this.vault.flush();
      return;
    }
    const storeHash = this.requireStore();
    const kind = jobKinds[row.kind];
    const ctx = this.jobContext(storeHash, row.id);
    const deadline = Date.now() + SLICE_MS;
    let state = JSON.parse(row.state);
    let done = false;
    try {
      if (state === null) {
        // The object was evicted inside startJob's `start()`: the slot is reserved but no state was
        // saved. Start again; every kind's start may run twice (the backup's fails its orphan row).
        state = await kind.start(ctx, JSON.parse(row.params));
        this.sql.exec(
          "update jobs set state = ?, updated_at = ? where id = ?",
          JSON.stringify(state),
          Date.now(),
          row.id,
        );
      }
      while (Date.now() < deadline) {
        const current = this.jobRow(row.id);
        if (!current || current.status !== "running") return;
        const client = await this.getClient();
        const before = client.calls;
        const result = await kind.step(ctx, state);
        const calls = client.calls - before;
        state = result.state;
        done = Boolean(result.done);
        this.ctx.storage.transactionSync(() => {
          result.commit?.();
          this.sql.exec(
            "update jobs set state = ?, updated_at = ?, failures = 0, calls = calls + ? where id = ?",
            JSON.stringify(state),
            Date.now(),
            calls,
            row.id,
          );
        });
        if (this.vault.shouldFlush()) this.vault.flushInBackground();
        if (done) break;
        if (this.stopAfterStep === row.id) {
          await this.vault.flush();
          return;
        }
      }
      await this.vault.flush();
      if (done) {
        const latest = this.jobRow(row.id);
        if (latest) await this.finishJob(latest, { status: "done" });
        await this.pruneIfDue();
        return;
      }
      await this.ctx.storage.setAlarm(Date.now());
    } catch (err) {
      // The cancel that is waiting for this step finishes the job with its own reason.
      if (this.stopAfterStep === row.id) return;
      const failures = (this.jobRow(row.id)?.failures ?? 0) + 1;
      const message = err instanceof Error ? err.message : String(err);
      console.error(`job ${row.id} (${row.kind}) step failed (${failures}/${MAX_STEP_FAILURES}): ${message}`);
      this.sql.exec(
        "update jobs set failures = ?, error = ?, updated_at = ? where id = ?",
        failures,
        message,
        Date.now(),
        row.id,
      );
      // A refused token will not come back by retrying: stop now and say why in the merchant's words.
      const refused = accessRevoked(err);
      if (failures >= MAX_STEP_FAILURES || refused) {
        const latest = this.jobRow(row.id);
        if (latest) await this.finishJob(latest, { status: "failed", error: refused ?? message });
        return;
      }
      await this.ctx.storage.setAlarm(Date.now() + 2 * this.retryBaseMs * 2 ** (failures - 1));
    }
  }

  /** Retention runs at most once a day, after a job (the vault is flushed and quiet then). */
  private async pruneIfDue() {
    const last = Number(
      this.sql.exec("select value from meta where key = 'last_prune'").toArray()[0]?.value ?? 0,
    );
    if (Date.now() - last < PRUNE_EVERY_MS) return;
    try {
      await this.pruneVault();
    } catch (err) {
      console.error("vault retention failed", err);
    }
  }

  private async finishJob(row: JobRow, outcome: { status: "done" | "failed" | "cancelled"; error?: string }) {
    const kind = jobKinds[row.kind];
    const storeHash = this.requireStore();
    // Mark first: a crash in finish() must not leave the store locked by a job that is over.
    this.sql.exec(
      "update jobs set status = ?, finished_at = ?, error = ?, updated_at = ? where id = ?",
      outcome.status,
      Date.now(),
      outcome.error ?? null,
      Date.now(),
      row.id,
    );
    try {
      await this.vault.flush();
      await kind?.finish?.(this.jobContext(storeHash, row.id), JSON.parse(row.state), outcome);
    } catch (err) {
      console.error(`job ${row.id} finish failed`, err);
    }
    // Keep the last 20 jobs for status().
    this.sql.exec("delete from jobs where id not in (select id from jobs order by started_at desc limit 20)");
  }

  private jobContext(storeHash: string, jobId: string): JobContext {
    return {
      env: this.env,
      storeHash,
      jobId,
      sql: this.sql,
      client: () => this.getClient(),
      vault: this.vault,
      now: () => Date.now(),
    };
  }

  /** The store's client; its token is decrypted once per object lifetime, its pacer shared by everything here. */
  private async getClient(): Promise<BigCommerceClient> {
    if (this.client) return this.client;
    const storeHash = this.requireStore();
    const store = await this.env.DB.prepare(
      "select hash, status, token_ciphertext, token_iv, token_key_id, quota_reserve_pct from stores where hash = ?",
    )
      .bind(storeHash)
      .first<{
        hash: string;
        status: string;
        token_ciphertext: string | null;
        token_iv: string | null;
        token_key_id: string | null;
        quota_reserve_pct: number;
      }>();
    if (!store) throw notFound(`Store ${storeHash} is not installed`);
    const token = await decryptToken(this.env, {
      hash: store.hash,
      tokenCiphertext: store.token_ciphertext,
      tokenIv: store.token_iv,
      tokenKeyId: store.token_key_id,
    });
    this.pacer.reservePct = store.quota_reserve_pct;
    this.pacer.overloadBaseMs = 2 * this.retryBaseMs;
    this.client = new BigCommerceClient({
      baseUrl: this.env.BC_API_URL,
      storeHash,
      token,
      pacer: this.pacer,
      retryBaseMs: this.retryBaseMs,
    });
    return this.client;
  }

  /**
   * The first wait after a failed call (doubling per attempt); a failed step and a 429 without rate
   * headers wait twice that. 500 ms; tests shorten it with the RETRY_BASE_MS binding.
   */
  private get retryBaseMs(): number {
    return Number((this.env as { RETRY_BASE_MS?: string }).RETRY_BASE_MS) || 500;
  }

  private currentRow(): JobRow | undefined {
    return this.sql.exec("select * from jobs where status = 'running' limit 1").toArray()[0] as unknown as
      | JobRow
      | undefined;
  }

  private jobRow(id: string): JobRow | undefined {
    return this.sql.exec("select * from jobs where id = ?", id).toArray()[0] as unknown as JobRow | undefined;
  }

  private toStatus(row: JobRow): JobStatus {
    const kind: AnyJobKind | undefined = jobKinds[row.kind];
    const state = JSON.parse(row.state);
    const progress: JobProgress = state && kind ? kind.progress(state) : { types: {}, remainingCalls: 0 };
    const rate = this.pacer.rate();
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      params: JSON.parse(row.params),
      startedAt: row.started_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
      error: row.error,
      progress,
      calls: row.calls,
      etaMs:
        row.status === "running" && rate
          ? Math.round(progress.remainingCalls / rate)
          : row.status === "running"
            ? null
            : 0,
      backupId: (state as { backupId?: string } | null)?.backupId ?? null,
    };
  }
}

export const ACCESS_REVOKED =
  "BigCommerce no longer accepts Strongbox's access to this store: the app was uninstalled or its access changed. Open Strongbox again from the control panel to reconnect.";

/** The merchant-facing reason when BigCommerce no longer accepts the app's access to the store. */
export function accessRevoked(err: unknown): string | null {
  const refused =
    (err instanceof BigCommerceError && err.status === 401) ||
    err instanceof TokenUnavailableError ||
    // Errors cross Durable Object RPC as plain Errors carrying the message.
    (err instanceof Error && err.message.includes(ACCESS_REVOKED));
  return refused ? ACCESS_REVOKED : null;
}
