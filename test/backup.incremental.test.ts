import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../worker/index";
import { backupNow, installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

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
    // The queue's page consumer moved the store's next time forward when it claimed the store.
    const store = await env.DB.prepare("select next_backup_at from stores where hash = ?")
      .bind(storeHash)
      .first<{ next_backup_at: number }>();
    expect(store?.next_backup_at).toBeGreaterThan(Date.now());
  });
});

type Delivery = {
  scope: string;
  headers: Record<string, string>;
  payload: { data: Record<string, unknown> };
};

/** The merchant (or another app) editing the store with the store's own token. */
async function storeCall(storeHash: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3${path}`, {
    method,
    headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.status === 204 ? null : res.json<{ data: Record<string, unknown>[] }>();
}

async function scheduledRun(storeHash: string, types: string[]) {
  const started = await jobsOf(storeHash).startBackup({ kind: "scheduled", types });
  expect(started.started).toBe(true);
  const status = await waitForJob(storeHash);
  expect(status.status).toBe("done");
  return status;
}

async function deliver(deliveries: Delivery[]) {
  for (const d of deliveries) {
    const res = await exports.default.fetch("http://app.test/webhooks/bigcommerce", {
      method: "POST",
      headers: { "content-type": "application/json", ...d.headers },
      body: JSON.stringify(d.payload),
    });
    expect(res.status).toBe(200);
  }
}

const drain = (storeHash: string) =>
  sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`);

async function customerIds(storeHash: string, n: number) {
  const { results } = await env.DB.prepare(
    "select record_id from records where store_hash = ? and type = 'customers' and deleted = 0 order by record_id desc limit ?",
  )
    .bind(storeHash, n)
    .all<{ record_id: string }>();
  return results.map((r) => r.record_id);
}

async function deletedVersion(storeHash: string, id: string) {
  return env.DB.prepare(
    "select source from versions where store_hash = ? and type = 'customers' and record_id = ? and change = 'deleted'",
  )
    .bind(storeHash, id)
    .first<{ source: string }>();
}

