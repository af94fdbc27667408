import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { VaultWriter } from "../worker/backup/vault-writer";
import { WEBHOOK_SECRET_HEADER, webhookSecret } from "../worker/backup/webhooks";
import { webhookScopes } from "../worker/bigcommerce/registry";
import { backupNow, installTestStore, jobsOf, sandboxAdmin } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Delivery = {
  scope: string;
  headers: Record<string, string>;
  payload: { data: { id: number; type?: string } } & Record<string, unknown>;
};

async function webhookVersions(storeHash: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id, change from versions where store_hash = ? and source = 'webhook' order by id",
  )
    .bind(storeHash)
    .all<{ type: string; record_id: string; change: string }>();
  return results;
}

async function deliver(d: Delivery): Promise<Response> {
  return exports.default.fetch("http://app.test/webhooks/bigcommerce", {
    method: "POST",
    headers: { "content-type": "application/json", ...d.headers },
    body: JSON.stringify(d.payload),
  });
}

/** Waits until the queue consumer has recorded `n` webhook versions (or the time is up). */
async function waitForVersions(storeHash: string, n: number, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await webhookVersions(storeHash);
    if (rows.length >= n || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("automatic sync (webhooks)", () => {
  let storeHash: string;
  let token: string;

  beforeAll(async () => {
    ({ storeHash, token } = await installTestStore("demo"));
    await backupNow(storeHash, ["products", "customers"]);
  });

  it("registers one hook per registry scope, with the secret header", async () => {
    const result = await jobsOf(storeHash).syncWebhooks(true);
    expect(result.created).toBe(new Set(webhookScopes().map((w) => w.scope)).size);
    const again = await jobsOf(storeHash).syncWebhooks(true);
    expect(again.created).toBe(0);
  });

  it("records a version for each changed record, deleted ones as deletions, and ignores duplicates", async () => {
    await sandboxAdmin(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    const churn = await sandboxAdmin<{ changed: Record<string, { updated: number[]; deleted: number[] }> }>(
      `/stores/${storeHash}/mutate`,
      { json: { kind: "churn", type: "products", share: 0.1, seed: 11 } },
    );
    const removed = await sandboxAdmin<{ changed: Record<string, { deleted: number[] }> }>(
      `/stores/${storeHash}/mutate`,
      {
        json: { kind: "delete", type: "customers", share: 0.1, seed: 5 },
      },
    );
    const deliveries = await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);

    const updatedProducts = churn.changed.products?.updated ?? [];
    const deletedCustomers = removed.changed.customers?.deleted ?? [];
    const expected = updatedProducts.length + deletedCustomers.length;
    expect(expected).toBeGreaterThan(0);
    const rows = await waitForVersions(storeHash, expected);
    for (const id of updatedProducts) {
      expect(
        rows.some((r) => r.type === "products" && r.record_id === String(id) && r.change === "updated"),
      ).toBe(true);
    }
    for (const id of deletedCustomers) {
      expect(
        rows.some((r) => r.type === "customers" && r.record_id === String(id) && r.change === "deleted"),
      ).toBe(true);
    }
    // Each record changed once gets exactly one version, however many scopes announced it.
    const perRecord = new Map<string, number>();
    for (const r of rows)
      perRecord.set(`${r.type}:${r.record_id}`, (perRecord.get(`${r.type}:${r.record_id}`) ?? 0) + 1);
    expect([...perRecord.values()].every((n) => n === 1)).toBe(true);

    // BigCommerce retries: the same deliveries again are accepted and change nothing in the vault.
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await webhookVersions(storeHash)).length).toBe(rows.length);
  });

  it("two edits of one product announced with the same hash (same second) give two versions", async () => {
    const [{ record_id: id }] = (
      await env.DB.prepare(
        "select record_id from records where store_hash = ? and type = 'products' and deleted = 0 order by record_id limit 1",
      )
        .bind(storeHash)
        .all<{ record_id: string }>()
    ).results;
    const versionsOf = async () =>
      (await webhookVersions(storeHash)).filter((r) => r.record_id === id).length;
    const before = await versionsOf();
    await sandboxAdmin(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    const edit = async (name: string) => {
      const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/products/${id}`, {
        method: "PUT",
        headers: { "x-auth-token": token, "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      expect(res.status).toBe(200);
      await res.body?.cancel();
      const ds = await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
      const d = ds.find((x) => x.scope === "store/product/updated" && x.payload.data.id === Number(id));
      expect(d).toBeDefined();
      return d as Delivery;
    };
    const first = await edit("First edit of the day");
    expect((await deliver(first)).status).toBe(200);
    const until = Date.now() + 20_000;
    while ((await versionsOf()) < before + 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(await versionsOf()).toBe(before + 1);
    // The second edit within the same second: BigCommerce's payload (type, id, created_at in whole
    // seconds) and so its hash are byte for byte the first one's.
    await edit("Second edit, same second");
    const res = await deliver(first);
    expect(await res.json()).toEqual({ ok: true });
    while ((await versionsOf()) < before + 2 && Date.now() < until + 20_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(await versionsOf()).toBe(before + 2);
    // The vault holds the second edit: capturing the live product again finds nothing new.
    expect(await jobsOf(storeHash).captureRecords("products", [id])).toEqual({
      versions: 0,
      deleted: 0,
      unchanged: 1,
    });
  });

  it("a redelivery carrying the same webhook-id is dropped even after its capture ran", async () => {
    const [{ record_id: id }] = (
      await env.DB.prepare(
        "select record_id from records where store_hash = ? and type = 'products' and deleted = 0 order by record_id limit 1 offset 1",
      )
        .bind(storeHash)
        .all<{ record_id: string }>()
    ).results;
    const secret = { [WEBHOOK_SECRET_HEADER]: await webhookSecret(env, storeHash) };
    const delivery: Delivery = {
      scope: "store/product/updated",
      headers: { ...secret, "webhook-id": `msg_${id}_retry` },
      payload: {
        scope: "store/product/updated",
        producer: `stores/${storeHash}`,
        hash: "0".repeat(40),
        created_at: Math.floor(Date.now() / 1000),
        data: { type: "product", id: Number(id) },
      },
    };
    expect(await (await deliver(delivery)).json()).toEqual({ ok: true });
    // Let the capture run (and clear its pending mark), then BigCommerce retries the same message.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await (await deliver(delivery)).json()).toEqual({ ok: true, duplicate: true });
    // Without the header the same payload is a possible second edit: it queues a capture.
    const { "webhook-id": _, ...bare } = delivery.headers;
    expect(await (await deliver({ ...delivery, headers: bare })).json()).toEqual({ ok: true });
  });

  it("a product metafield edit alone (date_modified unchanged) is captured from its metafield webhook", async () => {
    const [{ record_id: id }] = (
      await env.DB.prepare(
        "select record_id from records where store_hash = ? and type = 'products' and deleted = 0 order by record_id desc limit 1",
      )
        .bind(storeHash)
        .all<{ record_id: string }>()
    ).results;
    const product = async () => {
      const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/products/${id}`, {
        headers: { "x-auth-token": token },
      });
      return (await res.json<{ data: { date_modified: string } }>()).data;
    };
    const modifiedBefore = (await product()).date_modified;
    await sandboxAdmin(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/products/${id}/metafields`, {
      method: "POST",
      headers: { "x-auth-token": token, "content-type": "application/json" },
      body: JSON.stringify({
        namespace: "care",
        key: "washing",
        value: "30 degrees",
        permission_set: "read",
      }),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect((await product()).date_modified).toBe(modifiedBefore);
    const deliveries = await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    expect(deliveries.map((d) => d.scope)).toContain("store/product/metafield/created");
    const before = (await webhookVersions(storeHash)).filter((r) => r.record_id === id).length;
    for (const d of deliveries) expect((await deliver(d)).status).toBe(200);
    const until = Date.now() + 20_000;
    let rows = await webhookVersions(storeHash);
    while (rows.filter((r) => r.record_id === id).length <= before && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await webhookVersions(storeHash);
    }
    expect(rows.filter((r) => r.type === "products" && r.record_id === id).length).toBe(before + 1);
  });

  it("captures an unchanged record as unchanged: the webhook path and the backup build the same body", async () => {
    const { results } = await env.DB.prepare(
      "select type, record_id from records where store_hash = ? and deleted = 0 and type in ('products', 'customers') limit 20",
    )
      .bind(storeHash)
      .all<{ type: string; record_id: string }>();
    const recent = new Set((await webhookVersions(storeHash)).map((r) => `${r.type}:${r.record_id}`));
    const quiet = results.filter((r) => !recent.has(`${r.type}:${r.record_id}`));
    expect(quiet.length).toBeGreaterThan(0);
    const lists = { products: "GET /v3/catalog/products", customers: "GET /v3/customers" };
    for (const [type, list] of Object.entries(lists)) {
      const ids = quiet.filter((r) => r.type === type).map((r) => r.record_id);
      if (ids.length === 0) continue;
      await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
      const result = await jobsOf(storeHash).captureRecords(type, ids);
      expect(result, type).toEqual({ versions: 0, deleted: 0, unchanged: ids.length });
      // A batch of webhook captures reads its records with one listing by ids, not a read per record,
      // and each child list once for the batch.
      const { requests } = await sandboxAdmin<{ requests: Record<string, number> }>(
        `/stores/${storeHash}/stats`,
      );
      expect(requests[list], type).toBe(1);
      expect(
        Object.keys(requests).filter((k) => k.startsWith(`${list}/{`)),
        type,
      ).toEqual([]);
      const metafields = Object.entries(requests).filter(([k]) => k.endsWith("/metafields"));
      for (const [k, n] of metafields) expect(n, k).toBeLessThanOrEqual(Math.ceil(ids.length / 10));
    }
  });

  it("a webhook batch mixing live and deleted records reads them together and records the deletion", async () => {
    const { results } = await env.DB.prepare(
      "select record_id from records where store_hash = ? and deleted = 0 and type = 'customers' limit 3",
    )
      .bind(storeHash)
      .all<{ record_id: string }>();
    const [gone, ...kept] = results.map((r) => r.record_id);
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/customers?id:in=${gone}`, {
      method: "DELETE",
      headers: { "x-auth-token": token, accept: "application/json" },
    });
    expect(res.status).toBeLessThan(300);
    const result = await jobsOf(storeHash).captureRecords("customers", [gone, ...kept]);
    expect(result).toEqual({ versions: 0, deleted: 1, unchanged: kept.length });
    const { results: latest } = await env.DB.prepare(
      "select change from versions where store_hash = ? and type = 'customers' and record_id = ? order by id desc limit 1",
    )
      .bind(storeHash, gone)
      .all<{ change: string }>();
    expect(latest[0]?.change).toBe("deleted");
  });

  it("a webhook batch of orders is read by modification date, not one order at a time", async () => {
    await backupNow(storeHash, ["orders"]);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${SANDBOX_URL}/stores/${storeHash}/v2${path}`, {
        ...init,
        headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
      });
    const orders = (await (await api("/orders?limit=5")).json()) as { id: number }[];
    expect(orders.length).toBe(5);
    const [quiet, ...edited] = orders.map((o) => String(o.id));
    const modified: number[] = [];
    for (const id of edited) {
      const res = await api(`/orders/${id}`, {
        method: "PUT",
        body: JSON.stringify({ staff_notes: `Called the customer about order ${id}` }),
      });
      expect(res.status).toBe(200);
      modified.push(Date.parse(((await res.json()) as { date_modified: string }).date_modified));
    }
    await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
    // The batch's earliest event: the first edit. The untouched order is read on its own.
    const result = await jobsOf(storeHash).captureRecords(
      "orders",
      [...edited, quiet],
      Math.min(...modified),
    );
    expect(result).toEqual({ versions: edited.length, deleted: 0, unchanged: 1 });
    const { requests } = await sandboxAdmin<{ requests: Record<string, number> }>(
      `/stores/${storeHash}/stats`,
    );
    expect(requests["GET /v2/orders"]).toBe(1);
    expect(requests["GET /v2/orders/{id}"]).toBe(1);
  });

  it("a rename reaches the item list; an edit that keeps the name writes fewer D1 rows", async () => {
    const row = await env.DB.prepare(
      "select record_id, display_name, search_text from records where store_hash = ? and type = 'customers' and deleted = 0 limit 1",
    )
      .bind(storeHash)
      .first<{ record_id: string; display_name: string; search_text: string }>();
    if (!row) throw new Error("no customer in the vault");
    const edit = async (fields: Record<string, unknown>) => {
      const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/customers`, {
        method: "PUT",
        headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify([{ id: Number(row.record_id), ...fields }]),
      });
      expect(res.status).toBe(200);
      const before = await rowsWritten();
      expect(await jobsOf(storeHash).captureRecords("customers", [row.record_id])).toMatchObject({
        versions: 1,
      });
      return (await rowsWritten()) - before;
    };
    const rowsWritten = () =>
      runInDurableObject(
        jobsOf(storeHash),
        (instance) => (instance as unknown as { vault: VaultWriter }).vault.profile.d1RowsWritten,
      );
    const kept = await edit({ notes: "Prefers delivery after 5 pm" });
    const renamed = await edit({ company: "Renamed Trading Co" });
    const after = await env.DB.prepare(
      "select display_name, search_text from records where store_hash = ? and type = 'customers' and record_id = ?",
    )
      .bind(storeHash, row.record_id)
      .first<{ display_name: string; search_text: string }>();
    expect(after?.display_name).toBe(row.display_name);
    expect(after?.search_text).toContain("renamed trading co");
    expect(after?.search_text).not.toBe(row.search_text);
    // The name and search indexes are written only when they change.
    expect(kept).toBeGreaterThan(0);
    expect(renamed).toBeGreaterThan(kept);
  });

  it("rejects a delivery without the store's secret", async () => {
    const res = await exports.default.fetch("http://app.test/webhooks/bigcommerce", {
      method: "POST",
      headers: { "content-type": "application/json", [WEBHOOK_SECRET_HEADER]: "guess" },
      body: JSON.stringify({
        scope: "store/product/updated",
        producer: `stores/${storeHash}`,
        hash: "x",
        data: { type: "product", id: 1 },
      }),
    });
    expect(res.status).toBe(401);
  });
});
