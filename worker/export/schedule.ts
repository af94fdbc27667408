/**
 * When a scheduled export runs, in the store's timezone. Runs happen at EXPORT_LOCAL_HOUR local
 * time on the chosen day; a monthly day past the month's end (the 31st in February) runs on the
 * month's last day. Local wall time is converted to an instant with the timezone's offset at that
 * moment, so a weekly export stays at 03:00 local across daylight-saving changes.
 */
export const EXPORT_LOCAL_HOUR = 3;

export type ScheduleRule = {
  frequency: "weekly" | "monthly";
  dayOfWeek?: number | null;
  dayOfMonth?: number | null;
};

type Local = { y: number; m: number; d: number; h: number; min: number; s: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): Local {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p.year, m: p.month - 1, d: p.day, h: p.hour % 24, min: p.minute, s: p.second };
}

/** The timezone's offset from UTC (ms) at instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const l = localParts(ms, timeZone);
  return Date.UTC(l.y, l.m, l.d, l.h, l.min, l.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant the wall clock in `timeZone` shows y-m-d h:00 (in a DST gap: the hour after). */
export function zonedTime(y: number, m: number, d: number, h: number, timeZone: string): number {
  const wall = Date.UTC(y, m, d, h);
  let utc = wall - offsetAt(wall, timeZone);
  utc = wall - offsetAt(utc, timeZone);
  return utc;
}

export const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** The first run strictly after `after`. */
export function nextRunAt(
  rule: ScheduleRule,
  after: number,
  timeZone = "UTC",
  hour = EXPORT_LOCAL_HOUR,
): number {
  const tz = safeZone(timeZone);
  const start = localParts(after, tz);
  for (let i = 0; i < 400; i++) {
    const date = new Date(Date.UTC(start.y, start.m, start.d + i));
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth();
    const d = date.getUTCDate();
    const matches =
      rule.frequency === "weekly"
        ? date.getUTCDay() === (rule.dayOfWeek ?? 1)
        : d === Math.min(rule.dayOfMonth ?? 1, daysInMonth(y, m));
    if (!matches) continue;
    const at = zonedTime(y, m, d, hour, tz);
    if (at > after) return at;
  }
  throw new Error("No run found within 400 days");
}
