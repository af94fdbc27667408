import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { pageNumber, pageSize } from "../api/params";
import { contentTypes, getType, isTypeKey } from "../bigcommerce/registry";
import { badRequest, notFound, unprocessable } from "../lib/errors";
import { dedupeEmails, isValidEmail } from "../notify/email";
import { requirePlan } from "../plans/plans";
import { requestCancel, retryFailed, startBulkRestore, undoBulk } from "./actions";
import { dryRun } from "./dry-run";
import { changedRecords, diffCounts, latestCaptureAt } from "./state-diff";
import { recoveryHistory, restoreItemsPage, restoreProcess } from "./views";

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .openapi("RecoveryError");
const err = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});
const errors = {
  400: err("Invalid input"),
  403: err("The store's plan does not include this (point-in-time restore needs Pro)"),
  404: err("Not found in this store"),
  409: err("A backup or restore is running, or the restore is in a state that does not allow this"),
  422: err("Nothing to restore, or a type that is restored with the team's help"),
};
const json = <T extends z.ZodTypeAny>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * The version a request names: a completed backup (`backupId`), or any moment (`at`, epoch ms) on
 * plans with point-in-time restore.
 */
const TargetQuery = z.object({
  backupId: z.string().min(1).max(64).optional(),
  at: z.coerce.number().int().min(0).optional(),
});

async function resolveTarget(
  env: Env,
  storeHash: string,
  t: { backupId?: string; at?: number },
): Promise<{ at: number; backupId: string | null }> {
  if (t.backupId) {
    const row = await env.DB.prepare(
      "select finished_at from backups where id = ? and store_hash = ? and status = 'done'",
    )
      .bind(t.backupId, storeHash)
      .first<{ finished_at: number }>();
    if (!row) throw notFound("This backup version is not in your store's history.");
    return { at: row.finished_at, backupId: t.backupId };
  }
  if (t.at === undefined) throw badRequest("Choose a backup version or a point in time.", "backupId");
  await requirePlan(env, storeHash, { feature: "point_in_time_restore", action: "restore" });
  return { at: t.at, backupId: null };
}

const TypeRow = z.object({
  type: z.string(),
  label: z.string(),
  group: z.enum(["store", "content"]),
  restoreMode: z.enum(["automatic", "team_assisted"]),
  teamAssistedReason: z.string().nullable(),
  backedUp: z.number(),
  added: z.number(),
  updated: z.number(),
  deleted: z.number(),
  unchanged: z.number(),
  changed: z.boolean(),
});

const RestoreBody = z.object({
  backupId: z.string().min(1).max(64).optional(),
  at: z.number().int().min(0).optional(),
  types: z.array(z.string()).min(1).max(contentTypes.length),
  deleteCreated: z.boolean().default(false),
});

const TypePlan = z.object({
  type: z.string(),
  label: z.string(),
  update: z.number(),
  create: z.number(),
  delete: z.number(),
  keep: z.number(),
  unchanged: z.number(),
  calls: z.number(),
});
const DryRunSchema = z
  .object({
    at: z.number(),
    backupId: z.string().nullable(),
    types: z.array(TypePlan),
    calls: z.number(),
    etaMs: z.number(),
    quota: z.object({
      perWindow: z.number(),
      windowMs: z.number(),
      reservePct: z.number(),
      assumed: z.boolean(),
    }),
  })
  .openapi("RecoveryDryRun");

/** The chosen types, checked: known, restorable automatically, included in the plan. */
async function checkTypes(env: Env, storeHash: string, types: string[]): Promise<string[]> {
  const unique = [...new Set(types)];
  for (const t of unique) {
    if (!isTypeKey(t)) throw badRequest(`There is no content type "${t}".`, "types");
    const type = getType(t);
    if (type.restore.mode !== "automatic")
      throw unprocessable(
        `${type.label} are restored with our team's help (up to 7 days): contact ${env.SUPPORT_EMAIL}. ${type.restore.reason}`,
        "types",
      );
  }
  await requirePlan(env, storeHash, { types: unique, action: "restore" });
  return unique;
}

const RestoreId = z.object({ restoreId: z.string().min(1).max(64) });
const Started = z.object({ restoreId: z.string() }).openapi("RecoveryStarted");
const Changed = z.array(
  z.object({
    type: z.string(),
    label: z.string(),
    action: z.enum(["update", "create", "delete"]),
    count: z.number(),
  }),
);

