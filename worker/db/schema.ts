import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Epoch milliseconds everywhere: sortable, timezone-free, cheap to compare in SQL. */
const ms = (name: string) => integer(name);
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const stores = sqliteTable(
  "stores",
  {
    hash: text("hash").primaryKey(),
    status: text("status", { enum: ["installed", "uninstalled"] }).notNull(),
    name: text("name"),
    domain: text("domain"),
    scope: text("scope").notNull(),
    accountUuid: text("account_uuid"),
    ownerId: integer("owner_id"),
    ownerEmail: text("owner_email"),
    /** AES-GCM ciphertext of the store's API token; never returned by any route. */
    tokenCiphertext: text("token_ciphertext"),
    tokenIv: text("token_iv"),
    tokenKeyId: text("token_key_id"),
    plan: text("plan", { enum: ["free", "standard", "pro"] })
      .notNull()
      .default("standard"),
    timezone: text("timezone").notNull().default("UTC"),
    backupHour: integer("backup_hour").notNull().default(2),
    autoSync: integer("auto_sync", { mode: "boolean" }).notNull().default(false),
    quotaReservePct: integer("quota_reserve_pct").notNull().default(20),
    retentionDays: integer("retention_days").notNull().default(365),
    notificationEmails: json<string[]>("notification_emails").notNull().default(sql`'[]'`),
    /**
     * How often each content type is captured (settings): types not listed use the daily backup.
     * "sync" means webhooks capture changes as they happen (Pro), with the daily backup as a safety net.
     */
    typeFrequencies: json<Record<string, "hourly" | "daily" | "weekly" | "sync">>("type_frequencies")
      .notNull()
      .default(sql`'{}'`),
    settingsUpdatedAt: ms("settings_updated_at"),
    settingsUpdatedBy: text("settings_updated_by"),
    nextBackupAt: ms("next_backup_at"),
    lastBackupId: text("last_backup_id"),
    installedAt: ms("installed_at").notNull(),
    uninstalledAt: ms("uninstalled_at"),
    /** When an uninstalled store's data is deleted by the scheduler (grace period). */
    deleteAfter: ms("delete_after"),
  },
  (t) => [
    // The hourly cron's "installed stores due for a backup", a page at a time.
    index("stores_due").on(t.status, t.nextBackupAt, t.hash),
  ],
);

export const users = sqliteTable(
  "users",
  {
    storeHash: text("store_hash").notNull(),
    userId: integer("user_id").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "user"] }).notNull(),
    locale: text("locale"),
    removedAt: ms("removed_at"),
    lastSeenAt: ms("last_seen_at"),
  },
  (t) => [primaryKey({ columns: [t.storeHash, t.userId] }), index("users_email").on(t.email)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the session token: a leaked table does not yield usable sessions. */
    idHash: text("id_hash").primaryKey(),
    storeHash: text("store_hash").notNull(),
    userId: integer("user_id").notNull(),
    kind: text("kind", { enum: ["embedded", "external"] }).notNull(),
    csrfToken: text("csrf_token").notNull(),
    createdAt: ms("created_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    revokedAt: ms("revoked_at"),
  },
  (t) => [index("sessions_store_user").on(t.storeHash, t.userId)],
);

/** Replay protection for load/uninstall/remove-user payloads (jti) and webhook deliveries (hash). */
export const seenNonces = sqliteTable("seen_nonces", {
  nonce: text("nonce").primaryKey(),
  storeHash: text("store_hash"),
  expiresAt: ms("expires_at").notNull(),
});

export const backups = sqliteTable(
  "backups",
  {
    id: text("id").primaryKey(),
    storeHash: text("store_hash").notNull(),
    kind: text("kind", { enum: ["manual", "scheduled", "initial", "incremental"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "done", "failed", "cancelled"] }).notNull(),
    types: json<string[]>("types").notNull(),
    startedAt: ms("started_at").notNull(),
    finishedAt: ms("finished_at"),
    error: text("error"),
    /** Per type: { items, versions, deleted, calls, bytes }. */
    counts: json<
      Record<string, { items: number; versions: number; deleted: number; calls: number; bytes: number }>
    >("counts")
      .notNull()
      .default(sql`'{}'`),
    apiCalls: integer("api_calls").notNull().default(0),
    versionsWritten: integer("versions_written").notNull().default(0),
    bytesStored: integer("bytes_stored").notNull().default(0),
  },
  (t) => [index("backups_store_started").on(t.storeHash, t.startedAt)],
);

