import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { contentGroups, getType, isTypeKey, typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { cheapestPlanFor, getPlan, type PlanDefinition, typesInPlan } from "../plans/plans";
import { startFirstBackup } from "../settings/onboarding";
import { loadStore } from "../settings/routes";
import { changeCounts } from "../settings/store-counts";
import { type Activity, recentActivity } from "./recent";

const DAY = 86_400_000;
export const CHANGE_WINDOW_DAYS = 7;

/**
 * The slice of the store's Durable Object job status Discovery reads. Kept structural (not imported
 * from the jobs module) so Discovery still answers, without live progress, when the object is busy
 * or its RPC changes: the page must never fail because a job is running.
 */
type LiveJob = {
  id: string;
  kind: string;
  status: string;
  startedAt: number;
  etaMs: number | null;
  calls: number;
  backupId: string | null;
  progress: { types: Record<string, { done: number; total: number | null }>; remainingCalls: number };
};

export type RunningJob = {
  id: string;
  kind: string;
  backupId: string | null;
  startedAt: number;
  /** 0-100, from the calls made and still needed (what the ETA is computed from); null when unknown. */
  percent: number | null;
  done: number;
  total: number | null;
  etaMs: number | null;
};

async function liveJob(env: Env, storeHash: string): Promise<RunningJob | null> {
  try {
    const stub = env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash)) as unknown as {
      currentJob?: () => Promise<LiveJob | null>;
    };
    const job = await stub.currentJob?.();
    if (job?.status !== "running") return null;
    const types = Object.values(job.progress?.types ?? {});
    const done = types.reduce((s, t) => s + t.done, 0);
    const total =
      types.every((t) => t.total !== null) && types.length > 0
        ? types.reduce((s, t) => s + (t.total ?? 0), 0)
        : null;
    const remaining = job.progress?.remainingCalls;
    let percent: number | null = null;
    if (typeof remaining === "number" && job.calls + remaining > 0)
      percent = Math.floor((100 * job.calls) / (job.calls + remaining));
    else if (total) percent = Math.floor((100 * done) / total);
    return {
      id: job.id,
      kind: job.kind,
      backupId: job.backupId,
      startedAt: job.startedAt,
      percent: percent === null ? null : Math.min(99, percent),
      done,
      total,
      etaMs: job.etaMs,
    };
  } catch (err) {
    console.warn(`discovery: job status of ${storeHash} unavailable`, err);
    return null;
  }
}

const nextStepSchema = z.object({
  kind: z.enum([
    "first_backup_running",
    "start_first_backup",
    "first_backup_failed",
    "job_running",
    "last_backup_failed",
    "add_emails",
    "types_outside_plan",
    "all_set",
  ]),
  message: z.string(),
  href: z.string().nullable(),
  linkLabel: z.string().nullable(),
});

const DiscoveryView = z
  .object({
    plan: z.object({ key: z.string(), name: z.string() }),
    protection: z.object({
      lastBackup: z
        .object({
          id: z.string(),
          kind: z.string(),
          status: z.string(),
          startedAt: z.number(),
          finishedAt: z.number().nullable(),
          error: z.string().nullable(),
        })
        .nullable(),
      lastSuccessfulBackupAt: z.number().nullable(),
      nextBackupAt: z.number().nullable(),
      autoSync: z.boolean(),
      lastSyncChange: z
        .object({
          type: z.string(),
          label: z.string(),
          recordId: z.string(),
          displayName: z.string(),
          change: z.string(),
          capturedAt: z.number(),
        })
        .nullable(),
    }),
    runningJob: z
      .object({
        id: z.string(),
        kind: z.string(),
        backupId: z.string().nullable(),
        startedAt: z.number(),
        percent: z.number().nullable(),
        done: z.number(),
        total: z.number().nullable(),
        etaMs: z.number().nullable(),
      })
      .nullable(),
    groups: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        items: z.number(),
        bytes: z.number(),
        types: z.array(
          z.object({
            type: z.string(),
            label: z.string(),
            items: z.number(),
            bytes: z.number(),
            inPlan: z.boolean(),
          }),
        ),
      }),
    ),
    activity: z.array(
      z.object({
        kind: z.enum(["backup", "restore", "export"]),
        id: z.string(),
        title: z.string(),
        status: z.string(),
        at: z.number(),
        finishedAt: z.number().nullable(),
        detail: z.string().nullable(),
        href: z.string(),
      }),
    ),
    changes: z.object({
      since: z.number(),
      days: z.number(),
      types: z.array(z.object({ type: z.string(), label: z.string(), count: z.number() })),
    }),
    nextStep: nextStepSchema,
  })
  .openapi("Discovery");

export type DiscoveryView = z.infer<typeof DiscoveryView>;

