import { describe, expect, it } from "vitest";
import { webhookScopes } from "../worker/bigcommerce/registry";
import { installViaOAuth, sandbox } from "./support/install";
import { SANDBOX_URL } from "./support/test-env";

async function hooks(storeHash: string, token: string): Promise<{ scope: string; destination: string }[]> {
  // The store's quota is shared with the app's own calls: wait out a 429 rather than read it as "no hooks".
  for (;;) {
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/hooks`, {
      headers: { "X-Auth-Token": token },
    });
    if (res.status === 429) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, Number(res.headers.get("X-Rate-Limit-Time-Reset-Ms") ?? 1000)));
      continue;
    }
    expect(res.status).toBe(200);
    const body = await res.json<{ data: { scope: string; destination: string }[] }>();
    return body.data;
  }
}

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const start = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    value = await read();
  }
  return value;
}

const allScopes = [...new Set(webhookScopes().map((w) => w.scope))];
const scopesOf = (type: string) => [
  ...new Set(
    webhookScopes()
      .filter((w) => w.type === type)
      .map((w) => w.scope),
  ),
];

describe("automatic sync", () => {
  it("registers the store's webhooks when turned on, and removes them when the plan no longer includes it", async () => {
    const app = await installViaOAuth("demo", 31);
    // Pacing is not what this tests: with the default quota (150 calls per 30 s) the hook writes and
    // this test's reads would spend most of the run waiting for the window to reset.
    await sandbox(`/__sandbox/stores/${app.storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });
    expect(await hooks(app.storeHash, app.sandboxToken)).toEqual([]);
    expect((await app.api("/api/plan", { method: "PUT", json: { plan: "pro" } })).status).toBe(200);
    expect((await app.api("/api/settings", { method: "PUT", json: { autoSync: true } })).status).toBe(200);
    const on = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => h.length >= allScopes.length,
    );
    expect(on.map((h) => h.scope)).toEqual(
      expect.arrayContaining(["store/product/updated", "store/order/created"]),
    );
    expect(on.every((h) => h.destination.endsWith("/webhooks/bigcommerce"))).toBe(true);
    expect(on.map((h) => h.scope).sort()).toEqual([...allScopes].sort());

    // Customers backed up daily instead: their hooks go at once, the others stay.
    const daily = await app.api("/api/settings", {
      method: "PUT",
      json: { typeFrequencies: { customers: "daily" } },
    });
    expect(daily.status).toBe(200);
    const withoutCustomers = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => !h.some((x) => scopesOf("customers").includes(x.scope)),
    );
    expect(withoutCustomers.map((h) => h.scope).sort()).toEqual(
      allScopes.filter((s) => !scopesOf("customers").includes(s)).sort(),
    );
    // And back to sync: registered again.
    const sync = await app.api("/api/settings", {
      method: "PUT",
      json: { typeFrequencies: { customers: "sync" } },
    });
    expect(sync.status).toBe(200);
    const back = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => h.length === allScopes.length,
    );
    expect(back.map((h) => h.scope).sort()).toEqual([...allScopes].sort());

    expect((await app.api("/api/plan", { method: "PUT", json: { plan: "standard" } })).status).toBe(200);
    const off = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => h.length === 0,
    );
    expect(off).toEqual([]);
  });
});