/** One row per record ever seen: the vault's item list. */
export const records = sqliteTable(
  "records",
  {
    storeHash: text("store_hash").notNull(),
    type: text("type").notNull(),
    recordId: text("record_id").notNull(),
    displayName: text("display_name").notNull(),
    /** Lower-cased name, SKU, email, code and id: what the item search matches. */
    searchText: text("search_text").notNull(),
    currentHash: text("current_hash"),
    versionCount: integer("version_count").notNull().default(0),
    size: integer("size").notNull().default(0),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    deletedAt: ms("deleted_at"),
    firstSeenAt: ms("first_seen_at").notNull(),
    lastChangedAt: ms("last_changed_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.storeHash, t.type, t.recordId] }),
    // The vault's item list: newest/oldest first, by name, deleted only, each a plain index range.
    index("records_store_type_changed_id").on(t.storeHash, t.type, t.lastChangedAt, t.recordId),
    // Partial: only deleted records have an entry, so saving a live record never writes to it; "without
    // deleted" walks records_store_type_changed_id and skips the few deleted ones.
    index("records_store_type_deleted")
      .on(t.storeHash, t.type, t.lastChangedAt, t.recordId)
      .where(sql`deleted = 1`),
    index("records_store_type_name").on(t.storeHash, t.type, t.displayName, t.recordId),
    // Item search (LIKE '%term%') scans this narrow index instead of visiting every row.
    index("records_store_type_search").on(t.storeHash, t.type, t.searchText),
  ],
);

export const versions = sqliteTable(
  "versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    storeHash: text("store_hash").notNull(),
    type: text("type").notNull(),
    recordId: text("record_id").notNull(),
    backupId: text("backup_id"),
    source: text("source", { enum: ["backup", "webhook", "before_restore", "restore"] }).notNull(),
    change: text("change", { enum: ["created", "updated", "deleted"] }).notNull(),
    capturedAt: ms("captured_at").notNull(),
    displayName: text("display_name").notNull(),
    /** SHA-256 of the canonical JSON; null for a deletion. */
    hash: text("hash"),
    size: integer("size").notNull().default(0),
    packId: text("pack_id"),
    offset: integer("offset"),
    length: integer("length"),
    /** Where the body starts in its range's inflated bytes: bodies are compressed in frames (body-deflate.ts). */
    bodyOffset: integer("body_offset").notNull().default(0),
  },
  (t) => [
    // The only index: D1 bills every index entry as a written row and stores it. Its prefixes serve
    // every reader (a record's history, state at time T per type or store, retention, restores);
    // a separate (store, type, captured_at) or (store, hash) index saved no reader a scan.
    uniqueIndex("versions_dedupe").on(t.storeHash, t.type, t.recordId, t.capturedAt, t.source),
  ],
);

/** R2 objects holding many compressed version bodies each, read back by byte range. */
export const packs = sqliteTable("packs", {
  id: text("id").primaryKey(),
  storeHash: text("store_hash").notNull(),
  key: text("key").notNull(),
  size: integer("size").notNull(),
  entries: integer("entries").notNull(),
  createdAt: ms("created_at").notNull(),
});

export const idMap = sqliteTable(
  "id_map",
  {
    storeHash: text("store_hash").notNull(),
    type: text("type").notNull(),
    oldId: text("old_id").notNull(),
    newId: text("new_id").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeHash, t.type, t.oldId] })],
);

export const restores = sqliteTable(
  "restores",
  {
    id: text("id").primaryKey(),
    storeHash: text("store_hash").notNull(),
    kind: text("kind", { enum: ["single", "bulk", "undo"] }).notNull(),
    status: text("status", { enum: ["planned", "progressing", "done", "fail", "cancelled"] }).notNull(),
    /** The moment the store is restored to. */
    targetAt: ms("target_at").notNull(),
    targetBackupId: text("target_backup_id"),
    types: json<string[]>("types").notNull(),
    emails: json<string[]>("emails").notNull().default(sql`'[]'`),
    options: json<Record<string, unknown>>("options").notNull().default(sql`'{}'`),
    createdBy: text("created_by").notNull(),
    createdAt: ms("created_at").notNull(),
    finishedAt: ms("finished_at"),
    totalCount: integer("total_count").notNull().default(0),
    successCount: integer("success_count").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    undoOf: text("undo_of"),
    undoneBy: text("undone_by"),
    error: text("error"),
  },
  (t) => [index("restores_store_created").on(t.storeHash, t.createdAt)],
);

export const restoreItems = sqliteTable(
  "restore_items",
  {
    restoreId: text("restore_id").notNull(),
    storeHash: text("store_hash").notNull(),
    type: text("type").notNull(),
    recordId: text("record_id").notNull(),
    displayName: text("display_name").notNull(),
    action: text("action", { enum: ["update", "create", "delete", "unchanged"] }).notNull(),
    status: text("status", { enum: ["pending", "done", "error", "skipped"] }).notNull(),
    fromVersionId: integer("from_version_id"),
    /** The version saved from the live record just before it was changed: what undo restores. */
    beforeVersionId: integer("before_version_id"),
    newId: text("new_id"),
    message: text("message"),
    finishedAt: ms("finished_at"),
  },
  (t) => [
    primaryKey({ columns: [t.restoreId, t.type, t.recordId] }),
    index("restore_items_status").on(t.restoreId, t.status),
  ],
);

