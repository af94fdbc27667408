import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { notFound, unprocessable } from "../lib/errors";
import { requirePlan } from "../plans/plans";
import { findRecord, pathType } from "../vault/routes";
import { getRestore } from "./restore-log";
import { startRestore, startUndo } from "./start";

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
const errors = {
  400: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
  404: { description: "Not found in this store", content: { "application/json": { schema: ErrorSchema } } },
  409: {
    description: "A backup or restore is running, or the restore cannot be undone",
    content: { "application/json": { schema: ErrorSchema } },
  },
  422: {
    description: "This record cannot be restored this way",
    content: { "application/json": { schema: ErrorSchema } },
  },
};

const Started = z.object({ restoreId: z.string() }).openapi("RestoreStarted");

const RestoreView = z
  .object({
    restore: z.object({
      id: z.string(),
      kind: z.enum(["single", "bulk", "undo"]),
      status: z.enum(["planned", "progressing", "done", "fail", "cancelled"]),
      targetAt: z.number(),
      types: z.array(z.string()),
      createdBy: z.string(),
      createdAt: z.number(),
      finishedAt: z.number().nullable(),
      totalCount: z.number(),
      successCount: z.number(),
      errorCount: z.number(),
      undoOf: z.string().nullable(),
      undoneBy: z.string().nullable(),
      error: z.string().nullable(),
    }),
    items: z.array(
      z.object({
        type: z.string(),
        recordId: z.string(),
        displayName: z.string(),
        action: z.enum(["update", "create", "delete", "unchanged"]),
        status: z.enum(["pending", "done", "error", "skipped"]),
        fromVersionId: z.number().nullable(),
        beforeVersionId: z.number().nullable(),
        newId: z.string().nullable(),
        message: z.string().nullable(),
        finishedAt: z.number().nullable(),
      }),
    ),
  })
  .openapi("Restore");

/** Restore one record to a version ("Restore to this version"), follow a restore, undo it. */
export const restoreRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/vault/items/{type}/{id}/restore",
      summary:
        "Restore to this version: makes the live record match the version (re-created if deleted). Runs as a job; poll GET /restores/{id}",
      request: {
        params: z.object({ type: z.string(), id: z.string().min(1).max(200) }),
        body: {
          content: { "application/json": { schema: z.object({ versionId: z.number().int().min(1) }) } },
          required: true,
        },
      },
      responses: {
        202: { description: "Started", content: { "application/json": { schema: Started } } },
        ...errors,
      },
    }),
    async (c) => {
      const { type: key, id } = c.req.valid("param");
      const { versionId } = c.req.valid("json");
      const type = pathType(key);
      const session = c.get("session");
      await requirePlan(c.env, session.storeHash, { type: type.key, action: "restore" });
      const record = await findRecord(c.env.DB, session.storeHash, type.key, id);
      if (type.restore.mode !== "automatic") {
        throw unprocessable(
          `${type.label} are restored with our team's help: ${type.restore.reason} Download the version's JSON from this page to keep it.`,
        );
      }
      const readOnly = writeSpecOf(type.key).readOnlyRecords?.[id];
      if (readOnly) throw unprocessable(`${readOnly} Download the version's JSON from this page to keep it.`);
      const version = await c.env.DB.prepare(
        "select id, change, captured_at, backup_id, display_name from versions where id = ? and store_hash = ? and type = ? and record_id = ?",
      )
        .bind(versionId, session.storeHash, type.key, id)
        .first<{
          id: number;
          change: string;
          captured_at: number;
          backup_id: string | null;
          display_name: string;
        }>();
      if (!version) throw notFound("This version is not in your store's vault.");
      if (version.change === "deleted")
        throw unprocessable(
          "This version records the deletion; choose a version with the record's content.",
          "versionId",
        );
      const restoreId = await startRestore(c.env, {
        storeHash: session.storeHash,
        kind: "single",
        createdBy: session.email,
        targetAt: version.captured_at,
        targetBackupId: version.backup_id,
        items: [{ type: type.key, recordId: id, displayName: record.display_name, versionId }],
      });
      return c.json({ restoreId }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/restores/{restoreId}",
      summary: "A restore's progress and per-record results",
      request: { params: z.object({ restoreId: z.string().min(1).max(64) }) },
      responses: {
        200: { description: "The restore", content: { "application/json": { schema: RestoreView } } },
        ...errors,
      },
    }),
    async (c) => {
      const found = await getRestore(c.env, c.get("session").storeHash, c.req.valid("param").restoreId);
      if (!found) throw notFound("This restore does not exist for your store.");
      const { restore, items } = found;
      return c.json(
        {
          restore: {
            id: restore.id,
            kind: restore.kind,
            status: restore.status,
            targetAt: restore.targetAt,
            types: restore.types,
            createdBy: restore.createdBy,
            createdAt: restore.createdAt,
            finishedAt: restore.finishedAt,
            totalCount: restore.totalCount,
            successCount: restore.successCount,
            errorCount: restore.errorCount,
            undoOf: restore.undoOf,
            undoneBy: restore.undoneBy,
            error: restore.error,
          },
          items: items.map((i) => ({
            type: i.type,
            recordId: i.recordId,
            displayName: i.displayName,
            action: i.action,
            status: i.status,
            fromVersionId: i.fromVersionId,
            beforeVersionId: i.beforeVersionId,
            newId: i.newId,
            message: i.message,
            finishedAt: i.finishedAt,
          })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/restores/{restoreId}/undo",
      summary:
        "Undo a restore: every record it changed goes back to the state saved just before; records it re-created are deleted",
      request: { params: z.object({ restoreId: z.string().min(1).max(64) }) },
      responses: {
        202: { description: "Undo started", content: { "application/json": { schema: Started } } },
        ...errors,
      },
    }),
    async (c) => {
      const session = c.get("session");
      const undoId = await startUndo(c.env, session.storeHash, c.req.valid("param").restoreId, session.email);
      return c.json({ restoreId: undoId }, 202);
    },
  );
