import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { readVersionBody } from "../worker/backup/vault-read";
import { backupNow, installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Stats = { requests: Record<string, number> };
type Metafield = { namespace: string; key: string; value: string };

const TYPES = ["products", "customers", "orders"];

/** Another app (or the merchant) writing through the store's API. */
async function storeCall<T>(token: string, storeHash: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}${path}`, {
    method,
    headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

async function scheduledRun(storeHash: string) {
  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  const started = await jobsOf(storeHash).startBackup({ kind: "scheduled", types: TYPES });
  expect(started.started).toBe(true);
  const status = await waitForJob(storeHash);
  expect(status.status).toBe("done");
  const stats = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
  return { status, requests: stats.requests, backupId: (started as { backupId?: string }).backupId ?? "" };
}

/** The versions a backup wrote, as `type:id`. */
async function versionsOf(storeHash: string, backupId: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id from versions where store_hash = ? and backup_id = ? order by type, record_id",
  )
    .bind(storeHash, backupId)
    .all<{ type: string; record_id: string }>();
  return results.map((r) => `${r.type}:${r.record_id}`);
}

async function latestBody(storeHash: string, type: string, id: string) {
  const row = await env.DB.prepare(
    'select pack_id, "offset", length, body_offset, size, change from versions where store_hash = ? and type = ? and record_id = ? order by id desc limit 1',
  )
    .bind(storeHash, type, id)
    .first<{
      pack_id: string;
      offset: number;
      length: number;
      body_offset: number;
      size: number;
      change: "created" | "updated";
    }>();
  expect(row).not.toBeNull();
  const at = row as NonNullable<typeof row>;
  return (await readVersionBody(env, {
    storeHash,
    packId: at.pack_id,
    offset: at.offset,
    length: at.length,
    bodyOffset: at.body_offset,
    size: at.size,
    change: at.change,
  })) as Record<string, unknown>;
}

/**
 * A run's filter overlaps the previous run by 5 minutes, so edits made seconds before it would be
 * read again (unchanged, nothing stored). The next day they are not: the runs so far are moved to
 * 6 minutes after them.
 */
const aDayLater = (storeHash: string) =>
  env.DB.prepare("update backups set started_at = started_at + ? where store_hash = ?")
    .bind(6 * 60_000, storeHash)
    .run();

/** Records a run read, per type (a full listing reads them all). */
const recordsRead = (run: { status: { progress: { types: Record<string, { done: number }> } } }) =>
  Object.fromEntries(TYPES.map((t) => [t, run.status.progress.types[t]?.done ?? 0]));

const liveCount = async (storeHash: string, type: string) =>
  (
    await env.DB.prepare(
      "select count(*) as n from records where store_hash = ? and type = ? and deleted = 0",
    )
      .bind(storeHash, type)
      .first<{ n: number }>()
  )?.n ?? 0;

/** The dated metafield lists a daily run reads (store-wide, filtered by modification date). */
const scans = (requests: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(requests).filter(([k]) =>
      /^GET \/v3\/(catalog\/products|catalog\/variants|customers|orders)\/metafields$/.test(k),
    ),
  );

describe("metafield-only changes on a store without automatic sync", () => {
  let storeHash: string;
  let token: string;
  let product: { id: number; variants: { id: number }[] };
  let other: { id: number; variants: { id: number }[] };
  let customerId: number;
  let orderId: number;

  beforeAll(async () => {
    ({ storeHash, token } = await installTestStore("demo", { seed: 33 }));
    const products = await storeCall<{ data: { id: number; variants: { id: number }[] }[] }>(
      token,
      storeHash,
      "GET",
      "/v3/catalog/products?include=variants&limit=50",
    );
    [product, other] = products.data.filter((p) => p.variants.length > 0);
    customerId = (
      await storeCall<{ data: { id: number }[] }>(token, storeHash, "GET", "/v3/customers?limit=1")
    ).data[0].id;
    orderId = (await storeCall<{ id: number }[]>(token, storeHash, "GET", "/v2/orders?limit=1"))[0].id;
    await backupNow(storeHash, TYPES);
  });

  it("the daily run backs up the records whose metafields alone changed, and only them", async () => {
    const mf = (value: string): Metafield => ({ namespace: "erp", key: "sync_state", value });
    // None of these moves its record's own date_modified.
    await storeCall(token, storeHash, "POST", `/v3/catalog/products/${product.id}/metafields`, {
      ...mf("product-A"),
      permission_set: "read",
    });
    const variantId = other.variants[0].id;
    await storeCall(
      token,
      storeHash,
      "POST",
      `/v3/catalog/products/${other.id}/variants/${variantId}/metafields`,
      {
        ...mf("variant-B"),
        permission_set: "read",
      },
    );
    await storeCall(token, storeHash, "POST", `/v3/customers/${customerId}/metafields`, {
      ...mf("customer-C"),
      permission_set: "read",
    });
    await storeCall(token, storeHash, "POST", `/v3/orders/${orderId}/metafields`, {
      ...mf("order-D"),
      permission_set: "read",
    });

    const run = await scheduledRun(storeHash);
    expect(await versionsOf(storeHash, run.backupId)).toEqual(
      [
        `customers:${customerId}`,
        `orders:${orderId}`,
        `products:${other.id}`,
        `products:${product.id}`,
      ].sort(),
    );
    const values = (body: Record<string, unknown>, field = "metafields") =>
      ((body[field] as Metafield[] | undefined) ?? []).map((m) => m.value);
    expect(values(await latestBody(storeHash, "products", String(product.id)))).toContain("product-A");
    const variants = (await latestBody(storeHash, "products", String(other.id))).variants as Record<
      string,
      unknown
    >[];
    expect(values(variants.find((v) => v.id === variantId) ?? {})).toContain("variant-B");
    expect(values(await latestBody(storeHash, "customers", String(customerId)))).toContain("customer-C");
    expect(values(await latestBody(storeHash, "orders", String(orderId)))).toContain("order-D");
    // Finding them: one dated list per kind of metafield.
    expect(Object.values(scans(run.requests)).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
  });

  it("a quiet day costs two calls per dated metafield list (its count, its changes) and stores nothing", async () => {
    await aDayLater(storeHash);
    const run = await scheduledRun(storeHash);
    expect(await versionsOf(storeHash, run.backupId)).toEqual([]);
    expect(scans(run.requests)).toEqual({
      "GET /v3/catalog/products/metafields": 2,
      "GET /v3/catalog/variants/metafields": 2,
      "GET /v3/customers/metafields": 2,
      "GET /v3/orders/metafields": 2,
    });
    // No list in full: the counts said nothing was deleted, so no record was read.
    expect(recordsRead(run)).toEqual({ products: 0, customers: 0, orders: 0 });
  });

  it("a metafield deleted since the last run: the next daily run stores its record without it", async () => {
    const find = async (path: string, value: string) =>
      (await storeCall<{ data: (Metafield & { id: number })[] }>(token, storeHash, "GET", path)).data.find(
        (m) => m.value === value,
      )?.id;
    const remove = async (path: string) => {
      const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}${path}`, {
        method: "DELETE",
        headers: { "x-auth-token": token, accept: "application/json" },
      });
      expect(res.status, `DELETE ${path}`).toBe(204);
    };
    const customerPath = `/v3/customers/${customerId}/metafields`;
    const variantId = other.variants[0].id;
    const variantPath = `/v3/catalog/products/${other.id}/variants/${variantId}/metafields`;
    const customerMf = await find(customerPath, "customer-C");
    const variantMf = await find(variantPath, "variant-B");
    expect(customerMf && variantMf).toBeTruthy();
    // BigCommerce sends no hook for either, and neither moves a modification date.
    await remove(`${customerPath}/${customerMf}`);
    await remove(`${variantPath}/${variantMf}`);

    await aDayLater(storeHash);
    const run = await scheduledRun(storeHash);
    expect(await versionsOf(storeHash, run.backupId)).toEqual([
      `customers:${customerId}`,
      `products:${other.id}`,
    ]);
    const values = (body: Record<string, unknown>) =>
      ((body.metafields as Metafield[] | undefined) ?? []).map((m) => m.value);
    expect(values(await latestBody(storeHash, "customers", String(customerId)))).not.toContain("customer-C");
    const variants = (await latestBody(storeHash, "products", String(other.id))).variants as Record<
      string,
      unknown
    >[];
    expect(values(variants.find((v) => v.id === variantId) ?? {})).not.toContain("variant-B");
    // Found by the counts; those two types were then listed in full (every record read), orders were not.
    const read = recordsRead(run);
    expect(read.customers).toBe(await liveCount(storeHash, "customers"));
    expect(read.products).toBe(await liveCount(storeHash, "products"));
    expect(read.orders).toBe(0);

    // The day after, the counts agree again: nothing is listed in full.
    await aDayLater(storeHash);
    const quiet = await scheduledRun(storeHash);
    expect(await versionsOf(storeHash, quiet.backupId)).toEqual([]);
    expect(recordsRead(quiet)).toEqual({ products: 0, customers: 0, orders: 0 });
  });

  it("with automatic sync and healthy metafield hooks, products' and orders' lists are left to the hooks", async () => {
    await env.DB.prepare("update stores set auto_sync = 1 where hash = ?").bind(storeHash).run();
    await jobsOf(storeHash).syncWebhooks(true);
    await runInDurableObject(jobsOf(storeHash), (_i, state) => {
      state.storage.sql.exec("update webhook_health set active_since = ?", Date.now() - 86_400_000);
    });
    await aDayLater(storeHash);
    const run = await scheduledRun(storeHash);
    // Variants and customers have no metafield hooks at BigCommerce: still counted and listed.
    expect(scans(run.requests)).toEqual({
      "GET /v3/catalog/variants/metafields": 2,
      "GET /v3/customers/metafields": 2,
    });
  });
});