/** Same wording as the SPA's formatDuration, so the sentence and the progress bar agree. */
const minutes = (ms: number) => {
  const m = Math.round(ms / 60_000);
  if (m < 1) return "less than a minute";
  return m >= 90 ? `about ${Math.round(m / 60)} hours` : `about ${m} minute${m === 1 ? "" : "s"}`;
};

/** The one thing a merchant should do (or know) now, in priority order. */
export function nextStep(input: {
  lastBackup: DiscoveryView["protection"]["lastBackup"];
  hasSuccessfulBackup: boolean;
  running: RunningJob | null;
  emails: string[];
  /** Content types the store's plan leaves out (Free), with the plan that adds them. */
  outsidePlan?: OutsidePlan;
}): z.infer<typeof nextStepSchema> {
  const { running } = input;
  if (running && running.kind === "backup" && !input.hasSuccessfulBackup) {
    const pct = running.percent === null ? "starting" : `${running.percent}%`;
    const eta = running.etaMs !== null ? `, ${minutes(running.etaMs)} left at your store's API quota` : "";
    return {
      kind: "first_backup_running",
      message: `Your first backup is running: ${pct}${eta}.`,
      href: "/vault",
      linkLabel: "Follow it in Backup Vault",
    };
  }
  if (!input.hasSuccessfulBackup && input.lastBackup?.status === "failed") {
    return {
      kind: "first_backup_failed",
      message: `Your first backup did not finish${input.lastBackup.error ? `: ${input.lastBackup.error}` : "."} Start it again from Backup Vault.`,
      href: "/vault",
      linkLabel: "Open Backup Vault",
    };
  }
  if (!input.hasSuccessfulBackup && !running) {
    return {
      kind: "start_first_backup",
      message: "Make your first backup: open Backup Vault and click Backup all data.",
      href: "/vault",
      linkLabel: "Open Backup Vault",
    };
  }
  if (running) {
    const pct = running.percent === null ? "" : ` (${running.percent}%)`;
    return {
      kind: "job_running",
      message: `A ${running.kind} is running${pct}.`,
      href:
        running.kind === "export"
          ? "/export/history"
          : running.kind === "restore"
            ? "/vault/recovery"
            : "/vault",
      linkLabel: "See its progress",
    };
  }
  if (input.lastBackup?.status === "failed") {
    return {
      kind: "last_backup_failed",
      message: `The last backup did not finish${input.lastBackup.error ? `: ${input.lastBackup.error}` : "."} Changes since the previous backup are not in the vault yet.`,
      href: "/vault",
      linkLabel: "Back up again in Backup Vault",
    };
  }
  if (input.emails.length === 0) {
    return {
      kind: "add_emails",
      message: "Add the people who should hear about restores and exports.",
      href: "/settings",
      linkLabel: "Add notification emails",
    };
  }
  if (input.outsidePlan && input.outsidePlan.count > 0) {
    const o = input.outsidePlan;
    const more = o.count - o.examples.length;
    return {
      kind: "types_outside_plan",
      message: `Your ${o.current} plan backs up ${o.covered} only: ${o.examples.join(", ")}${more > 0 ? ` and ${more} more content types` : ""} need the ${o.plan} plan.`,
      href: "/pricing",
      linkLabel: "Compare plans",
    };
  }
  return {
    kind: "all_set",
    message: "Your store is protected. Nothing to do right now.",
    href: null,
    linkLabel: null,
  };
}

type OutsidePlan = { current: string; covered: string; count: number; examples: string[]; plan: string };

/** The types best known to merchants, named first when a plan leaves them out. */
const WELL_KNOWN: readonly string[] = ["customers", "orders", "pages", "price_lists"];

/** What a smaller plan leaves out, for the next step (undefined when the plan covers every type). */
function outsidePlan(plan: PlanDefinition): OutsidePlan | undefined {
  const covered = typesInPlan(plan);
  const missing = typeKeys.filter((t) => !(covered as string[]).includes(t));
  if (missing.length === 0) return undefined;
  const examples = [...missing].sort((a, b) => rank(a) - rank(b)).slice(0, 2);
  return {
    current: plan.name,
    covered: covered.map((t) => getType(t).label.toLowerCase()).join(", "),
    count: missing.length,
    examples: examples.map((t) => getType(t).label),
    plan: cheapestPlanFor({ types: missing })?.name ?? "Standard",
  };
}
const rank = (t: string) => (WELL_KNOWN.includes(t) ? WELL_KNOWN.indexOf(t) : WELL_KNOWN.length);

type BackupRow = {
  id: string;
  kind: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
};

