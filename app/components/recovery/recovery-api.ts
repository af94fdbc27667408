import { type ContentGroup, request } from "../../api";

/** The version a view is about: a completed backup, or (Pro) any moment. */
export type Target = { backupId?: string; at?: number };

export type BackupVersion = {
  backupId: string;
  at: number;
  startedAt: number;
  kind: string;
  types: number;
  versionsWritten: number;
};

export type StateType = {
  type: string;
  label: string;
  group: ContentGroup;
  restoreMode: "automatic" | "team_assisted";
  teamAssistedReason: string | null;
  backedUp: number;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  changed: boolean;
};

export type VersionState = {
  at: number;
  backupId: string | null;
  latestAt: number | null;
  types: StateType[];
  supportEmail: string;
  accountEmail: string;
};

export type Differences = {
  type: string;
  label: string;
  selectedAt: number;
  latestAt: number | null;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  items: { recordId: string; name: string; change: "added" | "updated" | "deleted" | "unchanged" }[];
  total: number;
  page: number;
  pageSize: number;
};

export type TypePlan = {
  type: string;
  label: string;
  update: number;
  create: number;
  delete: number;
  keep: number;
  unchanged: number;
  calls: number;
};

export type DryRun = {
  at: number;
  backupId: string | null;
  types: TypePlan[];
  calls: number;
  etaMs: number;
  quota: { perWindow: number; windowMs: number; reservePct: number; assumed: boolean };
};

export type RestoreRequest = Target & { types: string[]; deleteCreated: boolean };

export type RecoveryStatus = "progressing" | "done" | "fail";

export type ProcessType = {
  type: string;
  label: string;
  status: "waiting" | "progressing" | "done" | "fail" | "cancelled";
  total: number;
  completed: number;
  successful: number;
  errors: number;
  cancelled: number;
  changed: { update: number; create: number; delete: number };
  planned: { update: number; create: number; delete: number } | null;
};

export type Changed = { type: string; label: string; action: "update" | "create" | "delete"; count: number };

export type RestoreProcess = {
  restore: {
    id: string;
    kind: "single" | "bulk" | "undo";
    status: RecoveryStatus;
    rawStatus: string;
    cancelled: boolean;
    cancelRequested: boolean;
    deleteCreated: boolean;
    targetAt: number;
    targetBackupId: string | null;
    emails: string[];
    createdBy: string;
    createdAt: number;
    finishedAt: number | null;
    percent: number;
    total: number;
    completed: number;
    successCount: number;
    errorCount: number;
    error: string | null;
    undoOf: string | null;
    undoneBy: string | null;
    canUndo: boolean;
  };
  types: ProcessType[];
  changed: Changed[];
};

export type RestoreItem = {
  recordId: string;
  name: string;
  action: string;
  status: "pending" | "done" | "error" | "skipped";
  message: string | null;
  newId: string | null;
  finishedAt: number | null;
};

export type HistoryRow = {
  id: string;
  kind: "bulk" | "undo";
  status: RecoveryStatus;
  cancelled: boolean;
  versionAt: number;
  recoveredAt: number;
  finishedAt: number | null;
  successCount: number;
  errorCount: number;
  totalCount: number;
  types: string[];
  undoOf: string | null;
  undoneBy: string | null;
  canUndo: boolean;
};

const target = (t: Target) => ({ backupId: t.backupId, at: t.backupId ? undefined : t.at });

export const recoveryApi = {
  versions: (q: { from?: number; to?: number }) =>
    request<{ versions: BackupVersion[]; latestAt: number | null; pointInTime: boolean }>(
      "/api/recovery/versions",
      {
        query: q,
      },
    ),
  state: (t: Target) => request<VersionState>("/api/recovery/state", { query: target(t) }),
  compare: (type: string, t: Target, page: number, pageSize = 20) =>
    request<Differences>(`/api/recovery/compare/${encodeURIComponent(type)}`, {
      query: { ...target(t), page, pageSize },
    }),
  plan: (body: RestoreRequest) =>
    request<DryRun>("/api/recovery/plan", { method: "POST", body: { ...body, ...target(body) } }),
  start: (body: RestoreRequest & { emails: string[] }) =>
    request<{ restoreId: string }>("/api/recovery/restores", {
      method: "POST",
      body: { ...body, ...target(body) },
    }),
  process: (id: string) => request<RestoreProcess>(`/api/recovery/restores/${encodeURIComponent(id)}`),
  items: (id: string, q: { type: string; status?: string; page: number; pageSize?: number }) =>
    request<{ items: RestoreItem[]; total: number; page: number; pageSize: number }>(
      `/api/recovery/restores/${encodeURIComponent(id)}/items`,
      { query: { ...q, pageSize: q.pageSize ?? 25 } },
    ),
  cancel: (id: string) =>
    request<{ message: string; changed: Changed[] }>(
      `/api/recovery/restores/${encodeURIComponent(id)}/cancel`,
      {
        method: "POST",
      },
    ),
  retry: (id: string, type?: string) =>
    request<{ restoreId: string; retried: number }>(
      `/api/recovery/restores/${encodeURIComponent(id)}/retry`,
      {
        method: "POST",
        body: { type },
      },
    ),
  undo: (id: string) =>
    request<{ restoreId: string }>(`/api/recovery/restores/${encodeURIComponent(id)}/undo`, {
      method: "POST",
    }),
  history: (q: { from?: number; to?: number; status?: RecoveryStatus; page: number; pageSize?: number }) =>
    request<{ rows: HistoryRow[]; total: number; page: number; pageSize: number }>("/api/recovery/history", {
      query: { ...q, pageSize: q.pageSize ?? 20 },
    }),
};

/** "3 updated, 1 re-created, 2 deleted" (parts that are zero left out). */
export function changeSummary(c: { update: number; create: number; delete: number }): string {
  const parts = [
    c.update ? `${c.update} updated` : "",
    c.create ? `${c.create} re-created` : "",
    c.delete ? `${c.delete} deleted` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "nothing";
}
