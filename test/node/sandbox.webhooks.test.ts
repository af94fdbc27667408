import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

interface Received {
  headers: IncomingMessage["headers"];
  body: { scope: string; hash: string; data: { id: number } };
}

/** A webhook receiver on a real local port, answering each call as `answer(n)` says (n counts from 1). */
async function receiver(answer: (n: number, res: ServerResponse) => void) {
  const calls: Received[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      calls.push({ headers: req.headers, body: JSON.parse(text) });
      answer(calls.length, res);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, calls };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A store delivering webhooks over HTTP with BigCommerce's retry intervals shrunk 100,000× (60 s → 0.6 ms). */
async function httpStore(timeoutMs = 2000) {
  const store = await sandboxStore("demo", { deliverWebhooks: "http" });
  await store.admin("PUT", `/stores/${store.hash}/webhooks/policy`, {
    retry_scale: 0.00001,
    timeout_ms: timeoutMs,
  });
  return store;
}

async function hookOn(store: Awaited<ReturnType<typeof httpStore>>, destination: string) {
  const res = await store.api("POST", "/v3/hooks", {
    scope: "store/product/updated",
    destination,
    is_active: true,
    headers: { "x-secret": "s3cret" },
  });
  expect(res.status).toBe(200);
  return res.body.data.id as number;
}

describe("sandbox webhooks over HTTP: BigCommerce's retries and deactivation", () => {
  it("retries a callback answered 5xx until it is acknowledged, with the same payload and headers each time", async () => {
    const store = await httpStore();
    const { url, calls } = await receiver((n, res) => {
      res.statusCode = n <= 2 ? 503 : 200;
      res.end();
    });
    const hookId = await hookOn(store, url);
    await store.api("PUT", "/v3/catalog/products/3", { price: 77 });
    await until("the acknowledged third call", () => calls.length >= 3);
    // Nothing more once acknowledged.
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.body).toEqual(calls[0].body);
      expect(c.headers["x-secret"]).toBe("s3cret");
    }
    expect(calls[0].body).toMatchObject({ scope: "store/product/updated", data: { id: 3 } });
    const deliveries = (await store.admin("GET", `/stores/${store.hash}/webhooks/deliveries`)).body;
    expect(deliveries[0].attempts.map((a: { status: number }) => a.status)).toEqual([503, 503, 200]);
    expect((await store.api("GET", `/v3/hooks/${hookId}`)).body.data.is_active).toBe(true);
  });

  it("treats no answer in time as a failure and retries it", async () => {
    const store = await httpStore(150);
    const { url, calls } = await receiver((n, res) => {
      if (n === 1) setTimeout(() => res.end(), 1000);
      else res.end();
    });
    await hookOn(store, url);
    await store.api("PUT", "/v3/catalog/products/3", { price: 78 });
    await until("the retry after the timeout", () => calls.length >= 2);
    await until("the delivery log", async () => {
      const d = (await store.admin("GET", `/stores/${store.hash}/webhooks/deliveries`)).body[0];
      return d.attempts.length === 2;
    });
    const d = (await store.admin("GET", `/stores/${store.hash}/webhooks/deliveries`)).body[0];
    expect(d.attempts.map((a: { status: unknown }) => a.status)).toEqual(["timeout", 200]);
  });

  it("deactivates the hook after the last retry fails, and then calls it no more", async () => {
    const store = await httpStore();
    const { url, calls } = await receiver((_n, res) => {
      res.statusCode = 500;
      res.end();
    });
    const hookId = await hookOn(store, url);
    await store.api("PUT", "/v3/catalog/products/3", { price: 79 });
    // The first call and BigCommerce's ten retries.
    await until("the hook to be deactivated", async () => {
      return (await store.api("GET", `/v3/hooks/${hookId}`)).body.data.is_active === false;
    });
    expect(calls).toHaveLength(11);
    const d = (await store.admin("GET", `/stores/${store.hash}/webhooks/deliveries`)).body[0];
    expect(d.gave_up).toBe(true);
    await store.api("PUT", "/v3/catalog/products/3", { price: 80 });
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toHaveLength(11);
  });

  it("deactivates a hook after 90 days without any event, as BigCommerce does", async () => {
    const day = 86_400_000;
    let now = Date.UTC(2026, 0, 1);
    const { api, admin, hash } = await sandboxStore("demo", { now: () => now });
    const hook = (
      await api("POST", "/v3/hooks", { scope: "store/product/updated", destination: "https://app.example/h" })
    ).body.data;
    const delivered = async () =>
      (await admin("GET", `/stores/${hash}/webhooks/deliveries?drain=1`)).body.length;
    now += 89 * day;
    await api("PUT", "/v3/catalog/products/3", { price: 81 });
    expect(await delivered()).toBe(1);
    // 89 more days: counted from the last event, not from creation.
    now += 89 * day;
    await api("PUT", "/v3/catalog/products/3", { price: 82 });
    expect(await delivered()).toBe(1);
    now += 91 * day;
    await api("PUT", "/v3/catalog/products/3", { price: 83 });
    expect(await delivered()).toBe(0);
    expect((await api("GET", `/v3/hooks/${hook.id}`)).body.data.is_active).toBe(false);
    // Switched back on, it is called again.
    await api("PUT", `/v3/hooks/${hook.id}`, { is_active: true });
    await api("PUT", "/v3/catalog/products/3", { price: 84 });
    expect(await delivered()).toBe(1);
  });
});
