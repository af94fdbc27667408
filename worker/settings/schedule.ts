import { getType, type TypeKey } from "../bigcommerce/registry";
import type { Store } from "../db/schema";
import { getPlan, type PlanKey, planIncludesFeature, typesInPlan } from "../plans/plans";

/**
 * When each content type is captured. The hourly cron asks `typesDueAt(store, now)` which types to
 * back up and reads `stores.next_backup_at` (kept by `nextBackupAt`) to find due stores cheaply.
 *
 * - daily: once a day at the store's backup hour, in the store's time zone.
 * - weekly: with the daily run on Sundays (store time).
 * - hourly: every hour on the hour (Pro, and only the types that change by the minute).
 * - sync: webhooks capture each change as it happens (Pro, types with webhooks, automatic sync on);
 *   the daily run still lists the type as a safety net for missed deliveries.
 * - manual: the plan has no schedules (Free): backups run only when the merchant asks.
 */
export type Frequency = "hourly" | "daily" | "weekly" | "sync";
export type EffectiveFrequency = Frequency | "manual";

/** Types busy enough that a daily capture loses a working day of changes: the only ones offered hourly. */
export const HOURLY_TYPES: readonly TypeKey[] = ["orders", "customers", "products"];

const HOUR = 3_600_000;

type ScheduleStore = Pick<Store, "plan" | "timezone" | "backupHour" | "autoSync" | "typeFrequencies">;

export const hasWebhooks = (type: string) => (getType(type).webhooks?.length ?? 0) > 0;

/** The frequencies a merchant may pick for a type on a plan (the settings page's choices). */
export function frequencyChoices(type: TypeKey, plan: PlanKey): Frequency[] {
  if (!planIncludesFeature(plan, "scheduled_backup")) return [];
  const out: Frequency[] = [];
  if (HOURLY_TYPES.includes(type) && planIncludesFeature(plan, "hourly_backup")) out.push("hourly");
  out.push("daily", "weekly");
  if (hasWebhooks(type) && planIncludesFeature(plan, "auto_sync")) out.push("sync");
  return out;
}

/** What actually happens for a type: the stored choice, narrowed to what the plan and the sync switch allow. */
export function effectiveFrequency(store: ScheduleStore, type: TypeKey): EffectiveFrequency {
  const plan = getPlan(store.plan);
  if (!planIncludesFeature(plan, "scheduled_backup")) return "manual";
  const chosen = store.typeFrequencies[type] ?? (store.autoSync && hasWebhooks(type) ? "sync" : "daily");
  if (chosen === "sync" && !(store.autoSync && hasWebhooks(type) && planIncludesFeature(plan, "auto_sync")))
    return "daily";
  if (chosen === "hourly" && !(HOURLY_TYPES.includes(type) && planIncludesFeature(plan, "hourly_backup")))
    return "daily";
  return chosen;
}

/** Local calendar fields of an instant in a time zone. */
function localParts(at: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
  }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "0";
  return {
    year: Number(get("year")),
    month: Number(get("month")),
    day: Number(get("day")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
    second: Number(get("second")),
    weekday: get("weekday"),
  };
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function zoneOffset(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

/** The instant a local wall-clock time happens (the later offset wins around DST changes). */
function zonedTime(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  return guess;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The next daily run strictly after `now`: the store's backup hour, in its time zone. */
export function nextDailyRun(now: number, backupHour: number, timeZone: string): number {
  const today = localParts(now, timeZone);
  for (let addDays = 0; addDays < 3; addDays++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + addDays));
    const at = zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), backupHour, timeZone);
    if (at > now) return at;
  }
  return now + 24 * HOUR;
}

/** The next scheduled capture of any type, or null when the plan has no schedules (Free). */
export function nextBackupAt(store: ScheduleStore, now: number): number | null {
  if (!planIncludesFeature(store.plan, "scheduled_backup")) return null;
  const daily = nextDailyRun(now, store.backupHour, store.timezone);
  const anyHourly = typesInPlan(store.plan).some((t) => effectiveFrequency(store, t) === "hourly");
  if (!anyHourly) return daily;
  const nextHour = Math.floor(now / HOUR) * HOUR + HOUR;
  return Math.min(daily, nextHour);
}

/**
 * The types a scheduled run at `at` should capture: at the daily backup hour every scheduled type
 * (weekly ones on Sundays), at any other hour only the hourly ones.
 */
export function typesDueAt(store: ScheduleStore, at: number): TypeKey[] {
  if (!planIncludesFeature(store.plan, "scheduled_backup")) return [];
  const local = localParts(at, store.timezone);
  const dailyRun = local.hour === store.backupHour;
  return typesInPlan(store.plan).filter((t) => {
    const f = effectiveFrequency(store, t);
    if (f === "hourly") return true;
    if (!dailyRun) return false;
    if (f === "weekly") return local.weekday === "Sun";
    return f === "daily" || f === "sync";
  });
}
