import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { typeKeySchema } from "../bigcommerce/registry";
import { type JobStatus, jobRunningError } from "../jobs/store-jobs";
import { notFound } from "../lib/errors";
import { requirePlan, typesInPlan } from "../plans/plans";
import { storeJobs } from "./schedule";
import { itemStorage } from "./vault-read";

const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .openapi("Error");

const TypeProgress = z.object({
  done: z.number(),
  total: z.number().nullable(),
  calls: z.number(),
  versions: z.number(),
  deleted: z.number(),
  unchanged: z.number(),
  bytes: z.number(),
  status: z.enum(["pending", "running", "done", "unavailable"]),
  note: z.string().optional(),
});

const Job = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(["running", "done", "failed", "cancelled"]),
    startedAt: z.number(),
    updatedAt: z.number(),
    finishedAt: z.number().nullable(),
    error: z.string().nullable(),
    calls: z.number(),
    etaMs: z.number().nullable(),
    backupId: z.string().nullable(),
    progress: z.object({ types: z.record(z.string(), TypeProgress), remainingCalls: z.number() }),
  })
  .openapi("Job");

const BackupCounts = z.record(
  z.string(),
  z.object({
    items: z.number(),
    versions: z.number(),
    deleted: z.number(),
    calls: z.number(),
    bytes: z.number(),
  }),
);

const Backup = z
  .object({
    id: z.string(),
    kind: z.enum(["manual", "scheduled", "initial", "incremental"]),
    status: z.enum(["queued", "running", "done", "failed", "cancelled"]),
    types: z.array(z.string()),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
    error: z.string().nullable(),
    counts: BackupCounts,
    apiCalls: z.number(),
    versionsWritten: z.number(),
    bytesStored: z.number(),
  })
  .openapi("Backup");

const VaultSummary = z
  .object({
    lastBackup: z
      .object({
        id: z.string(),
        status: z.string(),
        kind: z.string(),
        startedAt: z.number(),
        finishedAt: z.number().nullable(),
      })
      .nullable(),
    lastSuccessfulBackupAt: z.number().nullable(),
    nextBackupAt: z.number().nullable(),
    items: z.number(),
    storageBytes: z.number(),
    autoSync: z.boolean(),
    runningJob: Job.nullable(),
  })
  .openapi("VaultSummary");

const TypeStorage = z
  .object({
    group: z.enum(["store", "content"]),
    type: z.string(),
    label: z.string(),
    items: z.number(),
    bytes: z.number(),
    restoreMode: z.enum(["automatic", "team_assisted"]),
  })
  .openapi("TypeStorage");

const HistoryPoint = z
  .object({
    backupId: z.string(),
    kind: z.string(),
    status: z.string(),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
    changes: z.number(),
    bytesAdded: z.number(),
    storageBytes: z.number(),
  })
  .openapi("HistoryPoint");

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

type BackupRow = {
  id: string;
  kind: z.infer<typeof Backup>["kind"];
  status: z.infer<typeof Backup>["status"];
  types: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
  counts: string;
  api_calls: number;
  versions_written: number;
  bytes_stored: number;
};

const toBackup = (r: BackupRow): z.infer<typeof Backup> => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  types: JSON.parse(r.types),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
  counts: JSON.parse(r.counts),
  apiCalls: r.api_calls,
  versionsWritten: r.versions_written,
  bytesStored: r.bytes_stored,
});