const ProcessSchema = z
  .object({
    restore: z.object({
      id: z.string(),
      kind: z.enum(["single", "bulk", "undo"]),
      status: z.enum(["progressing", "done", "fail"]),
      rawStatus: z.string(),
      cancelled: z.boolean(),
      cancelRequested: z.boolean(),
      deleteCreated: z.boolean(),
      targetAt: z.number(),
      targetBackupId: z.string().nullable(),
      emails: z.array(z.string()),
      createdBy: z.string(),
      createdAt: z.number(),
      finishedAt: z.number().nullable(),
      percent: z.number(),
      total: z.number(),
      completed: z.number(),
      successCount: z.number(),
      errorCount: z.number(),
      error: z.string().nullable(),
      undoOf: z.string().nullable(),
      undoneBy: z.string().nullable(),
      canUndo: z.boolean(),
    }),
    types: z.array(
      z.object({
        type: z.string(),
        label: z.string(),
        status: z.enum(["waiting", "progressing", "done", "fail", "cancelled"]),
        total: z.number(),
        completed: z.number(),
        successful: z.number(),
        errors: z.number(),
        cancelled: z.number(),
        changed: z.object({ update: z.number(), create: z.number(), delete: z.number() }),
        planned: z.object({ update: z.number(), create: z.number(), delete: z.number() }).nullable(),
      }),
    ),
    changed: Changed,
  })
  .openapi("RecoveryProcess");

const Paging = z.object({
  page: pageNumber,
  pageSize: pageSize(),
});

