import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { storeJobs } from "../backup/schedule";
import { readVersionBody } from "../backup/vault-read";
import { type ContentType, getType, isTypeKey } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { accessRevoked } from "../jobs/store-jobs";
import { HttpError, notFound } from "../lib/errors";
import { currentIds, liveIdOf } from "../restore/id-map";
import { recordHistory } from "../restore/restore-log";
import { listItems, searchAll } from "./item-queries";

/**
 * Backup Vault > Item Storage: find a record (per type or across types), its versions, a version's
 * body and the live record. Every query is scoped to the session's store.
 */

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
const errors = {
  400: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
  404: { description: "Not in this store's vault", content: { "application/json": { schema: ErrorSchema } } },
};

const TypeInfo = z
  .object({
    key: z.string(),
    label: z.string(),
    group: z.enum(["store", "content"]),
    summary: z.array(z.string()),
    restoreMode: z.enum(["automatic", "team_assisted"]),
    teamAssistedReason: z.string().nullable(),
  })
  .openapi("VaultTypeInfo");

const Item = z
  .object({
    id: z.string(),
    name: z.string(),
    deleted: z.boolean(),
    deletedAt: z.number().nullable(),
    lastChangedAt: z.number(),
    versionCount: z.number(),
    size: z.number(),
  })
  .openapi("VaultItem");

const VersionMeta = z
  .object({
    id: z.number(),
    capturedAt: z.number(),
    change: z.enum(["created", "updated", "deleted"]),
    source: z.string(),
    backupId: z.string().nullable(),
    displayName: z.string(),
    size: z.number(),
  })
  .openapi("VaultVersion");

const HistoryEntry = z
  .object({
    restoreId: z.string(),
    kind: z.enum(["single", "bulk", "undo"]),
    restoreStatus: z.string(),
    createdBy: z.string(),
    createdAt: z.number(),
    finishedAt: z.number().nullable(),
    undoOf: z.string().nullable(),
    undoneBy: z.string().nullable(),
    action: z.string(),
    status: z.string(),
    fromVersionId: z.number().nullable(),
    beforeVersionId: z.number().nullable(),
    newId: z.string().nullable(),
    message: z.string().nullable(),
  })
  .openapi("RestoreHistoryEntry");

export function typeInfo(type: ContentType) {
  return {
    key: type.key,
    label: type.label,
    group: type.group,
    summary: [...type.summary],
    restoreMode: type.restore.mode,
    teamAssistedReason: type.restore.mode === "team_assisted" ? type.restore.reason : null,
  };
}

/** The type as one record's page shows it: a record BigCommerce offers no write for (store information) gets no restore button either. */
function recordTypeInfo(type: ContentType, id: string) {
  const why = writeSpecOf(type.key).readOnlyRecords?.[id];
  return why
    ? { ...typeInfo(type), restoreMode: "team_assisted" as const, teamAssistedReason: why }
    : typeInfo(type);
}

/** A type key from the path, or 404 (unknown types are simply not in the vault). */
export function pathType(key: string): ContentType {
  if (!isTypeKey(key)) throw notFound(`There is no content type "${key}".`);
  return getType(key);
}

const TypeParam = z.object({ type: z.string().openapi({ example: "products" }) });
const ItemParams = TypeParam.extend({ id: z.string().min(1).max(200).openapi({ example: "112" }) });

export async function findRecord(db: D1Database, storeHash: string, type: string, id: string) {
  const row = await db
    .prepare(
      "select record_id, display_name, deleted, deleted_at, first_seen_at, last_changed_at, version_count, size from records where store_hash = ? and type = ? and record_id = ?",
    )
    .bind(storeHash, type, id)
    .first<{
      record_id: string;
      display_name: string;
      deleted: number;
      deleted_at: number | null;
      first_seen_at: number;
      last_changed_at: number;
      version_count: number;
      size: number;
    }>();
  if (!row) throw notFound("This record is not in your store's vault.");
  return row;
}

