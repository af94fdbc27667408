import { type ContentGroup, request } from "../../api";

export type ExportKind = "manual" | "weekly" | "monthly";
export type ExportStatus = "queued" | "running" | "done" | "failed";

export type ExportLink = { name: string; size: number; url: string };

export type ExportRow = {
  id: string;
  kind: ExportKind;
  status: ExportStatus;
  types: string[];
  typeCount: number;
  emails: string[];
  createdAt: number;
  finishedAt: number | null;
  expiresAt: number | null;
  size: number;
  counts: Record<string, number>;
  links: ExportLink[];
  error: string | null;
  /** "vault": built from the latest backup (no API calls). */
  source: ExportSource;
  /** Vault exports: the backup's last capture of the chosen types. */
  asOf: number | null;
};

export type ExportTypeProgress = {
  type: string;
  label: string;
  done: number;
  total: number | null;
  status: "pending" | "running" | "done" | "failed" | "unavailable";
  note?: string;
};

export type ExportSource = "live" | "vault";

export type ExportDetail = ExportRow & {
  progress: ExportTypeProgress[];
  phase: "queued" | "fetch" | "package" | "done" | "failed";
};

export type ExportOptions = {
  types: { type: string; label: string; group: ContentGroup }[];
  defaultEmail: string;
  timezone: string;
  linkDays: number;
  splitGb: number;
  /** BigCommerce refuses the store's token: exports are built from the latest backup. */
  tokenRevoked: boolean;
  /** The vault's last capture (null: never backed up). */
  lastBackupAt: number | null;
};

export type ExportEstimate = {
  records: number;
  bytes: number;
  /** The files before compression (JSON Lines + CSV, and the images when included). */
  estimatedBytes: number;
  images: { count: number; bytes: number };
};

export type ExportSchedule = {
  enabled: boolean;
  frequency: "weekly" | "monthly";
  /** 0 = Sunday. */
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  types: string[];
  emails: string[];
  /** Each run's ZIP carries the image files under images/. */
  includeImages: boolean;
  nextRunAt: number | null;
  lastRunAt: number | null;
  updatedAt: number;
};

export type ScheduleInput = Pick<
  ExportSchedule,
  "enabled" | "frequency" | "dayOfWeek" | "dayOfMonth" | "types" | "emails" | "includeImages"
>;

/** The export routes (worker/export/routes.ts). */
export const exportApi = {
  options: () => request<ExportOptions>("/api/export-options"),
  /** 409 `job_running` while a backup, restore or export of the store runs. */
  start: (body: { types: string[]; emails: string[]; includeImages: boolean; source: ExportSource }) =>
    request<{ id: string; source: ExportSource }>("/api/exports", { method: "POST", body }),
  estimate: (types: string[], includeImages: boolean) =>
    request<ExportEstimate>("/api/export-estimate", {
      query: { types: types.join(","), includeImages: String(includeImages) },
    }),
  get: (id: string) => request<ExportDetail>(`/api/exports/${encodeURIComponent(id)}`),
  list: (range: { from?: string; to?: string }) =>
    request<{ exports: ExportRow[]; timezone: string }>("/api/exports", { query: range }),
  schedule: () => request<{ schedule: ExportSchedule | null; timezone: string }>("/api/export-schedule"),
  saveSchedule: (body: ScheduleInput) =>
    request<{ schedule: ExportSchedule; timezone: string }>("/api/export-schedule", { method: "PUT", body }),
};

export const kindLabel: Record<ExportKind, string> = {
  manual: "Manual",
  weekly: "Weekly",
  monthly: "Monthly",
};
