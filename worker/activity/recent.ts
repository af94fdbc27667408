import { getType, isTypeKey } from "../bigcommerce/registry";
import type { Db } from "../db/client";

/**
 * Recent activity: the store's latest backups, restores and exports as one list, newest first,
 * each with the SPA page that shows its detail. One query per table (each indexed by store and
 * time), merged here: cheaper and clearer than a UNION across differently shaped tables.
 */
export type ActivityKind = "backup" | "restore" | "export";

export type Activity = {
  kind: ActivityKind;
  id: string;
  /** What a merchant reads: "Backup all data", "Bulk restore of 3 content types", "Weekly export". */
  title: string;
  /** The table's own status word (running, done, failed, progressing, fail...). */
  status: string;
  at: number;
  finishedAt: number | null;
  /** A short line under the title: counts or the error. */
  detail: string | null;
  href: string;
};

/** Where each activity's detail lives in the SPA. */
export const activityHref = {
  backup: (id: string) => `/vault/recovery?backup=${encodeURIComponent(id)}`,
  restore: (id: string) => `/vault/recovery/restores/${encodeURIComponent(id)}`,
  export: (id: string) => `/export/history?export=${encodeURIComponent(id)}`,
};

const backupTitles: Record<string, string> = {
  manual: "Backup all data",
  scheduled: "Scheduled backup",
  initial: "First backup",
  incremental: "Incremental backup",
};

const exportTitles: Record<string, string> = {
  manual: "Quick Export",
  weekly: "Weekly export",
  monthly: "Monthly export",
};

const typesPhrase = (types: string[]) =>
  types.length === 1 && isTypeKey(types[0]) ? getType(types[0]).label : `${types.length} content types`;

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

type BackupRow = {
  id: string;
  kind: string;
  status: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
  versions_written: number;
  types: string;
};
type RestoreRow = {
  id: string;
  kind: string;
  status: string;
  created_at: number;
  finished_at: number | null;
  error: string | null;
  types: string;
  success_count: number;
  error_count: number;
  total_count: number;
};
type ExportRow = {
  id: string;
  kind: string;
  status: string;
  created_at: number;
  finished_at: number | null;
  error: string | null;
  types: string;
};

export async function recentActivity(db: Db, storeHash: string, limit = 10): Promise<Activity[]> {
  const d1 = db.$client;
  const [backups, restores, exportsRows] = await d1.batch([
    d1
      .prepare(
        "select id, kind, status, started_at, finished_at, error, versions_written, types from backups where store_hash = ? order by started_at desc limit ?",
      )
      .bind(storeHash, limit),
    d1
      .prepare(
        "select id, kind, status, created_at, finished_at, error, types, success_count, error_count, total_count from restores where store_hash = ? order by created_at desc limit ?",
      )
      .bind(storeHash, limit),
    d1
      .prepare(
        "select id, kind, status, created_at, finished_at, error, types from exports where store_hash = ? order by created_at desc limit ?",
      )
      .bind(storeHash, limit),
  ]);
  const out: Activity[] = [
    ...(backups.results as BackupRow[]).map((r) => ({
      kind: "backup" as const,
      id: r.id,
      title: backupTitles[r.kind] ?? "Backup",
      status: r.status,
      at: r.started_at,
      finishedAt: r.finished_at,
      detail: r.error ?? (r.status === "done" ? `${plural(r.versions_written, "change")} saved` : null),
      href: activityHref.backup(r.id),
    })),
    ...(restores.results as RestoreRow[]).map((r) => ({
      kind: "restore" as const,
      id: r.id,
      title:
        r.kind === "single"
          ? "Restore one record"
          : r.kind === "undo"
            ? "Undo a restore"
            : `Bulk restore of ${typesPhrase(JSON.parse(r.types))}`,
      status: r.status,
      at: r.created_at,
      finishedAt: r.finished_at,
      detail:
        r.error ??
        (r.total_count > 0
          ? `${plural(r.success_count, "item")} restored, ${plural(r.error_count, "error")}`
          : null),
      href: activityHref.restore(r.id),
    })),
    ...(exportsRows.results as ExportRow[]).map((r) => ({
      kind: "export" as const,
      id: r.id,
      title: `${exportTitles[r.kind] ?? "Export"} of ${typesPhrase(JSON.parse(r.types))}`,
      status: r.status,
      at: r.created_at,
      finishedAt: r.finished_at,
      detail: r.error,
      href: activityHref.export(r.id),
    })),
  ];
  return out.sort((a, b) => b.at - a.at).slice(0, limit);
}
