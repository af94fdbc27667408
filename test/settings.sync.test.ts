import { describe, expect, it } from "vitest";
import { webhookScopes } from "../worker/bigcommerce/registry";
import { installViaOAuth } from "./support/install";
import { SANDBOX_URL } from "./support/test-env";

async function hooks(storeHash: string, token: string): Promise<{ scope: string; destination: string }[]> {
  const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/hooks`, {
    headers: { "X-Auth-Token": token },
  });
  const body = await res.json<{ data?: { scope: string; destination: string }[] }>();
  return body.data ?? [];
}

async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const start = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

describe("automatic sync", () => {
  it("registers the store's webhooks when turned on, and removes them when the plan no longer includes it", async () => {
    const app = await installViaOAuth("demo", 31);
    expect(await hooks(app.storeHash, app.sandboxToken)).toEqual([]);
    expect((await app.api("/api/plan", { method: "PUT", json: { plan: "pro" } })).status).toBe(200);
    expect((await app.api("/api/settings", { method: "PUT", json: { autoSync: true } })).status).toBe(200);
    const on = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => h.length >= webhookScopes().length,
    );
    expect(on.map((h) => h.scope)).toEqual(
      expect.arrayContaining(["store/product/updated", "store/order/created"]),
    );
    expect(on.every((h) => h.destination.endsWith("/webhooks/bigcommerce"))).toBe(true);

    expect((await app.api("/api/plan", { method: "PUT", json: { plan: "standard" } })).status).toBe(200);
    const off = await eventually(
      () => hooks(app.storeHash, app.sandboxToken),
      (h) => h.length === 0,
    );
    expect(off).toEqual([]);
  });
});
