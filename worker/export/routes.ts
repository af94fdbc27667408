import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, lte } from "drizzle-orm";
import { apiRouter } from "../api/context";
import { calendarDate } from "../api/params";
import { contentTypes, getType, isTypeKey, typeKeySchema, typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { type Export, exportSchedules, exportsTable, stores } from "../db/schema";
import { imageFilesSize } from "../images/catalog";
import type { JobStatus } from "../jobs/store-jobs";
import { badRequest, notFound } from "../lib/errors";
import { dedupeEmails, isValidEmail } from "../notify/email";
import { requirePlan } from "../plans/plans";
import { exportLinks } from "./notify";
import { nextRunAt, zonedTime } from "./schedule";
import { startExport, tokenRevoked } from "./start";
import { lastCaptureAt, vaultSize } from "./vault-source";

const Email = z
  .string()
  .trim()
  .max(254)
  .refine(isValidEmail, { message: "Use a valid email address, such as name@example.com" });

const Emails = z
  .array(Email)
  .min(1, "Add at least one email address")
  .max(20, "At most 20 recipients")
  .transform((list) => dedupeEmails(list));

const Types = z
  .array(typeKeySchema)
  .min(1, "Select at least one content type")
  .transform((t) => [...new Set(t)]);

const Link = z.object({ name: z.string(), size: z.number(), url: z.string() });

const TypeProgress = z.object({
  type: z.string(),
  label: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  status: z.enum(["pending", "running", "done", "failed", "unavailable"]),
  /** Why a type is unavailable (the store lacks the endpoint, or the app the scope). */
  note: z.string().optional(),
});

const Source = z.enum(["live", "vault"]);

const ExportRow = z
  .object({
    id: z.string(),
    kind: z.enum(["manual", "weekly", "monthly"]),
    status: z.enum(["queued", "running", "done", "failed"]),
    types: z.array(z.string()),
    typeCount: z.number(),
    emails: z.array(z.string()),
    includeImages: z.boolean(),
    createdAt: z.number(),
    finishedAt: z.number().nullable(),
    expiresAt: z.number().nullable(),
    size: z.number(),
    counts: z.record(z.string(), z.number()),
    links: z.array(Link),
    error: z.string().nullable(),
    /** "vault": built from the latest backup (the token was refused, or the merchant asked for it). */
    source: Source,
    /** Vault exports: the last capture of the chosen types (null when unknown or live). */
    asOf: z.number().nullable(),
  })
  .openapi("Export");

const ExportDetail = ExportRow.extend({
  progress: z.array(TypeProgress),
  /** "fetch": reading the store; "package": writing the ZIP files. */
  phase: z.enum(["queued", "fetch", "package", "done", "failed"]),
}).openapi("ExportDetail");

const Schedule = z
  .object({
    enabled: z.boolean(),
    frequency: z.enum(["weekly", "monthly"]),
    dayOfWeek: z.number().int().min(0).max(6).nullable(),
    dayOfMonth: z.number().int().min(1).max(31).nullable(),
    types: z.array(z.string()),
    emails: z.array(z.string()),
    includeImages: z.boolean(),
    nextRunAt: z.number().nullable(),
    lastRunAt: z.number().nullable(),
    updatedAt: z.number(),
  })
  .openapi("ExportSchedule");

const ScheduleInput = z
  .object({
    enabled: z.boolean().default(true),
    frequency: z.enum(["weekly", "monthly"]),
    dayOfWeek: z.number().int().min(0).max(6).nullable().optional(),
    dayOfMonth: z.number().int().min(1).max(31).nullable().optional(),
    types: Types,
    emails: Emails,
    includeImages: z.boolean().default(false),
  })
  .openapi("ExportScheduleInput");

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * Uncompressed export files per byte of record JSON: the CSVs add about 0.7× the JSON Lines
 * (measured on rs-10k, all types: 434 MB of JSON Lines, 303 MB of CSV).
 */
const FILES_PER_JSON_BYTE = 1.7;

const label = (t: string) => (isTypeKey(t) ? getType(t).label : t);

async function toRow(env: Env, e: Export, now: number) {
  return {
    id: e.id,
    kind: e.kind,
    status: e.status,
    types: e.types,
    typeCount: e.types.length,
    emails: e.emails,
    includeImages: e.includeImages,
    createdAt: e.createdAt,
    finishedAt: e.finishedAt,
    expiresAt: e.expiresAt,
    size: e.size,
    counts: e.counts,
    links: await exportLinks(env, e, now),
    error: e.error,
    source: e.source,
    asOf: e.sourceAsOf,
  };
}

async function storeTimezone(env: Env, storeHash: string): Promise<string> {
  const [s] = await getDb(env)
    .select({ tz: stores.timezone })
    .from(stores)
    .where(eq(stores.hash, storeHash))
    .limit(1);
  return s?.tz ?? "UTC";
}

/** `YYYY-MM-DD` in the store's timezone: the first instant of that day. */
function dayStart(date: string, tz: string, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw badRequest(`${field}: use a date like 2026-01-31`, field);
  return zonedTime(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 0, tz);
}

function scheduleOut(s: typeof exportSchedules.$inferSelect | undefined) {
  if (!s) return null;
  return {
    enabled: s.enabled,
    frequency: s.frequency,
    dayOfWeek: s.dayOfWeek,
    dayOfMonth: s.dayOfMonth,
    types: s.types,
    emails: s.emails,
    includeImages: s.includeImages,
    nextRunAt: s.nextRunAt,
    lastRunAt: s.lastRunAt,
    updatedAt: s.updatedAt,
  };
}

export const exportRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/export-options",
      summary:
        "What Quick Export and Schedule Export offer: the content types (grouped), the default recipient, the store's timezone",
      responses: {
        200: json(
          z.object({
            types: z.array(
              z.object({ type: z.string(), label: z.string(), group: z.enum(["store", "content"]) }),
            ),
            defaultEmail: z.string(),
            timezone: z.string(),
            linkDays: z.number(),
            splitGb: z.number(),
            /** BigCommerce refuses the store's token: exports are built from the vault. */
            tokenRevoked: z.boolean(),
            /** The vault's last capture of any content type (what "From the latest backup" is as of). */
            lastBackupAt: z.number().nullable(),
          }),
          "Options",
        ),
      },
    }),
    async (c) => {
      const s = c.get("session");
      const [timezone, revoked, lastBackupAt] = await Promise.all([
        storeTimezone(c.env, s.storeHash),
        tokenRevoked(c.env, s.storeHash),
        lastCaptureAt(c.env.DB, s.storeHash, typeKeys),
      ]);
      return c.json(
        {
          types: contentTypes.map((t) => ({
            type: t.key as string,
            label: t.label,
            group: t.group as "store" | "content",
          })),
          defaultEmail: s.email,
          timezone,
          linkDays: 7,
          splitGb: 1,
          tokenRevoked: revoked,
          lastBackupAt,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/export-estimate",
      summary:
        "The size shown before an export starts: records and their JSON bytes as last backed up, and the image files when included",
      request: {
        query: z.object({
          types: z
            .string()
            .max(2000)
            .transform((s) => s.split(",").filter(Boolean))
            .pipe(z.array(typeKeySchema).max(100))
            .openapi({ example: "products,brands" }),
          includeImages: z
            .enum(["true", "false"])
            .default("false")
            .transform((v) => v === "true"),
        }),
      },
      responses: {
        200: json(
          z.object({
            records: z.number(),
            /** Uncompressed JSON of the records, as the vault holds them (the JSON Lines files). */
            bytes: z.number(),
            /** The export's files before compression: JSON Lines + CSV (+ images when included). */
            estimatedBytes: z.number(),
            images: z.object({ count: z.number(), bytes: z.number() }),
          }),
          "Estimate",
        ),
      },
    }),
    async (c) => {
      const s = c.get("session");
      const q = c.req.valid("query");
      const [data, images] = await Promise.all([
        vaultSize(c.env.DB, s.storeHash, q.types),
        q.includeImages ? imageFilesSize(c.env, s.storeHash, q.types) : { count: 0, bytes: 0 },
      ]);
      return c.json(
        { ...data, estimatedBytes: Math.round(data.bytes * FILES_PER_JSON_BYTE) + images.bytes, images },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/exports",
      summary: "Quick Export: export the chosen content types now and email the links",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .object({
                  types: Types,
                  emails: Emails,
                  includeImages: z.boolean().default(false),
                  /**
                   * "live" reads the store now; "vault" builds the export from the latest backup
                   * (no API calls). A live export of a store whose token BigCommerce refuses is
                   * built from the vault instead, and the answer says so.
                   */
                  source: Source.default("live"),
                })
                .openapi("QuickExportInput"),
            },
          },
        },
      },
      responses: {
        202: json(z.object({ id: z.string(), source: Source }), "Started"),
        409: json(
          z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
          "Another job of the store is running",
        ),
      },
    }),
    async (c) => {
      const s = c.get("session");
      const body = c.req.valid("json");
      await requirePlan(c.env, s.storeHash, { types: body.types, action: "export" });
      const source =
        body.source === "live" && (await tokenRevoked(c.env, s.storeHash)) ? "vault" : body.source;
      const id = await startExport(c.env, {
        storeHash: s.storeHash,
        kind: "manual",
        types: body.types,
        emails: body.emails,
        includeImages: body.includeImages,
        source,
        createdBy: s.email,
      });
      return c.json({ id, source }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/exports",
      summary:
        "Export History: the store's exports, newest first, optionally from/to a date (store timezone)",
      request: {
        query: z.object({
          from: calendarDate.optional().openapi({ example: "2026-01-01" }),
          to: calendarDate.optional().openapi({ example: "2026-01-31" }),
        }),
      },
      responses: { 200: json(z.object({ exports: z.array(ExportRow), timezone: z.string() }), "Exports") },
    }),
    async (c) => {
      const s = c.get("session");
      const q = c.req.valid("query");
      const tz = await storeTimezone(c.env, s.storeHash);
      const conds = [eq(exportsTable.storeHash, s.storeHash)];
      if (q.from) conds.push(gte(exportsTable.createdAt, dayStart(q.from, tz, "from")));
      if (q.to) {
        const start = dayStart(q.to, tz, "to");
        const d = new Date(start + 36 * 3600_000);
        conds.push(
          lte(
            exportsTable.createdAt,
            zonedTime(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 0, tz) - 1,
          ),
        );
      }
      const rows = await getDb(c.env)
        .select()
        .from(exportsTable)
        .where(and(...conds))
        .orderBy(desc(exportsTable.createdAt))
        .limit(200);
      const now = Date.now();
      return c.json({ exports: await Promise.all(rows.map((r) => toRow(c.env, r, now))), timezone: tz }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/exports/{id}",
      summary: "One export with its progress per content type (the result screen)",
      request: { params: z.object({ id: z.string().max(40) }) },
      responses: {
        200: json(ExportDetail, "Export"),
        404: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), "Not found"),
      },
    }),
    async (c) => {
      const s = c.get("session");
      const { id } = c.req.valid("param");
      const [row] = await getDb(c.env)
        .select()
        .from(exportsTable)
        .where(and(eq(exportsTable.id, id), eq(exportsTable.storeHash, s.storeHash)))
        .limit(1);
      if (!row) throw notFound("No such export for this store");
      let phase: z.infer<typeof ExportDetail>["phase"] =
        row.status === "done" ? "done" : row.status === "failed" ? "failed" : "queued";
      let progress: z.infer<typeof TypeProgress>[] = row.types.map((t) => ({
        type: t,
        label: label(t),
        done: row.counts[t] ?? 0,
        total: row.status === "done" ? (row.counts[t] ?? 0) : null,
        status:
          row.status === "done"
            ? t in row.counts
              ? "done"
              : "unavailable"
            : row.status === "failed"
              ? "failed"
              : "pending",
      }));
      let { source, sourceAsOf: asOf } = row;
      if (source === "live" && row.status === "done" && row.files.length) {
        // Exports made before the source column: the ZIP carries where its data came from.
        const meta = (await c.env.EXPORTS.head(row.files[0].key))?.customMetadata;
        if (meta?.source === "vault") {
          source = "vault";
          asOf = meta.asOf ? Number(meta.asOf) : null;
        }
      }
      if (row.status === "running" || row.status === "queued") {
        const job = (await c.env.STORE_JOBS.get(
          c.env.STORE_JOBS.idFromName(s.storeHash),
        ).status()) as JobStatus | null;
        const params = job?.params as { exportId?: string } | null;
        if (job && params?.exportId === id && job.status === "running") {
          const types = job.progress.types;
          progress = row.types.map((t) => ({
            type: t,
            label: label(t),
            done: types[t]?.done ?? 0,
            total: types[t]?.total ?? null,
            status: types[t]?.status ?? "pending",
            ...(types[t]?.note ? { note: types[t].note } : {}),
          }));
          phase = progress.every((p) => p.status === "done" || p.status === "unavailable")
            ? "package"
            : "fetch";
        }
      }
      return c.json({ ...(await toRow(c.env, row, Date.now())), source, asOf, progress, phase }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/export-schedule",
      summary: "Schedule Export: the store's schedule (null when none was saved)",
      responses: { 200: json(z.object({ schedule: Schedule.nullable(), timezone: z.string() }), "Schedule") },
    }),
    async (c) => {
      const s = c.get("session");
      const [row] = await getDb(c.env)
        .select()
        .from(exportSchedules)
        .where(eq(exportSchedules.storeHash, s.storeHash))
        .limit(1);
      return c.json({ schedule: scheduleOut(row), timezone: await storeTimezone(c.env, s.storeHash) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/export-schedule",
      summary:
        "Save the store's schedule: weekly (day of week, 0 = Sunday) or monthly (day 1-31; shorter months run on their last day)",
      request: { body: { required: true, content: { "application/json": { schema: ScheduleInput } } } },
      responses: { 200: json(z.object({ schedule: Schedule, timezone: z.string() }), "Saved") },
    }),
    async (c) => {
      const s = c.get("session");
      const body = c.req.valid("json");
      await requirePlan(c.env, s.storeHash, {
        types: body.types,
        feature: "scheduled_export",
        action: "export",
      });
      if (body.frequency === "weekly" && (body.dayOfWeek === undefined || body.dayOfWeek === null)) {
        throw badRequest("dayOfWeek: choose the day of the week", "dayOfWeek");
      }
      if (body.frequency === "monthly" && (body.dayOfMonth === undefined || body.dayOfMonth === null)) {
        throw badRequest("dayOfMonth: choose the day of the month", "dayOfMonth");
      }
      const tz = await storeTimezone(c.env, s.storeHash);
      const now = Date.now();
      const rule = {
        frequency: body.frequency,
        dayOfWeek: body.frequency === "weekly" ? (body.dayOfWeek ?? null) : null,
        dayOfMonth: body.frequency === "monthly" ? (body.dayOfMonth ?? null) : null,
      };
      const values = {
        storeHash: s.storeHash,
        enabled: body.enabled,
        ...rule,
        types: body.types,
        emails: body.emails,
        includeImages: body.includeImages,
        nextRunAt: body.enabled ? nextRunAt(rule, now, tz) : null,
        updatedBy: s.email,
        updatedAt: now,
      };
      const db = getDb(c.env);
      await db
        .insert(exportSchedules)
        .values(values)
        .onConflictDoUpdate({ target: exportSchedules.storeHash, set: { ...values, storeHash: undefined } });
      const [row] = await db
        .select()
        .from(exportSchedules)
        .where(eq(exportSchedules.storeHash, s.storeHash))
        .limit(1);
      return c.json({ schedule: scheduleOut(row) as z.infer<typeof Schedule>, timezone: tz }, 200);
    },
  );
