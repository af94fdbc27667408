import { describe, expect, it } from "vitest";
import { installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Stats = { total_requests: number; rate_limited_429: number; overload_429: number };

describe("quota", () => {
  it("backs up without a single 429 while another app keeps using the store's reserve", async () => {
    // Standard plan (150 requests per window), windows shrunk to 600 ms; Strongbox leaves 20% free.
    const { storeHash, token } = await installTestStore("demo", {
      quota: { plan: "standard", time_scale: 0.02 },
      reservePct: 20,
    });
    await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });

    const started = await jobsOf(storeHash).startBackup({ kind: "manual" });
    expect(started.started).toBe(true);

    // The merchant's other app: about 10 requests per window, half the reserve, all through the backup.
    let otherCalls = 0;
    let otherThrottled = 0;
    let running = true;
    const otherApp = (async () => {
      while (running) {
        const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/brands?limit=1`, {
          headers: { "X-Auth-Token": token },
        });
        await res.arrayBuffer();
        otherCalls++;
        if (res.status === 429) otherThrottled++;
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    const status = await waitForJob(storeHash);
    running = false;
    await otherApp;

    expect(status.status).toBe("done");
    const stats = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
    expect(stats.rate_limited_429).toBe(0);
    expect(otherThrottled).toBe(0);
    expect(otherCalls).toBeGreaterThan(5);
    const quota = await jobsOf(storeHash).quota();
    expect(quota.throttled).toBe(0);
    // The store never had less than the reserve (20% of 150) left after one of Strongbox's calls.
    expect(quota.minLeft).not.toBeNull();
    expect(quota.minLeft as number).toBeGreaterThanOrEqual(Math.ceil(150 * 0.2) - 2);
  });
});
