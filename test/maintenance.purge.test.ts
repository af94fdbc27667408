import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../worker/index";
import { installViaOAuth, sandbox } from "./support/install";
import { jobsOf, waitForJob } from "./support/stores";

async function storeRowCounts(hash: string) {
  const tables = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and sql like '%`store_hash`%'",
  ).all<{ name: string }>();
  let total = 0;
  for (const { name } of tables.results) {
    total += (await env.DB.prepare(`select count(*) as n from "${name}" where store_hash = ?`)
      .bind(hash)
      .first<{ n: number }>())!.n;
  }
  const store = await env.DB.prepare("select count(*) as n from stores where hash = ?")
    .bind(hash)
    .first<{ n: number }>();
  return {
    rows: total,
    store: store!.n,
    packs: (await env.VAULT.list({ prefix: `packs/${hash}/` })).objects.length,
  };
}

async function uninstall(hash: string) {
  const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${hash}/uninstall`, {
    method: "POST",
    json: {},
  });
  expect((await exports.default.fetch(url)).status).toBe(200);
}

async function runCron(at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("uninstall and the grace period", () => {
  it("stops a running backup at once when the app is uninstalled", async () => {
    const s = await installViaOAuth("demo", 61);
    const started = await s.api("/api/backups", { method: "POST", json: {} });
    expect([202, 409]).toContain(started.status);
    await uninstall(s.storeHash);
    const status = await waitForJob(s.storeHash);
    expect(["cancelled", "failed"]).toContain(status.status);
    expect(
      await env.DB.prepare("select status from stores where hash = ?").bind(s.storeHash).first(),
    ).toEqual({ status: "uninstalled" });
  });

  it("keeps the vault during the grace period, then the hourly cron deletes every row and object of the store and nothing else", async () => {
    const gone = await installViaOAuth("demo", 62);
    const kept = await installViaOAuth("demo", 63);
    for (const s of [gone, kept]) {
      await s.api("/api/backups", { method: "POST", json: {} });
      await waitForJob(s.storeHash);
    }
    const keptBefore = await storeRowCounts(kept.storeHash);
    await uninstall(gone.storeHash);

    await runCron(Date.now());
    const during = await storeRowCounts(gone.storeHash);
    expect(during.rows).toBeGreaterThan(0);
    expect(during.packs).toBeGreaterThan(0);

    const deleteAfter = (await env.DB.prepare("select delete_after from stores where hash = ?")
      .bind(gone.storeHash)
      .first<{ delete_after: number }>())!.delete_after;
    await runCron(deleteAfter + 3600_000);
    expect(await storeRowCounts(gone.storeHash)).toEqual({ rows: 0, store: 0, packs: 0 });
    expect(await jobsOf(gone.storeHash).status()).toBeNull();
    expect(await storeRowCounts(kept.storeHash)).toEqual(keptBefore);
  });
});