export const vaultRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/types/{type}/items",
      summary:
        "Backed-up records of one type: paged, searchable (name, SKU, email, code, id), sortable by last change",
      request: {
        params: TypeParam,
        query: z.object({
          q: z.string().max(200).optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
          sort: z.enum(["changed_desc", "changed_asc", "name_asc", "name_desc"]).default("changed_desc"),
          deleted: z.enum(["include", "exclude", "only"]).default("include"),
        }),
      },
      responses: {
        200: {
          description: "One page of items",
          content: {
            "application/json": {
              schema: z.object({
                type: TypeInfo,
                items: z.array(Item),
                page: z.number(),
                pageSize: z.number(),
                total: z.number(),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const type = pathType(c.req.valid("param").type);
      const query = c.req.valid("query");
      const { items, total } = await listItems(c.env.DB, c.get("session").storeHash, type.key, query);
      return c.json({ type: typeInfo(type), items, page: query.page, pageSize: query.pageSize, total }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/search",
      summary:
        "Find a record of any type by name, SKU, email, code or id, in any version, deleted ones included",
      request: {
        query: z.object({
          q: z.string().trim().min(1).max(200),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
      },
      responses: {
        200: {
          description: "Matching records",
          content: {
            "application/json": {
              schema: z.object({
                items: z.array(
                  Item.extend({ type: z.string(), typeLabel: z.string(), matchedOldVersion: z.boolean() }),
                ),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { q, limit } = c.req.valid("query");
      const hits = await searchAll(c.env.DB, c.get("session").storeHash, q, limit);
      return c.json(
        {
          items: hits
            .filter((h) => isTypeKey(h.type))
            .map((h) => ({ ...h, typeLabel: getType(h.type).label })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/items/{type}/{id}",
      summary: "A record: every version (date, change, source), its restore history and where it lives now",
      request: { params: ItemParams },
      responses: {
        200: {
          description: "The record",
          content: {
            "application/json": {
              schema: z.object({
                type: TypeInfo,
                record: Item.extend({ firstSeenAt: z.number() }),
                /** The id BigCommerce gave the record when it was re-created (null when never re-created). */
                currentId: z.string().nullable(),
                versions: z.array(VersionMeta),
                history: z.array(HistoryEntry),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { type: key, id } = c.req.valid("param");
      const type = pathType(key);
      const storeHash = c.get("session").storeHash;
      const row = await findRecord(c.env.DB, storeHash, type.key, id);
      const [versions, history, mapped] = await Promise.all([
        c.env.DB.prepare(
          `select id, captured_at, change, source, backup_id, display_name, size from versions
           where store_hash = ? and type = ? and record_id = ? order by captured_at desc, id desc`,
        )
          .bind(storeHash, type.key, id)
          .all<{
            id: number;
            captured_at: number;
            change: "created" | "updated" | "deleted";
            source: string;
            backup_id: string | null;
            display_name: string;
            size: number;
          }>(),
        recordHistory(c.env, storeHash, type.key, id),
        currentIds(c.env.DB, storeHash, type.key, [id]),
      ]);
      return c.json(
        {
          type: recordTypeInfo(type, id),
          record: {
            id: row.record_id,
            name: row.display_name,
            deleted: Boolean(row.deleted),
            deletedAt: row.deleted_at,
            firstSeenAt: row.first_seen_at,
            lastChangedAt: row.last_changed_at,
            versionCount: row.version_count,
            size: row.size,
          },
          currentId: mapped.get(id) ?? null,
          versions: versions.results.map((v) => ({
            id: v.id,
            capturedAt: v.captured_at,
            change: v.change,
            source: v.source,
            backupId: v.backup_id,
            displayName: v.display_name,
            size: v.size,
          })),
          history,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/items/{type}/{id}/versions/{versionId}",
      summary: "One version's body (null for a deletion)",
      request: { params: ItemParams.extend({ versionId: z.coerce.number().int().min(1) }) },
      responses: {
        200: {
          description: "The version",
          content: {
            "application/json": {
              schema: z.object({ version: VersionMeta, body: z.record(z.string(), z.unknown()).nullable() }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { type: key, id, versionId } = c.req.valid("param");
      const type = pathType(key);
      const storeHash = c.get("session").storeHash;
      const v = await c.env.DB.prepare(
        `select id, store_hash, captured_at, change, source, backup_id, display_name, size, pack_id, "offset", length, body_offset
         from versions where id = ? and store_hash = ? and type = ? and record_id = ?`,
      )
        .bind(versionId, storeHash, type.key, id)
        .first<{
          id: number;
          store_hash: string;
          captured_at: number;
          change: "created" | "updated" | "deleted";
          source: string;
          backup_id: string | null;
          display_name: string;
          size: number;
          pack_id: string | null;
          offset: number | null;
          length: number | null;
          body_offset: number;
        }>();
      if (!v) throw notFound("This version is not in your store's vault.");
      const body = await readVersionBody(c.env, {
        storeHash: v.store_hash,
        packId: v.pack_id,
        offset: v.offset,
        length: v.length,
        bodyOffset: v.body_offset,
        size: v.size,
        change: v.change,
      });
      return c.json(
        {
          version: {
            id: v.id,
            capturedAt: v.captured_at,
            change: v.change,
            source: v.source,
            backupId: v.backup_id,
            displayName: v.display_name,
            size: v.size,
          },
          body,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/items/{type}/{id}/live",
      summary: "The record as it is in the store right now (fetched through the store's quota), or deleted",
      request: { params: ItemParams },
      responses: {
        200: {
          description: "The live record",
          content: {
            "application/json": {
              schema: z.object({
                status: z.enum(["live", "deleted"]),
                id: z.string(),
                fetchedAt: z.number(),
                body: z.record(z.string(), z.unknown()).nullable(),
              }),
            },
          },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { type: key, id } = c.req.valid("param");
      const type = pathType(key);
      const storeHash = c.get("session").storeHash;
      await findRecord(c.env.DB, storeHash, type.key, id);
      const liveId = await liveIdOf(c.env.DB, storeHash, type.key, id);
      let body: Record<string, unknown> | null;
      try {
        body = (await storeJobs(c.env, storeHash).fetchLive(type.key, liveId)) as Record<
          string,
          unknown
        > | null;
      } catch (err) {
        // Restores need the token; versions in the vault do not, so the page can still offer them.
        const refused = accessRevoked(err);
        if (refused) {
          throw new HttpError(
            409,
            "token_revoked",
            `${refused} Restores are unavailable until then; every version can still be downloaded as JSON.`,
          );
        }
        console.error("fetchLive failed", err);
        throw new HttpError(
          502,
          "store_unreachable",
          "BigCommerce did not answer for the current version; try again in a moment.",
        );
      }
      return c.json(
        { status: body ? ("live" as const) : ("deleted" as const), id: liveId, fetchedAt: Date.now(), body },
        200,
      );
    },
  );