describe("the hooks check of a store without automatic sync", () => {
  it("costs a call only until the app's hooks are known to be gone", async () => {
    const { storeHash, token } = await installTestStore("demo", { seed: 34 });
    const hooksCalls = async () => {
      await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
      await backupNow(storeHash, ["brands"]);
      return (await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`)).requests["GET /v3/hooks"] ?? 0;
    };
    const hooksAtBigCommerce = async () =>
      (await storeCall<{ data: unknown[] }>(token, storeHash, "GET", "/v3/hooks")).data.length;

    expect(await hooksCalls()).toBe(1);
    expect(await hooksCalls()).toBe(0);

    // Automatic sync on, then off again: the next backup finds the hooks and removes them.
    await env.DB.prepare("update stores set auto_sync = 1 where hash = ?").bind(storeHash).run();
    await jobsOf(storeHash).syncWebhooks(true);
    expect(await hooksAtBigCommerce()).toBeGreaterThan(0);
    await env.DB.prepare("update stores set auto_sync = 0 where hash = ?").bind(storeHash).run();
    expect(await hooksCalls()).toBe(1);
    // The check runs as the backup finishes: the hooks go within moments.
    await expect.poll(hooksAtBigCommerce, { timeout: 20_000 }).toBe(0);
    expect(await hooksCalls()).toBe(0);
  });
});

describe("many variants' metafields changed in a day", () => {
  it("traces them to their products through the variant list, page by page, and backs up exactly those", async () => {
    const { storeHash, token } = await installTestStore("demo", { seed: 35 });
    const products = (
      await storeCall<{ data: { id: number; variants: { id: number }[] }[] }>(
        token,
        storeHash,
        "GET",
        "/v3/catalog/products?include=variants&limit=250",
      )
    ).data;
    await backupNow(storeHash, TYPES);
    // More variants than are traced one call each (50).
    const chosen = products
      .flatMap((p) => p.variants.map((v) => ({ product: p.id, variant: v.id })))
      .slice(0, 60);
    expect(chosen).toHaveLength(60);
    for (const { product, variant } of chosen) {
      await storeCall(
        token,
        storeHash,
        "POST",
        `/v3/catalog/products/${product}/variants/${variant}/metafields`,
        {
          namespace: "pim",
          key: "colour_code",
          value: `c-${variant}`,
          permission_set: "read",
        },
      );
    }
    const run = await scheduledRun(storeHash);
    expect(await versionsOf(storeHash, run.backupId)).toEqual(
      [...new Set(chosen.map((c) => `products:${c.product}`))].sort(),
    );
    const totalVariants = products.reduce((n, p) => n + p.variants.length, 0);
    expect(run.requests["GET /v3/catalog/variants"]).toBe(Math.max(1, Math.ceil(totalVariants / 250)));
  });
});