export const exportsTable = sqliteTable(
  "exports",
  {
    id: text("id").primaryKey(),
    storeHash: text("store_hash").notNull(),
    kind: text("kind", { enum: ["manual", "weekly", "monthly"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "done", "failed"] }).notNull(),
    types: json<string[]>("types").notNull(),
    emails: json<string[]>("emails").notNull(),
    includeImages: integer("include_images", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by").notNull(),
    createdAt: ms("created_at").notNull(),
    finishedAt: ms("finished_at"),
    expiresAt: ms("expires_at"),
    size: integer("size").notNull().default(0),
    counts: json<Record<string, number>>("counts").notNull().default(sql`'{}'`),
    files: json<{ key: string; name: string; size: number }[]>("files").notNull().default(sql`'[]'`),
    error: text("error"),
    /** Where the data came from: the store through the API, or the vault (then `sourceAsOf`: its last capture). */
    source: text("source", { enum: ["live", "vault"] })
      .notNull()
      .default("live"),
    sourceAsOf: ms("source_as_of"),
  },
  (t) => [index("exports_store_created").on(t.storeHash, t.createdAt)],
);

export const exportSchedules = sqliteTable("export_schedules", {
  storeHash: text("store_hash").primaryKey(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  frequency: text("frequency", { enum: ["weekly", "monthly"] }).notNull(),
  dayOfWeek: integer("day_of_week"),
  dayOfMonth: integer("day_of_month"),
  types: json<string[]>("types").notNull(),
  emails: json<string[]>("emails").notNull(),
  includeImages: integer("include_images", { mode: "boolean" }).notNull().default(false),
  nextRunAt: ms("next_run_at"),
  lastRunAt: ms("last_run_at"),
  updatedBy: text("updated_by").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** Emails: sent through Resend, or kept here (the outbox) when no API key is set. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    storeHash: text("store_hash"),
    kind: text("kind").notNull(),
    to: json<string[]>("to").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    status: text("status", { enum: ["queued", "sent", "outbox", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: ms("created_at").notNull(),
    sentAt: ms("sent_at"),
  },
  (t) => [index("outbox_store").on(t.storeHash, t.createdAt)],
);

export const planChanges = sqliteTable("plan_changes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  storeHash: text("store_hash").notNull(),
  fromPlan: text("from_plan").notNull(),
  toPlan: text("to_plan").notNull(),
  userId: integer("user_id").notNull(),
  userEmail: text("user_email").notNull(),
  changedAt: ms("changed_at").notNull(),
});

/** One-time sign-in links for the app's own address (outside the control panel). Only the hash is kept. */
export const signinTokens = sqliteTable(
  "signin_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    createdAt: ms("created_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    usedAt: ms("used_at"),
  },
  (t) => [
    index("signin_tokens_email").on(t.email, t.createdAt),
    index("signin_tokens_ip").on(t.ip, t.createdAt),
  ],
);

/** Every sign-in outside the control panel: who, when, from where (shown on the Settings page). */
export const signins = sqliteTable(
  "signins",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    storeHash: text("store_hash").notNull(),
    userId: integer("user_id").notNull(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    userAgent: text("user_agent"),
    at: ms("at").notNull(),
  },
  (t) => [index("signins_store").on(t.storeHash, t.at)],
);

/** Image files the vault keeps (bytes in R2 at `images/{store_hash}/{sha256}`): one row per distinct file per store. */
export const imageFiles = sqliteTable(
  "image_files",
  {
    storeHash: text("store_hash").notNull(),
    sha256: text("sha256").notNull(),
    bytes: integer("bytes").notNull(),
    contentType: text("content_type").notNull(),
    firstSeenAt: ms("first_seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeHash, t.sha256] })],
);

/**
 * Each image URL (with its modification date) a backup downloaded, and the file it gave: a backup
 * downloads only URLs not here, so an unchanged catalog downloads nothing.
 */
export const imageSources = sqliteTable(
  "image_sources",
  {
    storeHash: text("store_hash").notNull(),
    sourceKey: text("source_key").notNull(),
    sha256: text("sha256").notNull(),
    fetchedAt: ms("fetched_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeHash, t.sourceKey] })],
);

/**
 * The image files a record version references, keyed by the version's body hash (`versions.hash`):
 * `images` is `[source key, sha256 | null, image field][]` in body order; `complete` is false while a
 * file is missing (retried by the next backup).
 */
export const versionImages = sqliteTable(
  "version_images",
  {
    storeHash: text("store_hash").notNull(),
    versionHash: text("version_hash").notNull(),
    type: text("type").notNull(),
    recordId: text("record_id").notNull(),
    images: json<[string, string | null, number][]>("images").notNull(),
    complete: integer("complete", { mode: "boolean" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeHash, t.versionHash] })],
);

export type Store = typeof stores.$inferSelect;
export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Backup = typeof backups.$inferSelect;
export type VaultRecord = typeof records.$inferSelect;
export type Version = typeof versions.$inferSelect;
export type Restore = typeof restores.$inferSelect;
export type RestoreItem = typeof restoreItems.$inferSelect;
export type Export = typeof exportsTable.$inferSelect;
export type ExportSchedule = typeof exportSchedules.$inferSelect;
