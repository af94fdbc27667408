import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../worker/index";
import { backupNow, installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";

async function newVersionsSince(storeHash: string, afterId: number) {
  const { results } = await env.DB.prepare(
    "select type, record_id, change from versions where store_hash = ? and id > ? order by id",
  )
    .bind(storeHash, afterId)
    .all<{ type: string; record_id: string; change: string }>();
  return results;
}

async function lastVersionId(storeHash: string) {
  const row = await env.DB.prepare("select coalesce(max(id), 0) as id from versions where store_hash = ?")
    .bind(storeHash)
    .first<{ id: number }>();
  return row?.id ?? 0;
}

describe("scheduled (incremental) backup", () => {
  let storeHash: string;
  let fullCalls: Record<string, number>;

  beforeAll(async () => {
    ({ storeHash } = await installTestStore("demo", { seed: 8 }));
    const full = await backupNow(storeHash, ["products", "customers", "orders", "brands"]);
    fullCalls = Object.fromEntries(Object.entries(full.progress.types).map(([k, p]) => [k, p.calls]));
  });

  it("fetches only what changed since the last backup and finds deletions by listing ids", async () => {
    const mark = await lastVersionId(storeHash);
    const churn = await sandboxAdmin<{ changed: Record<string, { updated: number[] }> }>(
      `/stores/${storeHash}/mutate`,
      {
        json: { kind: "churn", type: "products", share: 0.1, seed: 4 },
      },
    );
    const removed = await sandboxAdmin<{ changed: Record<string, { deleted: number[] }> }>(
      `/stores/${storeHash}/mutate`,
      {
        json: { kind: "delete", type: "customers", share: 0.1, seed: 4 },
      },
    );
    const started = await jobsOf(storeHash).startBackup({
      kind: "scheduled",
      types: ["products", "customers", "orders", "brands"],
    });
    expect(started.started).toBe(true);
    const status = await waitForJob(storeHash);
    expect(status.status).toBe("done");

    const fresh = await newVersionsSince(storeHash, mark);
    const updated = (churn.changed.products?.updated ?? []).map(String);
    const deleted = (removed.changed.customers?.deleted ?? []).map(String);
    expect(updated.length + deleted.length).toBeGreaterThan(0);
    expect(
      fresh
        .filter((v) => v.type === "products")
        .map((v) => v.record_id)
        .sort(),
    ).toEqual([...new Set(updated)].sort());
    expect(
      fresh
        .filter((v) => v.type === "customers" && v.change === "deleted")
        .map((v) => v.record_id)
        .sort(),
    ).toEqual([...new Set(deleted)].sort());
    // Products: the changed page plus an id listing, never the whole catalog with its sub-resources again.
    expect(status.progress.types.products.done).toBe(new Set(updated).size);
    expect(status.progress.types.products.calls).toBeLessThanOrEqual(fullCalls.products);
  });

  it("with automatic sync on, leaves deletions to webhooks and skips the id listing", async () => {
    await env.DB.prepare("update stores set auto_sync = 1 where hash = ?").bind(storeHash).run();
    const mark = await lastVersionId(storeHash);
    await sandboxAdmin(`/stores/${storeHash}/mutate`, {
      json: { kind: "churn", type: "customers", share: 0.1, seed: 6 },
    });
    const started = await jobsOf(storeHash).startBackup({ kind: "scheduled", types: ["customers"] });
    expect(started.started).toBe(true);
    const status = await waitForJob(storeHash);
    expect(status.status).toBe("done");
    // One page of changed customers (plus their metafields), no listing of every id.
    expect(status.progress.types.customers.calls).toBeLessThanOrEqual(2);
    expect(
      (await newVersionsSince(storeHash, mark)).filter((v) => v.type === "customers").length,
    ).toBeGreaterThan(0);
    await env.DB.prepare("update stores set auto_sync = 0 where hash = ?").bind(storeHash).run();
  });

  it("runs from the hourly cron through the queue for stores that are due", async () => {
    const due = Date.UTC(2026, 0, 1, 2);
    await env.DB.prepare(
      "update stores set next_backup_at = ?, backup_hour = 2, timezone = 'UTC', plan = 'pro' where hash = ?",
    )
      .bind(due, storeHash)
      .run();
    const cronAt = Date.now();
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "0 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);

    const store = await env.DB.prepare("select next_backup_at from stores where hash = ?")
      .bind(storeHash)
      .first<{ next_backup_at: number }>();
    expect(store?.next_backup_at).toBeGreaterThan(Date.now());

    const until = Date.now() + 30_000;
    let row: { kind: string; status: string } | null = null;
    while (Date.now() < until) {
      row = await env.DB.prepare(
        "select kind, status from backups where store_hash = ? and started_at >= ? order by started_at desc limit 1",
      )
        .bind(storeHash, cronAt)
        .first<{ kind: string; status: string }>();
      if (row?.status === "done") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Incremental: the store had a full backup this week.
    expect(row).toMatchObject({ kind: "incremental", status: "done" });
  });
});
