import { describe, expect, it } from "vitest";
import { BigCommerceClient, BigCommerceError } from "../worker/bigcommerce/client";
import type { Clock } from "../worker/bigcommerce/pacer";
import { getType } from "../worker/bigcommerce/registry";

/** A clock that only moves when someone sleeps: pacing is measured in simulated time. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += Math.max(0, ms);
    },
  };
}

/** A store with a quota per window, shared with `otherAppCallsPerWindow` calls of another app at each window start. */
function quotaServer(
  clock: Clock,
  quota: number,
  windowMs: number,
  body: (url: URL) => Response = () => Response.json({ data: [] }),
) {
  let windowStart = clock.now();
  let used = 0;
  const log: { at: number; leftBefore: number; status: number }[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const now = clock.now();
    if (now >= windowStart + windowMs) {
      windowStart += Math.floor((now - windowStart) / windowMs) * windowMs;
      used = 0;
    }
    const headers = (left: number) => ({
      "X-Rate-Limit-Requests-Quota": String(quota),
      "X-Rate-Limit-Requests-Left": String(left),
      "X-Rate-Limit-Time-Window-Ms": String(windowMs),
      "X-Rate-Limit-Time-Reset-Ms": String(windowStart + windowMs - now),
    });
    const leftBefore = quota - used;
    if (used >= quota) {
      log.push({ at: now, leftBefore, status: 429 });
      return new Response("{}", { status: 429, headers: headers(0) });
    }
    used++;
    log.push({ at: now, leftBefore, status: 200 });
    const res = body(new URL(String(input)));
    const out = new Response(res.body, {
      status: res.status,
      headers: { ...Object.fromEntries(res.headers), ...headers(quota - used) },
    });
    return out;
  };
  return { fetch: fetch as typeof globalThis.fetch, log };
}

const client = (
  fetch: typeof globalThis.fetch,
  clock: Clock,
  extra: Partial<ConstructorParameters<typeof BigCommerceClient>[0]> = {},
) =>
  new BigCommerceClient({
    baseUrl: "http://bc.test",
    storeHash: "abc",
    token: "t",
    fetch,
    clock,
    retryBaseMs: 100,
    ...extra,
  });

describe("BigCommerce client pacing", () => {
  it("never uses the reserve and spreads calls over the window, with no 429", async () => {
    const clock = fakeClock();
    const server = quotaServer(clock, 150, 30_000);
    const c = client(server.fetch, clock);
    c.pacer.reservePct = 20;
    for (let i = 0; i < 400; i++) await c.request("GET", "v3", "/catalog/brands");
    expect(server.log.filter((l) => l.status === 429)).toHaveLength(0);
    // At most 120 of 150 calls in any window: 30 always left for the merchant's other apps.
    expect(Math.min(...server.log.map((l) => l.leftBefore))).toBeGreaterThan(30);
    // 400 calls at 120 per 30 s take a bit over three windows, not less.
    const elapsed = server.log[server.log.length - 1].at - server.log[0].at;
    expect(elapsed).toBeGreaterThanOrEqual(3 * 30_000 - 1000);
    expect(elapsed).toBeLessThan(4 * 30_000);
  });

  it("sleeps the reset time on a 429 and then succeeds", async () => {
    const clock = fakeClock();
    let calls = 0;
    const fetch = (async () => {
      calls++;
      if (calls === 1)
        return new Response("{}", {
          status: 429,
          headers: { "X-Rate-Limit-Time-Reset-Ms": "4200", "X-Rate-Limit-Requests-Quota": "150" },
        });
      return Response.json({ data: { id: 1 } });
    }) as typeof globalThis.fetch;
    const res = await client(fetch, clock).request("GET", "v3", "/catalog/brands/1");
    expect(res.status).toBe(200);
    expect(clock.slept.some((ms) => ms >= 4200)).toBe(true);
  });

  it("backs off more and more on 429s without rate headers (platform overload)", async () => {
    const clock = fakeClock();
    let calls = 0;
    const fetch = (async () =>
      ++calls <= 3
        ? new Response("{}", { status: 429 })
        : Response.json({ data: [] })) as typeof globalThis.fetch;
    await client(fetch, clock).request("GET", "v3", "/catalog/brands");
    expect(clock.slept).toEqual([1000, 2000, 4000]);
  });

  it("retries 5xx and network errors a bounded number of times, then fails clearly", async () => {
    const clock = fakeClock();
    let calls = 0;
    const flaky = (async () => {
      calls++;
      if (calls === 1) throw new TypeError("connection reset");
      if (calls === 2) return new Response("oops", { status: 502 });
      return Response.json({ data: [] });
    }) as typeof globalThis.fetch;
    expect((await client(flaky, clock).request("GET", "v3", "/catalog/brands")).status).toBe(200);

    const down = (async () => new Response("down", { status: 503 })) as typeof globalThis.fetch;
    const err = await client(down, clock, { maxAttempts: 3 })
      .request("GET", "v3", "/catalog/brands")
      .catch((e) => e);
    expect(err).toBeInstanceOf(BigCommerceError);
    expect((err as BigCommerceError).status).toBe(503);
    expect((err as Error).message).toContain("after 3 attempts");
  });
});

describe("BigCommerce client paging", () => {
  const rows = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: from + i, name: `r${from + i}` }));

  it("pages v2 lists until a 204", async () => {
    const clock = fakeClock();
    const server = quotaServer(clock, 1_000_000, 30_000, (url) => {
      const page = Number(url.searchParams.get("page"));
      return page <= 2 ? Response.json(rows((page - 1) * 250 + 1, 250)) : new Response(null, { status: 204 });
    });
    const c = client(server.fetch, clock);
    const seen: number[] = [];
    for await (const page of c.pages(getType("orders"))) seen.push(page.records.length);
    expect(seen).toEqual([250, 250, 0]);
    expect(server.log).toHaveLength(3);
  });

  it("pages v2 by min_id, and v3 by meta pagination and cursors", async () => {
    const clock = fakeClock();
    const all = rows(1, 300);
    const server = quotaServer(clock, 1_000_000, 30_000, (url) => {
      if (url.pathname.endsWith("/v2/coupons")) {
        const min = Number(url.searchParams.get("min_id") ?? 0);
        const out = all.filter((r) => r.id >= min).slice(0, 250);
        return out.length ? Response.json(out) : new Response(null, { status: 204 });
      }
      if (url.pathname.endsWith("/v3/catalog/brands")) {
        const page = Number(url.searchParams.get("page"));
        return Response.json({
          data: all.slice((page - 1) * 250, page * 250),
          meta: { pagination: { total: 300, current_page: page, total_pages: 2 } },
        });
      }
      const after = url.searchParams.get("after");
      const start = after ? Number(after) : 0;
      const data = all.slice(start, start + 250);
      const end = String(start + data.length);
      return Response.json({
        data,
        meta: {
          cursor_pagination: { end_cursor: end, links: start + 250 < 300 ? { next: `?after=${end}` } : {} },
        },
      });
    });
    const c = client(server.fetch, clock);
    for (const key of ["coupons", "brands", "inventory"]) {
      let n = 0;
      for await (const page of c.pages(getType(key))) n += page.records.length;
      expect(n, key).toBe(300);
    }
  });
});
