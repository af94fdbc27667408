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

describe("a backup interrupted while it was starting", () => {
  it("starts again on the next alarm, completes, and leaves no backup running forever", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 43 });
    const calm = await installTestStore("demo", { seed: 43 });
    await backupNow(calm.storeHash);
    // What an eviction inside startJob's `start()` leaves behind, after start had already recorded its
    // backup row: the reserved slot without a saved state, and a backup row nobody will finish.
    await env.DB.prepare(
      "insert into backups (id, store_hash, kind, status, types, started_at) values ('orphan', ?, 'manual', 'running', '[]', ?)",
    )
      .bind(storeHash, Date.now())
      .run();
    await runInDurableObject(jobsOf(storeHash), async (_instance, state) => {
      state.storage.sql.exec(
        "insert into jobs (id, kind, status, params, state, started_at, updated_at) values ('interrupted', 'backup', 'running', ?, 'null', ?, ?)",
        JSON.stringify({ backupKind: "manual" }),
        Date.now(),
        Date.now(),
      );
      await state.storage.setAlarm(Date.now());
    });

    const final = await waitForJob(storeHash);
    expect(final.status).toBe("done");
    expect(await vaultTuples(storeHash)).toEqual(await vaultTuples(calm.storeHash));
    const { results } = await env.DB.prepare(
      "select id, status from backups where store_hash = ? order by id",
    )
      .bind(storeHash)
      .all<{ id: string; status: string }>();
    expect(results.find((b) => b.id === "orphan")?.status).toBe("failed");
    expect(results.filter((b) => b.status === "running")).toEqual([]);
    expect(results.filter((b) => b.status === "done")).toHaveLength(1);
  });
});
