import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ExportMessage, enqueueDueExports } from "../worker/export/cron";
import { nextRunAt } from "../worker/export/schedule";

const iso = (ms: number) => new Date(ms).toISOString();
const localHour = (ms: number, timeZone: string) =>
  Number(new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" }).format(ms));

describe("export schedule", () => {
  it("runs a monthly export set to the 31st on the last day of shorter months", () => {
    const rule = { frequency: "monthly" as const, dayOfMonth: 31 };
    expect(iso(nextRunAt(rule, Date.UTC(2026, 1, 1), "UTC"))).toBe("2026-02-28T03:00:00.000Z");
    expect(iso(nextRunAt(rule, Date.UTC(2028, 1, 1), "UTC"))).toBe("2028-02-29T03:00:00.000Z");
    expect(iso(nextRunAt(rule, Date.UTC(2026, 3, 1), "UTC"))).toBe("2026-04-30T03:00:00.000Z");
    // After February's run, March's is on the 31st again.
    expect(iso(nextRunAt(rule, Date.UTC(2026, 1, 28, 3), "UTC"))).toBe("2026-03-31T03:00:00.000Z");
  });

  it("computes the day in the store's timezone", () => {
    // 23:30 UTC on Jan 31 is already Feb 1 in Tokyo: the next monthly run on the 1st is March 1st there.
    const at = nextRunAt(
      { frequency: "monthly", dayOfMonth: 1 },
      Date.UTC(2026, 0, 31, 23, 30),
      "Asia/Tokyo",
    );
    expect(iso(at)).toBe("2026-02-28T18:00:00.000Z");
  });

  it("keeps a weekly export at 03:00 local across a daylight-saving change", () => {
    const tz = "America/New_York";
    const rule = { frequency: "weekly" as const, dayOfWeek: 0 };
    const first = nextRunAt(rule, Date.UTC(2026, 1, 27), tz);
    const second = nextRunAt(rule, first, tz);
    const third = nextRunAt(rule, second, tz);
    expect(iso(first)).toBe("2026-03-01T08:00:00.000Z"); // EST
    expect(iso(second)).toBe("2026-03-08T07:00:00.000Z"); // EDT from that morning
    expect(second - first).toBe(7 * 24 * 3600_000 - 3600_000);
    for (const t of [first, second, third]) expect(localHour(t, tz)).toBe(3);
    // Autumn: Paris falls back on Oct 25 2026.
    const paris = nextRunAt({ frequency: "weekly", dayOfWeek: 0 }, Date.UTC(2026, 9, 19), "Europe/Paris");
    expect(iso(paris)).toBe("2026-10-25T02:00:00.000Z");
    expect(localHour(paris, "Europe/Paris")).toBe(3);
  });

  it("runs a missed schedule once when the app comes back, not once per missed week", async () => {
    const now = Date.UTC(2026, 5, 20, 12);
    await env.DB.prepare(
      "insert into stores (hash, status, scope, installed_at, timezone) values ('schedstore', 'installed', 'x', ?, 'UTC')",
    )
      .bind(now)
      .run();
    // Due three weeks ago (an outage since).
    await env.DB.prepare(
      "insert into export_schedules (store_hash, enabled, frequency, day_of_week, types, emails, next_run_at, updated_by, updated_at) values ('schedstore', 1, 'weekly', 1, '[\"products\"]', '[\"a@example.com\"]', ?, 'x', ?)",
    )
      .bind(now - 21 * 24 * 3600_000, now)
      .run();
    const sent: ExportMessage[] = [];
    const fakeEnv = {
      ...env,
      JOBS_QUEUE: {
        sendBatch: async (b: { body: ExportMessage }[]) => void sent.push(...b.map((m) => m.body)),
      },
    } as unknown as Env;
    expect(await enqueueDueExports(fakeEnv, now)).toEqual(["schedstore"]);
    expect(await enqueueDueExports(fakeEnv, now + 3600_000)).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: "export",
      store: "schedstore",
      exportKind: "weekly",
      types: ["products"],
      emails: ["a@example.com"],
    });
    const row = await env.DB.prepare(
      "select next_run_at, last_run_at from export_schedules where store_hash = 'schedstore'",
    ).first<{
      next_run_at: number;
      last_run_at: number;
    }>();
    expect(row?.last_run_at).toBe(now);
    // The next Monday after the recovery, not a date in the past.
    expect(iso(row?.next_run_at ?? 0)).toBe("2026-06-22T03:00:00.000Z");
  });
});
