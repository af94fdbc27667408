import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { nextDailyRun, typesDueAt } from "../worker/settings/schedule";
import { installAndSignIn, installStore } from "./plans.support";

type Settings = {
  settings: {
    backupHour: number;
    timezone: string;
    notificationEmails: string[];
    quotaReservePct: number;
    retentionDays: number;
    autoSync: boolean;
  };
  limits: { maxRetentionDays: number; canAutoSync: boolean };
  types: { type: string; items: number; frequency: string; choices: string[]; callsPerDay: number }[];
  totalCallsPerDay: number;
  nextBackupAt: number | null;
};

async function expectFieldError(res: Response, status: number, field: string) {
  expect(res.status).toBe(status);
  const body = await res.json<{ error: { code: string; field?: string; message: string } }>();
  expect(body.error.field).toBe(field);
  expect(body.error.message.length).toBeGreaterThan(5);
  return body.error;
}

describe("settings validation", () => {
  it("refuses bad input with 400 and the field, and changes nothing", async () => {
    const client = await installAndSignIn("setval1");
    const before = await env.DB.prepare("select * from stores where hash = 'setval1'").first();
    await expectFieldError(
      await client.send("PUT", "/api/settings", { timezone: "Mars/Olympus_Mons" }),
      400,
      "timezone",
    );
    await expectFieldError(
      await client.send("PUT", "/api/settings", { quotaReservePct: 60 }),
      400,
      "quotaReservePct",
    );
    await expectFieldError(
      await client.send("PUT", "/api/settings", { quotaReservePct: 2 }),
      400,
      "quotaReservePct",
    );
    await expectFieldError(await client.send("PUT", "/api/settings", { backupHour: 24 }), 400, "backupHour");
    await expectFieldError(
      await client.send("PUT", "/api/settings", { notificationEmails: ["ok@example.com", "not-an-email"] }),
      400,
      "notificationEmails.1",
    );
    const retention = await expectFieldError(
      await client.send("PUT", "/api/settings", { retentionDays: 400 }),
      400,
      "retentionDays",
    );
    expect(retention.message).toBe("The Standard plan keeps versions for at most 365 days.");
    await expectFieldError(
      await client.send("PUT", "/api/settings", { typeFrequencies: { brands: "hourly" } }),
      400,
      "typeFrequencies.brands",
    );
    await expectFieldError(
      await client.send("PUT", "/api/settings", { typeFrequencies: { nope: "daily" } }),
      400,
      "typeFrequencies.nope",
    );
    expect(await env.DB.prepare("select * from stores where hash = 'setval1'").first()).toEqual(before);
  });

  it("saves valid settings, dedupes emails and recomputes the next backup in the store's time zone", async () => {
    const client = await installAndSignIn("setok1");
    const res = await client.send("PUT", "/api/settings", {
      backupHour: 3,
      timezone: "America/New_York",
      quotaReservePct: 35,
      retentionDays: 90,
      notificationEmails: ["Ops@Example.com", "ops@example.com ", "cto@example.com"],
    });
    expect(res.status).toBe(200);
    const body = await res.json<Settings>();
    expect(body.settings).toMatchObject({
      backupHour: 3,
      timezone: "America/New_York",
      quotaReservePct: 35,
      retentionDays: 90,
      notificationEmails: ["ops@example.com", "cto@example.com"],
    });
    // 3:00 in New York is 07:00 or 08:00 UTC depending on daylight saving time.
    const next = new Date(body.nextBackupAt!);
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);
    expect(body.nextBackupAt! - Date.now()).toBeGreaterThan(0);
    expect(body.nextBackupAt! - Date.now()).toBeLessThanOrEqual(86_400_000);
    const row = await env.DB.prepare(
      "select next_backup_at, settings_updated_by from stores where hash = 'setok1'",
    ).first();
    expect(row).toEqual({ next_backup_at: body.nextBackupAt, settings_updated_by: "owner@setok1.test" });
    const again = await (await client.get("/api/settings")).json<Settings>();
    expect(again.settings.notificationEmails).toEqual(["ops@example.com", "cto@example.com"]);
  });

  it("offers hourly and automatic sync only on Pro, and only where they make sense", async () => {
    const standard = await installAndSignIn("setfreq1");
    const refused = await standard.send("PUT", "/api/settings", { typeFrequencies: { orders: "hourly" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { code: "plan_required", message: "Hourly backups needs the Pro plan." },
    });

    const pro = await installAndSignIn("setfreq2", "pro");
    const view = await (await pro.get("/api/settings")).json<Settings>();
    const choices = Object.fromEntries(view.types.map((t) => [t.type, t.choices]));
    expect(choices.orders).toEqual(["hourly", "daily", "weekly", "sync"]);
    expect(choices.categories).toEqual(["daily", "weekly", "sync"]);
    expect(choices.brands).toEqual(["daily", "weekly"]);
    expect(choices.customer_groups).not.toContain("hourly");

    const res = await pro.send("PUT", "/api/settings", {
      autoSync: true,
      typeFrequencies: { orders: "hourly", brands: "weekly" },
    });
    expect(res.status).toBe(200);
    const saved = await res.json<Settings>();
    const freq = Object.fromEntries(saved.types.map((t) => [t.type, t.frequency]));
    expect(freq).toMatchObject({
      orders: "hourly",
      brands: "weekly",
      products: "sync",
      customer_groups: "daily",
    });
    // An hourly type brings the next backup within the hour.
    expect(saved.nextBackupAt! - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it("computes the expected API calls per day from the store's counts", async () => {
    const client = await installAndSignIn("setcalls1", "pro");
    const now = Date.now();
    const insert = env.DB.prepare(
      "insert into records (store_hash, type, record_id, display_name, search_text, first_seen_at, last_changed_at, size) values ('setcalls1', ?, ?, ?, '', ?, ?, 100)",
    );
    const rows = [];
    for (let i = 0; i < 600; i++) rows.push(insert.bind("orders", String(i), `Order ${i}`, now, now));
    for (let i = 0; i < 10; i++) rows.push(insert.bind("brands", String(i), `Brand ${i}`, now, now));
    await env.DB.batch(rows);
    const daily = await (await client.get("/api/settings")).json<Settings>();
    const ordersDaily = daily.types.find((t) => t.type === "orders")!;
    expect(ordersDaily.items).toBe(600);
    expect(ordersDaily.callsPerDay).toBeGreaterThan(0);
    const hourly = await (
      await client.send("PUT", "/api/settings", { typeFrequencies: { orders: "hourly", brands: "weekly" } })
    ).json<Settings>();
    const ordersHourly = hourly.types.find((t) => t.type === "orders")!;
    expect(ordersHourly.callsPerDay).toBe(ordersDaily.callsPerDay * 24);
    expect(hourly.types.find((t) => t.type === "brands")!.callsPerDay).toBe(1);
    expect(hourly.totalCallsPerDay).toBe(hourly.types.reduce((s, t) => s + t.callsPerDay, 0));

    // Inventory on automatic sync: its hooks announce every stock change, so it is listed weekly only.
    await env.DB.batch(
      Array.from({ length: 1000 }, (_, i) => insert.bind("inventory", String(i), `SKU ${i}`, now, now)),
    );
    const inventory = async (frequency: string) =>
      (
        await (
          await client.send("PUT", "/api/settings", {
            autoSync: true,
            typeFrequencies: { inventory: frequency },
          })
        ).json<Settings>()
      ).types.find((t) => t.type === "inventory")!;
    const inventoryDaily = await inventory("daily");
    expect(inventoryDaily.callsPerDay).toBe(4);
    expect((await inventory("sync")).callsPerDay).toBe(1);
  });

  it("a session of store A cannot read or change store B's settings", async () => {
    const a = await installAndSignIn("isoseta");
    await installStore("isosetb");
    const before = await env.DB.prepare("select * from stores where hash = 'isosetb'").first();
    const res = await a.send("PUT", "/api/settings?store=isosetb", { quotaReservePct: 45 });
    expect(res.status).toBe(200);
    expect((await a.send("PUT", "/api/settings", { storeHash: "isosetb", quotaReservePct: 45 })).status).toBe(
      400,
    );
    expect(await env.DB.prepare("select * from stores where hash = 'isosetb'").first()).toEqual(before);
    await env.DB.prepare("update stores set timezone = 'Asia/Tokyo' where hash = 'isosetb'").run();
    const seen = await (await a.get("/api/settings?store=isosetb")).json<Settings>();
    expect(seen.settings.timezone).toBe("UTC");
    expect(seen.settings.quotaReservePct).toBe(45);
  });
});

describe("schedule", () => {
  it("finds the next daily run across a daylight saving change", () => {
    // 2026-03-08 is the US spring-forward day: 02:00 local does not exist, 03:00 EDT is 07:00 UTC.
    const before = Date.UTC(2026, 2, 8, 5, 0);
    expect(new Date(nextDailyRun(before, 3, "America/New_York")).toISOString()).toBe(
      "2026-03-08T07:00:00.000Z",
    );
    expect(new Date(nextDailyRun(Date.UTC(2026, 0, 10, 9), 3, "America/New_York")).toISOString()).toBe(
      "2026-01-11T08:00:00.000Z",
    );
    expect(new Date(nextDailyRun(Date.UTC(2026, 0, 10, 1), 2, "UTC")).toISOString()).toBe(
      "2026-01-10T02:00:00.000Z",
    );
  });

  it("runs hourly types every hour and the rest at the backup hour, weekly ones on Sundays", () => {
    const store = {
      plan: "pro" as const,
      timezone: "UTC",
      backupHour: 2,
      autoSync: false,
      typeFrequencies: { orders: "hourly" as const, brands: "weekly" as const },
    };
    expect(typesDueAt(store, Date.UTC(2026, 0, 7, 14))).toEqual(["orders"]);
    const wednesday = typesDueAt(store, Date.UTC(2026, 0, 7, 2));
    expect(wednesday).toContain("products");
    expect(wednesday).not.toContain("brands");
    expect(typesDueAt(store, Date.UTC(2026, 0, 11, 2))).toContain("brands");
    expect(typesDueAt({ ...store, plan: "free" }, Date.UTC(2026, 0, 7, 2))).toEqual([]);
  });
});
