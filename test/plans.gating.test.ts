import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HttpError } from "../worker/lib/errors";
import { assertPlanAllows, cheapestPlanFor, requirePlan, typesInPlan } from "../worker/plans/plans";
import { installAndSignIn, installStore, signIn } from "./plans.support";
import { installViaOAuth } from "./support/install";

function refusal(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("expected a plan_required refusal");
}

describe("assertPlanAllows", () => {
  it("refuses a type outside the plan with 403 plan_required naming the cheapest plan that has it", () => {
    const err = refusal(() => assertPlanAllows({ plan: "free" }, { type: "customers", action: "export" }));
    expect(err.status).toBe(403);
    expect(err.body()).toEqual({
      error: { code: "plan_required", message: "Exporting Customers needs the Standard plan." },
    });
    expect(
      refusal(() => assertPlanAllows({ plan: "free" }, { types: ["products", "orders"], action: "restore" }))
        .message,
    ).toBe("Restoring Orders needs the Standard plan.");
  });

  it("refuses a feature with the plan that includes it", () => {
    expect(refusal(() => assertPlanAllows({ plan: "standard" }, { feature: "auto_sync" })).message).toBe(
      "Automatic sync needs the Pro plan.",
    );
    expect(refusal(() => assertPlanAllows({ plan: "free" }, { feature: "scheduled_export" })).message).toBe(
      "Weekly and monthly scheduled exports needs the Standard plan.",
    );
    expect(
      refusal(() => assertPlanAllows({ plan: "standard" }, { feature: "point_in_time_restore" })).message,
    ).toBe("Point-in-time restore needs the Pro plan.");
  });

  it("lets each plan do what it includes", () => {
    expect(() =>
      assertPlanAllows({ plan: "free" }, { types: ["products", "categories", "brands"], action: "export" }),
    ).not.toThrow();
    expect(() =>
      assertPlanAllows({ plan: "standard" }, { type: "customers", feature: "scheduled_backup" }),
    ).not.toThrow();
    expect(() =>
      assertPlanAllows({ plan: "pro" }, { type: "orders", feature: "hourly_backup" }),
    ).not.toThrow();
    expect(typesInPlan("free")).toEqual(["products", "brands", "categories"]);
    expect(typesInPlan("standard").length).toBeGreaterThan(20);
    expect(cheapestPlanFor({ type: "orders", feature: "auto_sync" })?.key).toBe("pro");
  });

  it("requirePlan reads the store's plan from D1", async () => {
    await installStore("gatefree1", "free");
    await expect(
      requirePlan(env, "gatefree1", { type: "customers", action: "export" }),
    ).rejects.toMatchObject({
      status: 403,
      code: "plan_required",
    });
    await expect(
      requirePlan(env, "gatefree1", { type: "products", action: "export" }),
    ).resolves.toMatchObject({ key: "free" });
  });
});

