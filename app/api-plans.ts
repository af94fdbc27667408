import { type Plan, request } from "./api";

/** Client for the plans, settings and Discovery routes (worker/plans, worker/settings, worker/activity). */

export type PlanFeatureView = { key: string; label: string; included: boolean };

export type PlanView = {
  key: Plan;
  name: string;
  tagline: string;
  price: string;
  allTypes: boolean;
  types: { type: string; label: string }[];
  retentionDays: number;
  features: PlanFeatureView[];
};

export type PlanChange = {
  id: number;
  fromPlan: string;
  toPlan: string;
  userEmail: string;
  changedAt: number;
};

export type PlansResponse = { current: Plan; plans: PlanView[]; changes: PlanChange[] };

export type Frequency = "hourly" | "daily" | "weekly" | "sync";

export type SettingsView = {
  settings: {
    backupHour: number;
    timezone: string;
    autoSync: boolean;
    notificationEmails: string[];
    quotaReservePct: number;
    retentionDays: number;
  };
  limits: {
    plan: Plan;
    maxRetentionDays: number;
    canSchedule: boolean;
    canAutoSync: boolean;
    quotaReserveMin: number;
    quotaReserveMax: number;
  };
  types: {
    type: string;
    label: string;
    group: "store" | "content";
    items: number;
    frequency: Frequency | "manual";
    choices: Frequency[];
    callsPerDay: number;
  }[];
  totalCallsPerDay: number;
  nextBackupAt: number | null;
  updatedAt: number | null;
  updatedBy: string | null;
};

export type SettingsInput = Partial<SettingsView["settings"]> & {
  typeFrequencies?: Record<string, Frequency>;
};

export type Activity = {
  kind: "backup" | "restore" | "export";
  id: string;
  title: string;
  status: string;
  at: number;
  finishedAt: number | null;
  detail: string | null;
  href: string;
};

export type DiscoveryView = {
  plan: { key: Plan; name: string };
  protection: {
    lastBackup: {
      id: string;
      kind: string;
      status: string;
      startedAt: number;
      finishedAt: number | null;
      error: string | null;
    } | null;
    lastSuccessfulBackupAt: number | null;
    nextBackupAt: number | null;
    autoSync: boolean;
    lastSyncChange: {
      type: string;
      label: string;
      recordId: string;
      displayName: string;
      change: string;
      capturedAt: number;
    } | null;
  };
  runningJob: {
    id: string;
    kind: string;
    backupId: string | null;
    startedAt: number;
    percent: number | null;
    done: number;
    total: number | null;
    etaMs: number | null;
  } | null;
  groups: {
    key: string;
    label: string;
    items: number;
    bytes: number;
    types: { type: string; label: string; items: number; bytes: number; inPlan: boolean }[];
  }[];
  activity: Activity[];
  changes: { since: number; days: number; types: { type: string; label: string; count: number }[] };
  nextStep: { kind: string; message: string; href: string | null; linkLabel: string | null };
};

export const plansApi = {
  plans: () => request<PlansResponse>("/api/plans"),
  changePlan: (plan: Plan) => request<PlansResponse>("/api/plan", { method: "PUT", body: { plan } }),
  settings: () => request<SettingsView>("/api/settings"),
  saveSettings: (input: SettingsInput) =>
    request<SettingsView>("/api/settings", { method: "PUT", body: input }),
  discovery: () => request<DiscoveryView>("/api/discovery"),
  /** Starts the first backup of a store that never had one; a no-op otherwise. */
  startFirstBackup: () =>
    request<{ started: boolean }>("/api/discovery/first-backup", { method: "POST", body: {} }),
};
