import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { nextStep } from "../worker/activity/discovery";
import { installAndSignIn } from "./plans.support";
import { installViaOAuth } from "./support/install";

type Discovery = {
  protection: {
    lastBackup: { id: string; status: string } | null;
    lastSuccessfulBackupAt: number | null;
    autoSync: boolean;
    lastSyncChange: { label: string; displayName: string } | null;
  };
  runningJob: { id: string; percent: number | null } | null;
  groups: { key: string; items: number; bytes: number; types: { type: string; items: number }[] }[];
  activity: { kind: string; id: string; title: string; status: string; href: string }[];
  changes: { days: number; types: { type: string; label: string; count: number }[] };
  nextStep: { kind: string; message: string; href: string | null };
};

const H = 3_600_000;

async function seed(store: string) {
  const now = Date.now();
  const db = env.DB;
  const backup = db.prepare(
    "insert into backups (id, store_hash, kind, status, types, started_at, finished_at, versions_written, error) values (?, ?, ?, ?, '[\"products\"]', ?, ?, ?, ?)",
  );
  const record = db.prepare(
    "insert into records (store_hash, type, record_id, display_name, search_text, first_seen_at, last_changed_at, size) values (?, ?, ?, ?, '', ?, ?, 10)",
  );
  const version = db.prepare(
    "insert into versions (store_hash, type, record_id, backup_id, source, change, captured_at, display_name, size) values (?, ?, ?, ?, ?, ?, ?, ?, 10)",
  );
  await db.batch([
    backup.bind(`${store}-b1`, store, "manual", "done", now - 48 * H, now - 47 * H, 5, null),
    backup.bind(
      `${store}-b2`,
      store,
      "scheduled",
      "failed",
      now - 2 * H,
      now - H,
      0,
      "The store's API token was revoked.",
    ),
    record.bind(store, "products", "1", "Blue shirt", now, now),
    record.bind(store, "products", "2", "Red shirt", now, now),
    record.bind(store, "brands", "1", "Acme", now, now),
    record.bind(store, "pages", "1", "About us", now, now),
    // The first backup's versions are the whole catalog, not "changes".
    version.bind(store, "products", "1", `${store}-b1`, "backup", "created", now - 47 * H, "Blue shirt"),
    version.bind(store, "products", "2", `${store}-b1`, "backup", "created", now - 47 * H, "Red shirt"),
    version.bind(store, "brands", "1", `${store}-b1`, "backup", "created", now - 47 * H, "Acme"),
    version.bind(store, "products", "1", null, "webhook", "updated", now - 3 * H, "Blue shirt"),
    version.bind(store, "products", "2", null, "webhook", "updated", now - 30 * 60_000, "Red shirt"),
    version.bind(store, "products", "2", "b0", "backup", "updated", now - 10 * 24 * H, "Red shirt"),
    version.bind(store, "pages", "1", `${store}-b2`, "backup", "updated", now - 2 * H, "About us"),
    db
      .prepare(
        "insert into restores (id, store_hash, kind, status, target_at, types, created_by, created_at, total_count, success_count, error_count) values (? || '-r1', ?, 'bulk', 'done', ?, '[\"products\",\"brands\"]', 'owner', ?, 3, 3, 0)",
      )
      .bind(store, store, now - 48 * H, now - 20 * H),
    db
      .prepare(
        "insert into exports (id, store_hash, kind, status, types, emails, created_by, created_at) values (? || '-e1', ?, 'manual', 'done', '[\"products\"]', '[]', 'owner', ?)",
      )
      .bind(store, store, now - 10 * H),
  ]);
}