describe("plans routes", () => {
  it("new installs start on Standard and see the plans side by side", async () => {
    const client = await installAndSignIn("plansnew1");
    const res = await client.get("/api/plans");
    expect(res.status).toBe(200);
    const body = await res.json<{
      current: string;
      plans: { key: string; retentionDays: number }[];
      changes: unknown[];
    }>();
    expect(body.current).toBe("standard");
    expect(body.plans.map((p) => [p.key, p.retentionDays])).toEqual([
      ["free", 30],
      ["standard", 365],
      ["pro", 1095],
    ]);
    expect(body.changes).toEqual([]);
    const row = await env.DB.prepare("select plan from stores where hash = 'plansnew1'").first();
    expect(row).toEqual({ plan: "standard" });
  });

  it("records who changed the plan and when, and applies the new plan's limits", async () => {
    const client = await installAndSignIn("planchg1");
    expect((await client.send("PUT", "/api/plan", { plan: "pro" })).status).toBe(200);
    expect((await client.send("PUT", "/api/settings", { autoSync: true })).status).toBe(200);
    const before = Date.now();
    const res = await client.send("PUT", "/api/plan", { plan: "free" });
    expect(res.status).toBe(200);
    const body = await res.json<{
      current: string;
      changes: { fromPlan: string; toPlan: string; userEmail: string; changedAt: number }[];
    }>();
    expect(body.current).toBe("free");
    expect(body.changes.map((c) => [c.fromPlan, c.toPlan, c.userEmail])).toEqual([
      ["pro", "free", "owner@planchg1.test"],
      ["standard", "pro", "owner@planchg1.test"],
    ]);
    expect(body.changes[0].changedAt).toBeGreaterThanOrEqual(before);
    const store = await env.DB.prepare(
      "select plan, auto_sync, retention_days, next_backup_at from stores where hash = 'planchg1'",
    ).first();
    expect(store).toEqual({ plan: "free", auto_sync: 0, retention_days: 30, next_backup_at: null });

    // The change is enforced on the server: Free cannot turn automatic sync on again.
    const sync = await client.send("PUT", "/api/settings", { autoSync: true });
    expect(sync.status).toBe(403);
    expect(await sync.json()).toEqual({
      error: { code: "plan_required", message: "Automatic sync needs the Pro plan." },
    });
  });

  it("refuses an unknown plan and a plan change by a user who is not the owner", async () => {
    const owner = await installAndSignIn("planrole1");
    const bad = await owner.send("PUT", "/api/plan", { plan: "enterprise" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: "plan" } });
    const staff = await signIn("planrole1", { id: 2, email: "staff@planrole1.test", ownerId: 1 });
    const res = await staff.send("PUT", "/api/plan", { plan: "free" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "owner_required" } });
    expect(
      await env.DB.prepare("select count(*) as n from plan_changes where store_hash = 'planrole1'").first(),
    ).toEqual({ n: 0 });
  });

  it("a session of store A neither reads nor changes store B's plan", async () => {
    const a = await installAndSignIn("isoplana");
    await installStore("isoplanb", "pro");
    // The store comes from the session, never from the request: a store field is refused, B is untouched.
    const res = await a.send("PUT", "/api/plan", { plan: "free", store: "isoplanb" });
    expect(res.status).toBe(400);
    expect((await a.send("PUT", "/api/plan?store=isoplanb", { plan: "free" })).status).toBe(200);
    expect(await env.DB.prepare("select plan from stores where hash = 'isoplanb'").first()).toEqual({
      plan: "pro",
    });
    expect(await env.DB.prepare("select plan from stores where hash = 'isoplana'").first()).toEqual({
      plan: "free",
    });
    const seen = await (await a.get("/api/plans?store=isoplanb")).json<{ current: string }>();
    expect(seen.current).toBe("free");
  });
});

describe("every feature checks the plan on the server", () => {
  it("a Free store cannot start an export of customers, nor schedule exports, through the API", async () => {
    const client = await installAndSignIn("gateexp1", "free");
    const res = await client.send("POST", "/api/exports", {
      types: ["products", "customers"],
      emails: ["ops@gateexp1.test"],
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: "plan_required", message: "Exporting Customers needs the Standard plan." },
    });
    const schedule = await client.send("PUT", "/api/export-schedule", {
      enabled: true,
      frequency: "weekly",
      dayOfWeek: 1,
      types: ["products"],
      emails: ["ops@gateexp1.test"],
    });
    expect(schedule.status).toBe(403);
    expect(await schedule.json()).toMatchObject({
      error: { code: "plan_required", message: expect.stringContaining("Standard plan") },
    });
    const rows = await env.DB.prepare(
      "select (select count(*) from exports where store_hash = 'gateexp1') as exports, (select count(*) from export_schedules where store_hash = 'gateexp1') as schedules",
    ).first();
    expect(rows).toEqual({ exports: 0, schedules: 0 });
  });
});

describe("backups and restores check the plan", () => {
  it("a Free store backs up only its plan's types and cannot back up or restore others", async () => {
    const app = await installViaOAuth("demo", 41);
    expect((await app.api("/api/plan", { method: "PUT", json: { plan: "free" } })).status).toBe(200);

    const customers = await app.api("/api/backups", { method: "POST", json: { types: ["customers"] } });
    expect(customers.status).toBe(403);
    expect(await customers.json()).toEqual({
      error: { code: "plan_required", message: "Backing up Customers needs the Standard plan." },
    });

    const restore = await app.api("/api/vault/items/customers/1/restore", {
      method: "POST",
      json: { versionId: 1 },
    });
    expect(restore.status).toBe(403);
    expect(await restore.json()).toMatchObject({
      error: { code: "plan_required", message: "Restoring Customers needs the Standard plan." },
    });

    const all = await app.api("/api/backups", { method: "POST", json: {} });
    expect(all.status).toBe(202);
    const { backupId } = await all.json<{ backupId: string }>();
    const row = await env.DB.prepare("select types from backups where id = ?")
      .bind(backupId)
      .first<{ types: string }>();
    expect(new Set(JSON.parse(row!.types))).toEqual(new Set(["products", "brands", "categories"]));
  });
});
