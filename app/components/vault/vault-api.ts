import { request } from "../../api";

/** The vault item and restore API (`/api/vault/...`, `/api/restores/...`), typed as the worker answers. */

export type RestoreMode = "automatic" | "team_assisted";

export type VaultTypeInfo = {
  key: string;
  label: string;
  group: "store" | "content";
  summary: string[];
  restoreMode: RestoreMode;
  teamAssistedReason: string | null;
};

export type VaultItem = {
  id: string;
  name: string;
  deleted: boolean;
  deletedAt: number | null;
  lastChangedAt: number;
  versionCount: number;
  size: number;
};

export type ItemSort = "changed_desc" | "changed_asc" | "name_asc" | "name_desc";
export type DeletedFilter = "include" | "exclude" | "only";

export type VersionMeta = {
  id: number;
  capturedAt: number;
  change: "created" | "updated" | "deleted";
  source: "backup" | "webhook" | "before_restore" | "restore" | string;
  backupId: string | null;
  displayName: string;
  size: number;
};

export type RestoreHistoryEntry = {
  restoreId: string;
  kind: "single" | "bulk" | "undo";
  restoreStatus: string;
  createdBy: string;
  createdAt: number;
  finishedAt: number | null;
  undoOf: string | null;
  undoneBy: string | null;
  action: string;
  status: string;
  fromVersionId: number | null;
  beforeVersionId: number | null;
  newId: string | null;
  message: string | null;
};

export type ItemDetail = {
  type: VaultTypeInfo;
  record: VaultItem & { firstSeenAt: number };
  currentId: string | null;
  versions: VersionMeta[];
  history: RestoreHistoryEntry[];
};

export type JsonRecord = Record<string, unknown>;

export type LiveRecord = {
  status: "live" | "deleted";
  id: string;
  fetchedAt: number;
  body: JsonRecord | null;
};

export type RestoreView = {
  restore: {
    id: string;
    kind: "single" | "bulk" | "undo";
    status: "planned" | "progressing" | "done" | "fail" | "cancelled";
    targetAt: number;
    createdBy: string;
    createdAt: number;
    finishedAt: number | null;
    totalCount: number;
    successCount: number;
    errorCount: number;
    undoOf: string | null;
    undoneBy: string | null;
    error: string | null;
  };
  items: {
    type: string;
    recordId: string;
    displayName: string;
    action: "update" | "create" | "delete" | "unchanged";
    status: "pending" | "done" | "error" | "skipped";
    newId: string | null;
    message: string | null;
  }[];
};

const itemPath = (type: string, id: string) =>
  `/api/vault/items/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

export const vaultItemsApi = {
  items: (
    type: string,
    query: { q?: string; page: number; pageSize: number; sort: ItemSort; deleted: DeletedFilter },
  ) =>
    request<{ type: VaultTypeInfo; items: VaultItem[]; page: number; pageSize: number; total: number }>(
      `/api/vault/types/${encodeURIComponent(type)}/items`,
      { query },
    ),
  search: (q: string) =>
    request<{ items: (VaultItem & { type: string; typeLabel: string; matchedOldVersion: boolean })[] }>(
      "/api/vault/search",
      {
        query: { q, limit: 50 },
      },
    ),
  item: (type: string, id: string) => request<ItemDetail>(itemPath(type, id)),
  version: (type: string, id: string, versionId: number) =>
    request<{ version: VersionMeta; body: JsonRecord | null }>(`${itemPath(type, id)}/versions/${versionId}`),
  live: (type: string, id: string) => request<LiveRecord>(`${itemPath(type, id)}/live`),
  restore: (type: string, id: string, versionId: number) =>
    request<{ restoreId: string }>(`${itemPath(type, id)}/restore`, { method: "POST", body: { versionId } }),
  restoreStatus: (restoreId: string) =>
    request<RestoreView>(`/api/restores/${encodeURIComponent(restoreId)}`),
  undo: (restoreId: string) =>
    request<{ restoreId: string }>(`/api/restores/${encodeURIComponent(restoreId)}/undo`, { method: "POST" }),
};

/** How the version list names where a version came from. */
export const sourceLabel: Record<string, string> = {
  backup: "Backup",
  webhook: "Automatic sync",
  before_restore: "Before restore",
  restore: "After restore",
};