describe("GET /api/discovery", () => {
  it("a new install is told to make its first backup", async () => {
    const client = await installAndSignIn("discnew1");
    const res = await client.get("/api/discovery");
    expect(res.status).toBe(200);
    const body = await res.json<Discovery>();
    expect(body.protection.lastBackup).toBeNull();
    expect(body.activity).toEqual([]);
    expect(body.nextStep).toMatchObject({ kind: "start_first_backup", href: "/vault" });
    expect(body.groups.map((g) => g.key)).toEqual(["store", "content"]);
  });

  it("shows the first backup in progress as the next step, with the D1 row when no live job answers", async () => {
    const client = await installAndSignIn("discrun1");
    await env.DB.prepare(
      "insert into backups (id, store_hash, kind, status, types, started_at) values ('run1', 'discrun1', 'manual', 'running', '[]', ?)",
    )
      .bind(Date.now())
      .run();
    const body = await (await client.get("/api/discovery")).json<Discovery>();
    expect(body.runningJob).toMatchObject({ id: "run1" });
    expect(body.nextStep.kind).toBe("first_backup_running");
    expect(body.nextStep.message).toMatch(/^Your first backup is running/);
  });

  it("aggregates status, storage, activity and the last 7 days of changes, for this store only", async () => {
    const client = await installAndSignIn("discfull1");
    await seed("discfull1");
    await seed("discother");
    const body = await (await client.get("/api/discovery")).json<Discovery>();
    expect(body.protection.lastBackup).toMatchObject({ id: "discfull1-b2", status: "failed" });
    expect(body.protection.lastSuccessfulBackupAt).not.toBeNull();
    expect(body.protection.lastSyncChange).toMatchObject({ label: "Products", displayName: "Red shirt" });
    const store = body.groups.find((g) => g.key === "store")!;
    expect(store.items).toBe(3);
    expect(store.types.find((t) => t.type === "products")?.items).toBe(2);
    expect(body.groups.find((g) => g.key === "content")!.items).toBe(1);
    expect(body.activity.map((a) => [a.kind, a.id, a.status])).toEqual([
      ["backup", "discfull1-b2", "failed"],
      ["export", "discfull1-e1", "done"],
      ["restore", "discfull1-r1", "done"],
      ["backup", "discfull1-b1", "done"],
    ]);
    expect(body.activity[2].title).toBe("Bulk restore of 2 content types");
    expect(body.activity.every((a) => a.href.includes(a.id))).toBe(true);
    expect(body.changes.days).toBe(7);
    expect(body.changes.types).toEqual([
      { type: "products", label: "Products", count: 2 },
      { type: "pages", label: "Pages", count: 1 },
    ]);
    expect(body.nextStep).toMatchObject({ kind: "last_backup_failed", href: "/vault" });
    expect(body.nextStep.message).toContain("The store's API token was revoked.");

    await env.DB.prepare("update backups set status = 'done', error = null where id = 'discfull1-b2'").run();
    const fixed = await (await client.get("/api/discovery")).json<Discovery>();
    expect(fixed.nextStep).toMatchObject({ kind: "add_emails", href: "/settings" });
    await client.send("PUT", "/api/settings", { notificationEmails: ["ops@discfull1.test"] });
    expect((await (await client.get("/api/discovery")).json<Discovery>()).nextStep.kind).toBe("all_set");

    // On Free, the next step says what the plan leaves out and which plan adds it.
    await client.send("PUT", "/api/plan", { plan: "free" });
    const free = await (await client.get("/api/discovery")).json<Discovery>();
    expect(free.nextStep).toMatchObject({ kind: "types_outside_plan", href: "/pricing" });
    expect(free.nextStep.message).toMatch(
      /^Your Free plan backs up products, brands, categories only: Customers, Orders and \d+ more content types need the Standard plan\.$/,
    );
  });
});

describe("a new install", () => {
  it("gets its scheduled backup time at install, and its first backup when it first opens Discovery", async () => {
    const app = await installViaOAuth("demo", 11);
    const store = await env.DB.prepare("select next_backup_at from stores where hash = ?")
      .bind(app.storeHash)
      .first<{ next_backup_at: number }>();
    expect(store?.next_backup_at).toBeGreaterThan(Date.now());

    const before = await (await app.api("/api/discovery")).json<Discovery>();
    expect(before.nextStep.kind).toBe("start_first_backup");
    const first = await app.api("/api/discovery/first-backup", { method: "POST", json: {} });
    expect(await first.json()).toEqual({ started: true });
    const during = await (await app.api("/api/discovery")).json<Discovery>();
    expect(during.runningJob).not.toBeNull();
    expect(during.nextStep.kind).toBe("first_backup_running");
    // Asking again never starts a second one.
    const again = await app.api("/api/discovery/first-backup", { method: "POST", json: {} });
    expect(await again.json()).toEqual({ started: false });
    const rows = await env.DB.prepare("select count(*) as n from backups where store_hash = ?")
      .bind(app.storeHash)
      .first();
    expect(rows).toEqual({ n: 1 });
  });
});

describe("next step", () => {
  it("says how far the first backup is and how long is left at the store's quota", () => {
    const step = nextStep({
      lastBackup: null,
      hasSuccessfulBackup: false,
      running: {
        id: "j",
        kind: "backup",
        backupId: "b",
        startedAt: 0,
        percent: 34,
        done: 340,
        total: 1000,
        etaMs: 5 * 60_000,
      },
      emails: [],
    });
    expect(step.message).toBe(
      "Your first backup is running: 34%, about 5 minutes left at your store's API quota.",
    );
  });
});