/** The Backup Vault's API: summary cards, "Backup all data", backups, the running job, Item Storage, history. */
export const backupRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/summary",
      tags: ["Backup vault"],
      summary: "Summary cards: last and next backup, items, storage, auto sync, running job",
      responses: { 200: json(VaultSummary, "The vault summary") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const db = c.env.DB;
      const [store, last, lastDone, totals] = await db.batch<Record<string, unknown>>([
        db.prepare("select next_backup_at, auto_sync from stores where hash = ?").bind(storeHash),
        db
          .prepare(
            "select id, status, kind, started_at, finished_at from backups where store_hash = ? order by started_at desc limit 1",
          )
          .bind(storeHash),
        db
          .prepare(
            "select finished_at from backups where store_hash = ? and status = 'done' order by started_at desc limit 1",
          )
          .bind(storeHash),
        db
          .prepare("select count(*) as items from records where store_hash = ? and deleted = 0")
          .bind(storeHash),
      ]);
      const bytes = await db
        .prepare(`select coalesce(sum(size), 0) as bytes from packs where store_hash = ?`)
        .bind(storeHash)
        .first<{ bytes: number }>();
      const s = store.results[0] as { next_backup_at: number | null; auto_sync: number } | undefined;
      const l = last.results[0] as
        | { id: string; status: string; kind: string; started_at: number; finished_at: number | null }
        | undefined;
      const running = (await storeJobs(c.env, storeHash).currentJob()) as JobStatus | null;
      return c.json(
        {
          lastBackup: l
            ? { id: l.id, status: l.status, kind: l.kind, startedAt: l.started_at, finishedAt: l.finished_at }
            : null,
          lastSuccessfulBackupAt:
            (lastDone.results[0] as { finished_at: number } | undefined)?.finished_at ?? null,
          nextBackupAt: s?.next_backup_at ?? null,
          items: Number((totals.results[0] as { items: number }).items),
          storageBytes: bytes?.bytes ?? 0,
          autoSync: Boolean(s?.auto_sync),
          runningJob: running,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/backups",
      tags: ["Backup vault"],
      summary: "Backup all data (or the given types) now",
      request: {
        body: {
          required: false,
          content: {
            "application/json": {
              schema: z.object({ types: z.array(typeKeySchema).optional() }).openapi("BackupRequest"),
            },
          },
        },
      },
      responses: {
        202: json(z.object({ jobId: z.string(), backupId: z.string() }), "The backup started"),
        409: json(ErrorBody, "A job is already running for this store (code job_running)"),
      },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : undefined;
      const plan = await requirePlan(c.env, storeHash, { types: body?.types, action: "backup" });
      // "Backup all data" means all the plan's types.
      const types = body?.types ?? (plan.types === "all" ? undefined : typesInPlan(plan));
      const started = await storeJobs(c.env, storeHash).startBackup({ kind: "manual", types });
      if (!started.started) throw jobRunningError(started.message);
      return c.json({ jobId: started.jobId, backupId: started.backupId ?? "" }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/backups",
      tags: ["Backup vault"],
      summary: "Backups, newest first, with counts per type",
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.number().optional(),
        }),
      },
      responses: { 200: json(z.object({ backups: z.array(Backup) }), "Backups") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const { limit, before } = c.req.valid("query");
      const { results } = await c.env.DB.prepare(
        "select * from backups where store_hash = ? and started_at < ? order by started_at desc limit ?",
      )
        .bind(storeHash, before ?? Number.MAX_SAFE_INTEGER, limit)
        .all<BackupRow>();
      return c.json({ backups: results.map(toBackup) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/jobs/current",
      tags: ["Backup vault"],
      summary: "The store's running job (backup, restore or export) with progress per type and ETA",
      responses: { 200: json(z.object({ job: Job.nullable() }), "The running job, or null") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const job = (await storeJobs(c.env, storeHash).currentJob()) as JobStatus | null;
      return c.json({ job }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/jobs/{id}",
      tags: ["Backup vault"],
      summary: "A recent job of the store",
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(z.object({ job: Job }), "The job"), 404: json(ErrorBody, "No such job") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const job = (await storeJobs(c.env, storeHash).status()) as JobStatus | null;
      if (!job || job.id !== c.req.valid("param").id) throw notFound("No such job");
      return c.json({ job }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/types",
      tags: ["Backup vault"],
      summary: "Item Storage: items and stored bytes per content type, grouped",
      responses: { 200: json(z.object({ types: z.array(TypeStorage) }), "Item Storage") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      return c.json({ types: await itemStorage(c.env.DB, storeHash) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/history",
      tags: ["Backup vault"],
      summary: "Storage and changes per backup over time (oldest first), for the chart",
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(365).default(60) }) },
      responses: { 200: json(z.object({ points: z.array(HistoryPoint) }), "History") },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const { limit } = c.req.valid("query");
      const { results } = await c.env.DB.prepare(
        `select id, kind, status, started_at, finished_at, versions_written, bytes_stored,
           sum(bytes_stored) over (order by started_at rows unbounded preceding) as running
         from backups where store_hash = ? order by started_at`,
      )
        .bind(storeHash)
        .all<BackupRow & { running: number }>();
      const points = results.slice(-limit).map((r) => ({
        backupId: r.id,
        kind: r.kind,
        status: r.status,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        changes: r.versions_written,
        bytesAdded: r.bytes_stored,
        storageBytes: r.running,
      }));
      return c.json({ points }, 200);
    },
  );
