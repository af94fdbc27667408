import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { BigCommerceClient } from "../worker/bigcommerce/client";
import { getType } from "../worker/bigcommerce/registry";
import { installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Stats = { requests: Record<string, number>; peak_concurrency: number };

// A backup reads the next listing page while the vault stores the current one: the store must still
// serve each page once, and the calls the merchant sees in the progress must be the calls made.
it("reads every page of a multi-page listing once and reports exactly the calls the store served", async () => {
  const { storeHash, token } = await installTestStore("demo", { seed: 5 });
  const create = (from: number) =>
    fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/customers`, {
      method: "POST",
      headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(
        Array.from({ length: 10 }, (_, i) => ({
          first_name: "Read",
          last_name: `Ahead ${from + i}`,
          email: `read.ahead.${from + i}@example.com`,
        })),
      ),
    }).then((res) => expect(res.status).toBe(200));
  // The demo store's customers and 520 more: three pages of 250.
  for (let i = 0; i < 520; i += 50) await Promise.all([0, 10, 20, 30, 40].map((d) => create(i + d)));
  const listed = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/customers?limit=1`, {
    headers: { "x-auth-token": token, accept: "application/json" },
  });
  const total = ((await listed.json()) as { meta: { pagination: { total: number } } }).meta.pagination.total;
  expect(Math.ceil(total / 250)).toBe(3);

  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  await sandboxAdmin(`/stores/${storeHash}/faults`, { method: "PUT", json: { slowRate: 1, slowMs: 150 } });
  const started = await jobsOf(storeHash).startBackup({ kind: "manual", types: ["customers"] });
  expect(started.started).toBe(true);
  const status = await waitForJob(storeHash);
  expect(status.status).toBe("done");
  const { requests, peak_concurrency } = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
  await sandboxAdmin(`/stores/${storeHash}/faults`, { method: "PUT", json: { slowRate: 0, slowMs: 0 } });

  expect(requests["GET /v3/customers"]).toBe(3);
  // The listing said it had three pages: pages 2 and 3 were asked for together, each answer slowed
  // like a distant API's (the store served two requests at once at some point).
  expect(peak_concurrency).toBeGreaterThanOrEqual(2);
  const served = Object.entries(requests)
    .filter(([k]) => k.startsWith("GET /v3/customers"))
    .reduce((n, [, v]) => n + v, 0);
  const progress = status.progress.types.customers;
  expect(progress.calls).toBe(served);
  expect(progress.done).toBe(total);
  expect(progress.versions).toBe(total);
  const row = await env.DB.prepare(
    "select count(*) as n from records where store_hash = ? and type = 'customers' and deleted = 0",
  )
    .bind(storeHash)
    .first<{ n: number }>();
  expect(row?.n).toBe(total);
});

// A v2 list (orders) says nothing of its size: a long one asks its count endpoint once, with its
// third page and with the same filters, so the backup can read its later pages two at a time.
it("a long v2 list learns its size once, with its third page, filters included", async () => {
  const { storeHash, token } = await installTestStore("demo", { seed: 6 });
  const client = new BigCommerceClient({ baseUrl: env.BC_API_URL, storeHash, token });
  const orders = getType("orders");
  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  const first = await client.listPage(orders, { withTotal: true });
  const second = await client.listPage(orders, { cursor: { page: 2 }, withTotal: true });
  expect([first.total, second.total]).toEqual([null, null]);
  const third = await client.listPage(orders, { cursor: { page: 3 }, withTotal: true });
  const all = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v2/orders?limit=250`, {
    headers: { "x-auth-token": token, accept: "application/json" },
  });
  const count = ((await all.json()) as unknown[]).length;
  expect(third.total).toBe(count);
  // Filtered: orders modified since a moment after every order's last change count none.
  const later = await client.listPage(orders, {
    cursor: { page: 3 },
    withTotal: true,
    modifiedSince: Date.now() + 86_400_000,
  });
  expect(later.total).toBe(0);
  const { requests } = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
  expect(requests["GET /v2/orders/count"]).toBe(2);
});
