/**
 * Formatters for what merchants read: sizes, counts, dates and durations. Dates are shown in the
 * store's timezone once the session tells us which it is, so "Last backup" matches the control panel.
 */

let storeTimeZone: string | undefined;

/** Sets the timezone used by date formatters (an IANA name such as "America/Chicago"). */
export function setStoreTimeZone(timeZone: string | null | undefined) {
  storeTimeZone = timeZone && isValidTimeZone(timeZone) ? timeZone : undefined;
}

function isValidTimeZone(timeZone: string) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const numberFormat = new Intl.NumberFormat("en-US");

export function formatNumber(value: number | null | undefined): string {
  return value == null ? "–" : numberFormat.format(value);
}

const byteUnits = ["B", "KB", "MB", "GB", "TB"];

/** 1536 → "1.5 KB" (binary multiples, as storage is usually reported). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return "–";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${byteUnits[unit]}`;
}

type DateInput = number | string | Date | null | undefined;

function toDate(value: DateInput): Date | undefined {
  if (value == null || value === "") return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "Nov 21, 2026, 3:04 PM" in the store's timezone. */
export function formatDateTime(value: DateInput): string {
  const date = toDate(value);
  if (!date) return "–";
  return date.toLocaleString("en-US", {
    timeZone: storeTimeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  });
}

/** "Nov 21, 2026" in the store's timezone. */
export function formatDate(value: DateInput): string {
  const date = toDate(value);
  if (!date) return "–";
  return date.toLocaleDateString("en-US", {
    timeZone: storeTimeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

/** "3:04 PM" in the store's timezone. */
export function formatTime(value: DateInput): string {
  const date = toDate(value);
  if (!date) return "–";
  return date.toLocaleTimeString("en-US", { timeZone: storeTimeZone, hour: "numeric", minute: "2-digit" });
}

/** 330000 → "about 6 minutes"; short values read as "less than a minute". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "–";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes === 1) return "about 1 minute";
  if (minutes < 90) return `about ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hours`;
}

/** done/total as a whole percentage, 0 when the total is not known yet. */
export function percent(done: number, total: number | null | undefined): number {
  if (!total || total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round((done / total) * 100)));
}
