import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JobStatus } from "../worker/jobs/store-jobs";
import { backupNow, installTestStore, jobsOf, waitForJob } from "./support/stores";

/** The vault as (type, record, change) per version, in a comparable order. */
async function vaultTuples(storeHash: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id, change from versions where store_hash = ? order by type, record_id, captured_at",
  )
    .bind(storeHash)
    .all<{ type: string; record_id: string; change: string }>();
  return results.map((r) => `${r.type}/${r.record_id}/${r.change}`);
}

async function recordRows(storeHash: string) {
  const { results } = await env.DB.prepare(
    "select type, record_id, current_hash is not null as has_hash, version_count, deleted from records where store_hash = ? order by type, record_id",
  )
    .bind(storeHash)
    .all();
  return results;
}

describe("a backup interrupted by evictions", () => {
  it("resumes and ends with the same vault as an uninterrupted run", async () => {
    // Two stores generated from the same seed hold the same records.
    const quota = { plan: "standard", time_scale: 0.02 };
    const calm = await installTestStore("demo", { seed: 42, quota });
    const rough = await installTestStore("demo", { seed: 42, quota });

    await backupNow(calm.storeHash);

    const started = await jobsOf(rough.storeHash).startBackup({ kind: "manual" });
    expect(started.started).toBe(true);
    let interruptions = 0;
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 120));
      const status = (await jobsOf(rough.storeHash).status()) as JobStatus;
      if (status.status !== "running") break;
      // Kill this store's Durable Object mid-step: in-memory state, open requests and the running alarm
      // are lost. (Only this one: abortAllDurableObjects() would also kill other test files' objects.)
      await runInDurableObject(jobsOf(rough.storeHash), (_instance, state) =>
        state.abort("evicted by the test"),
      ).catch(() => undefined);
      interruptions++;
    }
    const final = await waitForJob(rough.storeHash);
    expect(final.status).toBe("done");
    expect(interruptions).toBeGreaterThan(2);

    expect(await vaultTuples(rough.storeHash)).toEqual(await vaultTuples(calm.storeHash));
    expect(await recordRows(rough.storeHash)).toEqual(await recordRows(calm.storeHash));

    // And the resumed vault is complete enough that a second run finds nothing new.
    const again = await backupNow(rough.storeHash);
    const changes = Object.values(again.progress.types).reduce((n, p) => n + p.versions + p.deleted, 0);
    expect(changes).toBe(0);
  });
});