describe("deletions on a store with more than one page of customers", () => {
  let storeHash: string;
  let token: string;

  beforeAll(async () => {
    ({ storeHash, token } = await installTestStore("demo", { seed: 21 }));
    // 30 customers in the demo store + 240: two pages of ids (250 a page).
    for (let i = 0; i < 24; i++) {
      await storeCall(
        storeHash,
        token,
        "POST",
        "/customers",
        Array.from({ length: 10 }, (_, j) => ({
          email: `shopper${i * 10 + j}@example.com`,
          first_name: "Shopper",
          last_name: String(i * 10 + j),
        })),
      );
    }
    const full = await backupNow(storeHash, ["customers", "inventory"]);
    expect(full.progress.types.customers.done).toBe(270);
  });

  it("without automatic sync: a count on the first page of ids shows nothing was deleted, and a deletion is still found that day", async () => {
    const [edited] = await customerIds(storeHash, 1);
    await storeCall(storeHash, token, "PUT", "/customers", [
      { id: Number(edited), company: "Quiet day Ltd" },
    ]);
    const quiet = await scheduledRun(storeHash, ["customers"]);
    // The changed customer (one page, its metafields), one page of ids whose total matched the vault,
    // and the customer metafields: their count (deletions) and those changed since the last run.
    expect(quiet.progress.types.customers.calls).toBe(5);
    expect(quiet.progress.types.customers).toMatchObject({ versions: 1, deleted: 0 });

    const [gone] = await customerIds(storeHash, 1);
    await storeCall(storeHash, token, "DELETE", `/customers?id:in=${gone}`);
    const busy = await scheduledRun(storeHash, ["customers"]);
    expect(busy.progress.types.customers.deleted).toBe(1);
    expect(await deletedVersion(storeHash, gone)).toEqual({ source: "backup" });
  });

  it("with automatic sync and healthy hooks: deletions come by webhook, the daily run lists no ids, and the weekly listing catches a missed one", async () => {
    await env.DB.prepare("update stores set auto_sync = 1 where hash = ?").bind(storeHash).run();
    await jobsOf(storeHash).syncWebhooks(true);
    // The hooks have been active for a day (without a gap) before the last backup.
    await runInDurableObject(jobsOf(storeHash), (_i, state) => {
      state.storage.sql.exec("update webhook_health set active_since = ?", Date.now() - 86_400_000);
    });
    await drain(storeHash);
    const [announced, missed] = await customerIds(storeHash, 2);
    await storeCall(storeHash, token, "DELETE", `/customers?id:in=${announced}`);
    await deliver(await drain(storeHash));
    await storeCall(storeHash, token, "DELETE", `/customers?id:in=${missed}`);
    // This delivery is lost (the endpoint was down past BigCommerce's retries).
    expect((await drain(storeHash)).length).toBeGreaterThan(0);
    const until = Date.now() + 20_000;
    while (!(await deletedVersion(storeHash, announced)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(await deletedVersion(storeHash, announced)).toEqual({ source: "webhook" });

    const daily = await scheduledRun(storeHash, ["customers", "inventory"]);
    // The changed page (the last run's edit again, within the 5-minute overlap, and its metafields),
    // the count and dated list of customer metafields (BigCommerce has no hook for them), and no id
    // listing, not even the one-page count (that would be a fifth call).
    expect(daily.progress.types.customers.calls).toBeLessThanOrEqual(4);
    expect(await deletedVersion(storeHash, missed)).toBeNull();
    // Stock is announced by hooks too: the daily run does not list inventory.
    expect(daily.progress.types.inventory.calls).toBe(0);

    // A week on, the full listing runs and finds the deletion the lost delivery announced.
    await env.DB.prepare("update backups set started_at = started_at - ? where store_hash = ?")
      .bind(8 * 86_400_000, storeHash)
      .run();
    const weekly = await scheduledRun(storeHash, ["customers", "inventory"]);
    expect(weekly.progress.types.customers.deleted).toBe(1);
    expect(await deletedVersion(storeHash, missed)).toEqual({ source: "backup" });
    expect(weekly.progress.types.inventory.calls).toBeGreaterThan(0);
  });

  it("a hook BigCommerce deactivated is re-activated and not trusted: that day's run lists ids again", async () => {
    const hooks = (await storeCall(storeHash, token, "GET", "/hooks")) as {
      data: { id: number; scope: string }[];
    };
    const deletedHook = hooks.data.find((h) => h.scope === "store/customer/deleted");
    expect(deletedHook).toBeDefined();
    await storeCall(storeHash, token, "PUT", `/hooks/${deletedHook?.id}`, { is_active: false });
    const [gone] = await customerIds(storeHash, 1);
    await storeCall(storeHash, token, "DELETE", `/customers?id:in=${gone}`);
    await drain(storeHash);
    const run = await scheduledRun(storeHash, ["customers"]);
    expect(run.progress.types.customers.deleted).toBe(1);
    expect(await deletedVersion(storeHash, gone)).toEqual({ source: "backup" });
    const after = (await storeCall(storeHash, token, "GET", "/hooks")) as {
      data: { scope: string; is_active: boolean }[];
    };
    expect(after.data.find((h) => h.scope === "store/customer/deleted")?.is_active).toBe(true);
  });

  it("with automatic sync, a stock change is captured from its webhook", async () => {
    await drain(storeHash);
    const { results } = await env.DB.prepare(
      "select record_id from records where store_hash = ? and type = 'inventory' and deleted = 0 order by record_id limit 1",
    )
      .bind(storeHash)
      .all<{ record_id: string }>();
    const variantId = Number(results[0].record_id);
    const locations = (await storeCall(storeHash, token, "GET", "/inventory/locations")) as {
      data: { id: number }[];
    };
    await storeCall(storeHash, token, "PUT", "/inventory/adjustments/absolute", {
      reason: "Stock count",
      items: [{ location_id: locations.data[0].id, variant_id: variantId, quantity: 4321 }],
    });
    const deliveries = await drain(storeHash);
    expect(deliveries.some((d) => d.scope === "store/sku/inventory/updated")).toBe(true);
    await deliver(deliveries);
    const until = Date.now() + 20_000;
    const version = () =>
      env.DB.prepare(
        "select change from versions where store_hash = ? and type = 'inventory' and record_id = ? and source = 'webhook'",
      )
        .bind(storeHash, String(variantId))
        .first<{ change: string }>();
    while (!(await version()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await version()).toEqual({ change: "updated" });
  });
});