/** Everything Discovery shows, in one call: D1 reads in one batch plus the job's live progress. */
export async function discovery(env: Env, storeHash: string, now = Date.now()): Promise<DiscoveryView> {
  const db = getDb(env);
  const d1 = env.DB;
  const store = await loadStore(db, storeHash);
  const plan = getPlan(store.plan);
  const since = now - CHANGE_WINDOW_DAYS * DAY;
  const [[last, lastOk, sync, items, bytes], changes, activity, running] = await Promise.all([
    d1.batch([
      d1
        .prepare(
          "select id, kind, status, started_at, finished_at, error from backups where store_hash = ? order by started_at desc limit 1",
        )
        .bind(storeHash),
      d1
        .prepare(
          "select max(coalesce(finished_at, started_at)) as at from backups where store_hash = ? and status = 'done'",
        )
        .bind(storeHash),
      d1
        .prepare(
          "select type, record_id, display_name, change, captured_at from versions where store_hash = ? and source = 'webhook' order by captured_at desc limit 1",
        )
        .bind(storeHash),
      d1
        .prepare("select type, count(*) as n from records where store_hash = ? and deleted = 0 group by type")
        .bind(storeHash),
      d1
        .prepare("select type, sum(size) as bytes from versions where store_hash = ? group by type")
        .bind(storeHash),
    ]),
    changeCounts(db, storeHash, since),
    recentActivity(db, storeHash, 10),
    liveJob(env, storeHash),
  ]);
  const lastRow = (last.results as BackupRow[])[0];
  const lastBackup = lastRow
    ? {
        id: lastRow.id,
        kind: lastRow.kind,
        status: lastRow.status,
        startedAt: lastRow.started_at,
        finishedAt: lastRow.finished_at,
        error: lastRow.error,
      }
    : null;
  const lastSuccessfulBackupAt = (lastOk.results[0] as { at: number | null } | undefined)?.at ?? null;
  const syncRow = sync.results[0] as
    | { type: string; record_id: string; display_name: string; change: string; captured_at: number }
    | undefined;
  const itemsByType = new Map((items.results as { type: string; n: number }[]).map((r) => [r.type, r.n]));
  const bytesByType = new Map(
    (bytes.results as { type: string; bytes: number | null }[]).map((r) => [r.type, Number(r.bytes ?? 0)]),
  );
  const inPlan = new Set<string>(typesInPlan(plan));

  // A backup row still "running" while the job object has nothing live means its progress is unknown, not absent.
  const runningJob: RunningJob | null =
    running ??
    (lastRow && (lastRow.status === "running" || lastRow.status === "queued")
      ? {
          id: lastRow.id,
          kind: "backup",
          backupId: lastRow.id,
          startedAt: lastRow.started_at,
          percent: null,
          done: 0,
          total: null,
          etaMs: null,
        }
      : null);

  return {
    plan: { key: plan.key, name: plan.name },
    protection: {
      lastBackup,
      lastSuccessfulBackupAt,
      nextBackupAt: store.nextBackupAt,
      autoSync: store.autoSync,
      lastSyncChange: syncRow
        ? {
            type: syncRow.type,
            label: isTypeKey(syncRow.type) ? getType(syncRow.type).label : syncRow.type,
            recordId: syncRow.record_id,
            displayName: syncRow.display_name,
            change: syncRow.change,
            capturedAt: syncRow.captured_at,
          }
        : null,
    },
    runningJob,
    groups: contentGroups.map((g) => {
      const types = g.types
        .filter((t) => inPlan.has(t) || (itemsByType.get(t) ?? 0) > 0)
        .map((t) => ({
          type: t,
          label: getType(t).label,
          items: itemsByType.get(t) ?? 0,
          bytes: bytesByType.get(t) ?? 0,
          inPlan: inPlan.has(t),
        }));
      return {
        key: g.key,
        label: g.label,
        items: types.reduce((s, t) => s + t.items, 0),
        bytes: types.reduce((s, t) => s + t.bytes, 0),
        types,
      };
    }),
    activity: activity satisfies Activity[],
    changes: {
      since,
      days: CHANGE_WINDOW_DAYS,
      types: [...changes.entries()]
        .filter(([, n]) => n > 0)
        .map(([type, count]) => ({ type, label: isTypeKey(type) ? getType(type).label : type, count }))
        .sort((a, b) => b.count - a.count),
    },
    nextStep: nextStep({
      lastBackup,
      hasSuccessfulBackup: lastSuccessfulBackupAt !== null,
      running: runningJob,
      emails: store.notificationEmails,
      outsidePlan: outsidePlan(plan),
    }),
  };
}

export const discoveryRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/discovery",
      summary:
        "Discovery at a glance: protection status, storage per group, recent activity, recent changes, next step",
      responses: {
        200: { description: "Discovery", content: { "application/json": { schema: DiscoveryView } } },
      },
    }),
    async (c) => c.json(await discovery(c.env, c.get("session").storeHash), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/discovery/first-backup",
      summary:
        "Start the store's first backup if it never had one (Discovery calls it when a new install opens the app)",
      responses: {
        200: {
          description: "Whether a backup started",
          content: { "application/json": { schema: z.object({ started: z.boolean() }) } },
        },
      },
    }),
    async (c) => c.json({ started: await startFirstBackup(c.env, c.get("session").storeHash) }, 200),
  );
