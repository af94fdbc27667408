import { describe, expect, it } from "vitest";
import { BigCommerceClient, BigCommerceError } from "../worker/bigcommerce/client";
import type { Clock } from "../worker/bigcommerce/pacer";

const instantClock: Clock = { now: () => Date.now(), sleep: async () => {} };

/** A server that never answers until the request is aborted. */
function hangingFetch(counter: { calls: number }): typeof fetch {
  return (_input, init) => {
    counter.calls++;
    return new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
    });
  };
}

describe("a request that never answers", () => {
  it("is aborted after the timeout, retried like a network error, then reported", async () => {
    const counter = { calls: 0 };
    const client = new BigCommerceClient({
      baseUrl: "http://bc.test",
      storeHash: "abc",
      token: "t",
      fetch: hangingFetch(counter),
      clock: instantClock,
      maxAttempts: 3,
      timeoutMs: 50,
    });
    const started = Date.now();
    const error = await client.request("GET", "v3", "/catalog/brands").catch((e) => e);
    expect(error).toBeInstanceOf(BigCommerceError);
    expect((error as BigCommerceError).message).toMatch(/network error after 3 attempts/);
    expect(counter.calls).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
