import { z } from "@hono/zod-openapi";

/** Shared query validators: every list pages and filters dates the same way, with the same limits. */
export const pageNumber = z.coerce.number().int().min(1).max(100_000).default(1);
export const pageSize = (max = 200, fallback = 50) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** A calendar date `YYYY-MM-DD` that exists (no 2026-13-45, no February 30th). */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, "not a calendar date");