/** Backup Vault > Bulk Recovery: versions, compare, dry run, start, monitor, cancel, retry, undo, history. */
export const recoveryRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/versions",
      summary: "History panel: completed backups (newest first), optionally between two dates",
      request: {
        query: z.object({
          from: z.coerce.number().int().min(0).optional(),
          to: z.coerce.number().int().min(0).optional(),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              versions: z.array(
                z.object({
                  backupId: z.string(),
                  at: z.number(),
                  startedAt: z.number(),
                  kind: z.string(),
                  types: z.number(),
                  versionsWritten: z.number(),
                }),
              ),
              latestAt: z.number().nullable(),
              pointInTime: z.boolean(),
            })
            .openapi("RecoveryVersions"),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const { from, to } = c.req.valid("query");
      const { results } = await c.env.DB.prepare(
        `select id, kind, started_at, finished_at, types, versions_written from backups
         where store_hash = ?1 and status = 'done' and (?2 = 0 or finished_at >= ?2) and (?3 = 0 or finished_at <= ?3)
         order by finished_at desc limit 200`,
      )
        .bind(storeHash, from ?? 0, to ?? 0)
        .all<{
          id: string;
          kind: string;
          started_at: number;
          finished_at: number;
          types: string;
          versions_written: number;
        }>();
      const plan = await c.env.DB.prepare("select plan from stores where hash = ?")
        .bind(storeHash)
        .first<{ plan: string }>();
      return c.json(
        {
          versions: results.map((r) => ({
            backupId: r.id,
            at: r.finished_at,
            startedAt: r.started_at,
            kind: r.kind,
            types: (JSON.parse(r.types) as string[]).length,
            versionsWritten: r.versions_written,
          })),
          latestAt: await latestCaptureAt(c.env.DB, storeHash),
          pointInTime: plan?.plan === "pro",
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/state",
      summary:
        "A version's content types: Backed up items and Compare to the latest (added, updated, deleted, unchanged), from the vault",
      request: { query: TargetQuery },
      responses: {
        200: json(
          z
            .object({
              at: z.number(),
              backupId: z.string().nullable(),
              latestAt: z.number().nullable(),
              types: z.array(TypeRow),
              supportEmail: z.string(),
              accountEmail: z.string(),
            })
            .openapi("RecoveryState"),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const session = c.get("session");
      const target = await resolveTarget(c.env, session.storeHash, c.req.valid("query"));
      const counts = new Map(
        (await diffCounts(c.env.DB, session.storeHash, target.at)).map((r) => [r.type, r]),
      );
      const types = contentTypes.map((t) => {
        const n = counts.get(t.key);
        const type = getType(t.key);
        return {
          type: t.key,
          label: t.label,
          group: t.group,
          restoreMode: type.restore.mode,
          teamAssistedReason: type.restore.mode === "team_assisted" ? type.restore.reason : null,
          backedUp: n?.backedUp ?? 0,
          added: n?.added ?? 0,
          updated: n?.updated ?? 0,
          deleted: n?.deleted ?? 0,
          unchanged: n?.unchanged ?? 0,
          changed: Boolean(n && n.added + n.updated + n.deleted > 0),
        };
      });
      return c.json(
        {
          ...target,
          latestAt: await latestCaptureAt(c.env.DB, session.storeHash),
          types,
          supportEmail: c.env.SUPPORT_EMAIL,
          accountEmail: session.email,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/compare/{type}",
      summary: "Version differences for one type: counts and the changed records (paged)",
      request: {
        params: z.object({ type: z.string() }),
        query: TargetQuery.merge(Paging),
      },
      responses: {
        200: json(
          z
            .object({
              type: z.string(),
              label: z.string(),
              selectedAt: z.number(),
              latestAt: z.number().nullable(),
              added: z.number(),
              updated: z.number(),
              deleted: z.number(),
              unchanged: z.number(),
              items: z.array(
                z.object({
                  recordId: z.string(),
                  name: z.string(),
                  change: z.enum(["added", "updated", "deleted", "unchanged"]),
                }),
              ),
              total: z.number(),
              page: z.number(),
              pageSize: z.number(),
            })
            .openapi("RecoveryCompare"),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const session = c.get("session");
      const key = c.req.valid("param").type;
      if (!isTypeKey(key)) throw notFound(`There is no content type "${key}".`);
      const q = c.req.valid("query");
      const target = await resolveTarget(c.env, session.storeHash, q);
      const counts = (await diffCounts(c.env.DB, session.storeHash, target.at)).find((r) => r.type === key);
      const { rows, total } = await changedRecords(c.env.DB, session.storeHash, key, target.at, q);
      return c.json(
        {
          type: key,
          label: getType(key).label,
          selectedAt: target.at,
          latestAt: await latestCaptureAt(c.env.DB, session.storeHash),
          added: counts?.added ?? 0,
          updated: counts?.updated ?? 0,
          deleted: counts?.deleted ?? 0,
          unchanged: counts?.unchanged ?? 0,
          items: rows.map((r) => ({ recordId: r.recordId, name: r.name, change: r.diff })),
          total,
          page: q.page,
          pageSize: q.pageSize,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/recovery/plan",
      summary:
        "Dry run of a bulk restore: per type, records to update, re-create and delete, API calls and the estimated time at the store's quota",
      request: { body: { content: { "application/json": { schema: RestoreBody } }, required: true } },
      responses: { 200: json(DryRunSchema), ...errors },
    }),
    async (c) => {
      const { storeHash } = c.get("session");
      const body = c.req.valid("json");
      const target = await resolveTarget(c.env, storeHash, body);
      const types = await checkTypes(c.env, storeHash, body.types);
      return c.json(
        { ...target, ...(await dryRun(c.env, storeHash, target.at, types, body.deleteCreated)) },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/recovery/restores",
      summary:
        "Restore now (after the dry run): restores the chosen types to the version in the store's job runner; 409 while a backup or restore runs",
      request: {
        body: {
          content: {
            "application/json": {
              schema: RestoreBody.extend({ emails: z.array(z.string().max(254)).max(20).default([]) }),
            },
          },
          required: true,
        },
      },
      responses: { 202: json(Started, "Started"), ...errors },
    }),
    async (c) => {
      const session = c.get("session");
      const body = c.req.valid("json");
      const bad = body.emails.find((e) => !isValidEmail(e.trim()));
      if (bad) throw badRequest(`"${bad}" is not a valid email address.`, "emails");
      const target = await resolveTarget(c.env, session.storeHash, body);
      const types = await checkTypes(c.env, session.storeHash, body.types);
      const plan = await dryRun(c.env, session.storeHash, target.at, types, body.deleteCreated);
      const restoreId = await startBulkRestore(c.env, {
        storeHash: session.storeHash,
        createdBy: session.email,
        at: target.at,
        backupId: target.backupId,
        types,
        deleteCreated: body.deleteCreated,
        emails: dedupeEmails(body.emails.map((e) => e.trim())),
        plan,
      });
      return c.json({ restoreId }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/restores/{restoreId}",
      summary: "The restore process page: percentage, target version, emails, and per type status and counts",
      request: { params: RestoreId },
      responses: { 200: json(ProcessSchema), ...errors },
    }),
    async (c) =>
      c.json(await restoreProcess(c.env, c.get("session").storeHash, c.req.valid("param").restoreId), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/restores/{restoreId}/items",
      summary: "View Detail: each record of one type with its result and, for errors, BigCommerce's message",
      request: {
        params: RestoreId,
        query: Paging.extend({
          type: z.string(),
          status: z.enum(["pending", "done", "error", "skipped"]).optional(),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              items: z.array(
                z.object({
                  recordId: z.string(),
                  name: z.string(),
                  action: z.string(),
                  status: z.string(),
                  message: z.string().nullable(),
                  newId: z.string().nullable(),
                  finishedAt: z.number().nullable(),
                }),
              ),
              total: z.number(),
              page: z.number(),
              pageSize: z.number(),
            })
            .openapi("RecoveryItems"),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await restoreItemsPage(c.env, c.get("session").storeHash, c.req.valid("param").restoreId, q),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/recovery/restores/{restoreId}/cancel",
      summary: "Cancel: the restore stops after the current batch; answers what was already changed",
      request: { params: RestoreId },
      responses: {
        202: json(
          z.object({ message: z.string(), changed: Changed }).openapi("RecoveryCancel"),
          "Cancel requested",
        ),
        ...errors,
      },
    }),
    async (c) => {
      const changed = await requestCancel(c.env, c.get("session").storeHash, c.req.valid("param").restoreId);
      const n = changed.reduce((s, x) => s + x.count, 0);
      return c.json(
        {
          message: `The restore stops after the current batch. ${n} record${n === 1 ? " was" : "s were"} already changed; undo the restore to return ${n === 1 ? "it" : "them"} to the state before it.`,
          changed,
        },
        202,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/recovery/restores/{restoreId}/retry",
      summary: "Retry failed items (of one type, or all) in the same restore",
      request: {
        params: RestoreId,
        body: { content: { "application/json": { schema: z.object({ type: z.string().optional() }) } } },
      },
      responses: {
        202: json(z.object({ restoreId: z.string(), retried: z.number() }), "Retry started"),
        ...errors,
      },
    }),
    async (c) => {
      const { restoreId } = c.req.valid("param");
      const body = (c.req.valid("json") as { type?: string } | undefined) ?? {};
      const retried = await retryFailed(c.env, c.get("session").storeHash, restoreId, body.type);
      return c.json({ restoreId, retried }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/recovery/restores/{restoreId}/undo",
      summary:
        "Undo this restore: every record it changed returns to the state saved just before; records it re-created are deleted",
      request: { params: RestoreId },
      responses: { 202: json(Started, "Undo started"), ...errors },
    }),
    async (c) => {
      const session = c.get("session");
      const undoId = await undoBulk(c.env, session.storeHash, c.req.valid("param").restoreId, session.email);
      return c.json({ restoreId: undoId }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/recovery/history",
      summary: "Recovery history: bulk restores and their undos, filtered by date range and status",
      request: {
        query: Paging.extend({
          from: z.coerce.number().int().min(0).optional(),
          to: z.coerce.number().int().min(0).optional(),
          status: z.enum(["progressing", "done", "fail"]).optional(),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              rows: z.array(
                z.object({
                  id: z.string(),
                  kind: z.enum(["bulk", "undo"]),
                  status: z.enum(["progressing", "done", "fail"]),
                  cancelled: z.boolean(),
                  versionAt: z.number(),
                  recoveredAt: z.number(),
                  finishedAt: z.number().nullable(),
                  successCount: z.number(),
                  errorCount: z.number(),
                  totalCount: z.number(),
                  types: z.array(z.string()),
                  undoOf: z.string().nullable(),
                  undoneBy: z.string().nullable(),
                  canUndo: z.boolean(),
                }),
              ),
              total: z.number(),
              page: z.number(),
              pageSize: z.number(),
            })
            .openapi("RecoveryHistory"),
        ),
        ...errors,
      },
    }),
    async (c) => c.json(await recoveryHistory(c.env, c.get("session").storeHash, c.req.valid("query")), 200),
  );
