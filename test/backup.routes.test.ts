import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type AppSession, installViaOAuth } from "./support/install";
import { jobsOf, waitForJob } from "./support/stores";

type Job = {
  id: string;
  status: string;
  progress: { types: Record<string, { done: number; status: string }> };
};

describe("Backup vault API", () => {
  let s: AppSession;

  beforeAll(async () => {
    s = await installViaOAuth("demo", 21);
    // The install may start a first backup of its own: let it finish.
    if (await jobsOf(s.storeHash).status()) await waitForJob(s.storeHash);
  });

  it("Backup all data starts a job, a second request while it runs is refused with 409 job_running", async () => {
    const first = await s.api("/api/backups", { method: "POST", json: {} });
    expect(first.status).toBe(202);
    const { jobId, backupId } = await first.json<{ jobId: string; backupId: string }>();
    expect(jobId).toBeTruthy();
    const second = await s.api("/api/backups", { method: "POST", json: {} });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: "job_running" } });

    const current = await (await s.api("/api/jobs/current")).json<{ job: Job | null }>();
    if (current.job) expect(current.job.id).toBe(jobId);
    await waitForJob(s.storeHash);

    const list = await (await s.api("/api/backups")).json<{
      backups: { id: string; status: string; counts: Record<string, { items: number }> }[];
    }>();
    const done = list.backups.find((b) => b.id === backupId);
    expect(done?.status).toBe("done");
    expect(done?.counts.products.items).toBeGreaterThan(0);
  });

  it("summary, Item Storage and history reflect the backup", async () => {
    const summary = await (await s.api("/api/vault/summary")).json<{
      lastBackup: { status: string } | null;
      items: number;
      storageBytes: number;
      runningJob: unknown;
    }>();
    expect(summary.lastBackup?.status).toBe("done");
    expect(summary.items).toBeGreaterThan(100);
    expect(summary.storageBytes).toBeGreaterThan(0);
    expect(summary.runningJob).toBeNull();

    const { types } = await (await s.api("/api/vault/types")).json<{
      types: { group: string; type: string; items: number; bytes: number; restoreMode: string }[];
    }>();
    const products = types.find((t) => t.type === "products");
    expect(products?.group).toBe("store");
    expect(products?.items).toBeGreaterThan(0);
    expect(products?.bytes).toBeGreaterThan(0);
    expect(types.find((t) => t.type === "orders")?.restoreMode).toBe("team_assisted");
    expect(types.reduce((n, t) => n + t.items, 0)).toBe(summary.items);

    const { points } = await (await s.api("/api/vault/history")).json<{
      points: { changes: number; storageBytes: number }[];
    }>();
    expect(points.length).toBeGreaterThan(0);
    expect(points[points.length - 1].storageBytes).toBeGreaterThan(0);
  });

  it("publishes the routes in the OpenAPI document and needs a session", async () => {
    const doc = await (await exports.default.fetch("http://app.test/api/openapi.json")).json<{
      paths: Record<string, unknown>;
    }>();
    for (const path of [
      "/api/vault/summary",
      "/api/backups",
      "/api/jobs/current",
      "/api/vault/types",
      "/api/vault/history",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect((await exports.default.fetch("http://app.test/api/vault/summary")).status).toBe(401);
  });
});
