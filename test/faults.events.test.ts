import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { startExport } from "../worker/export/start";
import worker from "../worker/index";
import { checkVault } from "../worker/integrity/vault-check";
import type { JobStatus } from "../worker/jobs/store-jobs";
import { newId } from "../worker/lib/ids";
import { calm, duplicateVersions, expectReadableFailure, report, vaultTuples } from "./faults.support";
import { CATALOG, productsOf, startBulk, storeAfterMutation } from "./recovery.support";
import { installViaOAuth, sandbox } from "./support/install";
import { backupNow, installTestStore, jobsOf, sandboxAdmin, settleJobs, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Delivery = { scope: string; headers: Record<string, string>; payload: Record<string, unknown> };

const webhookVersions = async (storeHash: string) =>
  (
    await env.DB.prepare(
      "select type, record_id, change from versions where store_hash = ? and source = 'webhook' order by id",
    )
      .bind(storeHash)
      .all<{ type: string; record_id: string; change: string }>()
  ).results;

/** The merchant editing the store (the store's own token, as the control panel would). */
async function storeCall(storeHash: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3${path}`, {
    method,
    headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  await res.body?.cancel();
}

/** Polls until `check` holds (the queue consumer runs on its own schedule). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** A backup run after the events finds nothing new: the vault already held the store's final state. */
async function expectVaultCurrent(storeHash: string, types: string[]) {
  const again = await backupNow(storeHash, types);
  const changes = Object.entries(again.progress.types).filter(([, p]) => p.versions + p.deleted > 0);
  expect(changes).toEqual([]);
  expect(await duplicateVersions(storeHash)).toEqual([]);
  expect((await checkVault(env, storeHash)).problems).toEqual([]);
}

describe("queue redelivery", () => {
  it.each([
    { name: "the same message redelivered in a later batch", batches: [[1], [2]] },
    { name: "the same message twice in one batch", batches: [[1, 2]] },
    { name: "a retried message after a redelivery", batches: [[1], [2], [3]] },
  ])("$name: the change is recorded once", async ({ batches }) => {
    const { storeHash, token } = await installTestStore("demo", { seed: 91 });
    await backupNow(storeHash, ["products"]);
    const { results } = await env.DB.prepare(
      "select record_id from records where store_hash = ? and type = 'products' order by record_id limit 1",
    )
      .bind(storeHash)
      .all<{ record_id: string }>();
    const id = results[0].record_id;
    await storeCall(storeHash, token, "PUT", `/catalog/products/${id}`, {
      name: `Renamed ${batches.length}`,
    });

    const body = { kind: "capture", store: storeHash, type: "products", id };
    for (const attempts of batches) {
      const batch = createMessageBatch(
        "strongbox-jobs",
        attempts.map((a) => ({ id: `capture-${id}-${a}`, timestamp: new Date(), attempts: a, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      const result = await getQueueResult(batch, ctx);
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks.sort()).toEqual(attempts.map((a) => `capture-${id}-${a}`).sort());
    }
    expect(await webhookVersions(storeHash)).toEqual([
      { type: "products", record_id: id, change: "updated" },
    ]);
    report({ job: "webhook capture", scenario: "queue redelivery", batches, versions: 1 });
    await expectVaultCurrent(storeHash, ["products"]);
  });
});

/** Hands `worker.queue` one batch of copies of `body` (one per attempt number) and returns what it acked and retried. */
async function deliverBatch(body: unknown, id: string, attempts: number[]) {
  const batch = createMessageBatch(
    "strongbox-jobs",
    attempts.map((a) => ({ id, timestamp: new Date(), attempts: a, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  return { acked: result.explicitAcks.length, retried: result.retryMessages.length };
}

describe("queue redelivery of the messages that start jobs", () => {
  it("a scheduled (incremental) backup message delivered twice, then again after the job: one backup records the changes, the others find nothing", async () => {
    const types = ["brands", "products", "customers"];
    const { storeHash } = await installTestStore("demo", { seed: 99 });
    await backupNow(storeHash, types);
    await sandboxAdmin(`/stores/${storeHash}/mutate`, { json: { kind: "churn", share: 0.1, seed: 23 } });
    const versionsBefore = (await vaultTuples(storeHash)).length;
    const body = { kind: "backup", store: storeHash, backupKind: "scheduled", types };
    // Two copies in one batch: the first starts the backup, the second finds it running and waits.
    expect(await deliverBatch(body, "scheduled-backup-1", [1, 2])).toEqual({ acked: 1, retried: 1 });
    expect((await waitForJob(storeHash)).status).toBe("done");
    const kind = await env.DB.prepare(
      "select kind from backups where store_hash = ? order by started_at desc limit 1",
    )
      .bind(storeHash)
      .first<string>("kind");
    expect(kind).toBe("incremental");
    const afterFirst = await vaultTuples(storeHash);
    expect(afterFirst.length).toBeGreaterThan(versionsBefore);
    // The retried copy comes back after the job: it runs a backup that finds nothing new.
    expect(await deliverBatch(body, "scheduled-backup-1", [3])).toEqual({ acked: 1, retried: 0 });
    const again = await waitForJob(storeHash);
    expect(again.status).toBe("done");
    expect(Object.values(again.progress.types).filter((p) => p.versions + p.deleted > 0)).toEqual([]);
    expect(await vaultTuples(storeHash)).toEqual(afterFirst);
    expect(await duplicateVersions(storeHash)).toEqual([]);
    expect((await checkVault(env, storeHash)).problems).toEqual([]);
    report({
      job: "incremental backup",
      scenario: "queue redelivers its start message",
      deliveries: 3,
      runs: 2,
    });
  });

  it("a scheduled export message delivered twice, then again after the export: one export, one set of files", async () => {
    const { storeHash } = await installTestStore("demo", { seed: 100 });
    const exportId = newId();
    const body = {
      kind: "export",
      store: storeHash,
      exportId,
      exportKind: "weekly",
      types: ["brands", "categories", "pages"],
      emails: [],
    };
    expect(await deliverBatch(body, "scheduled-export-1", [1, 2])).toEqual({ acked: 2, retried: 0 });
    expect((await waitForJob(storeHash)).status).toBe("done");
    expect(await deliverBatch(body, "scheduled-export-1", [3])).toEqual({ acked: 1, retried: 0 });
    const rows = await env.DB.prepare("select id, status, files from exports where store_hash = ?")
      .bind(storeHash)
      .all<{ id: string; status: string; files: string }>();
    expect(rows.results.map((r) => [r.id, r.status])).toEqual([[exportId, "done"]]);
    const files = JSON.parse(rows.results[0].files) as { key: string }[];
    const stored = await env.EXPORTS.list({ prefix: `exports/${storeHash}/` });
    expect(stored.objects.map((o) => o.key).sort()).toEqual(files.map((f) => f.key).sort());
    report({ job: "export", scenario: "queue redelivers its start message", deliveries: 3, exports: 1 });
  });
});

describe("webhooks duplicated, delayed and out of order", () => {
  it("ends with the store's final state in the vault, each change recorded once", async () => {
    const types = ["products", "customers", "brands", "categories"];
    const { storeHash, token } = await installTestStore("demo", { seed: 92 });
    await backupNow(storeHash, types);
    await jobsOf(storeHash).syncWebhooks(true);
    await sandboxAdmin(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    await sandboxAdmin(`/stores/${storeHash}/faults`, {
      method: "PUT",
      json: { webhookDuplicateRate: 0.5, webhookDelayMs: 1_500, seed: 12 },
    });
    const ids = async (type: string, n: number) =>
      (
        await env.DB.prepare(
          "select record_id from records where store_hash = ? and type = ? and deleted = 0 order by record_id limit ?",
        )
          .bind(storeHash, type, n)
          .all<{ record_id: string }>()
      ).results.map((r) => r.record_id);
    const [p1, p2, p3] = await ids("products", 3);
    const [c1, c2] = await ids("customers", 2);
    // Several edits of the same records, a deletion, and a creation: the announcements arrive late,
    // some twice, and in the reverse order.
    await storeCall(storeHash, token, "PUT", `/catalog/products/${p1}`, { name: "First edit" });
    await storeCall(storeHash, token, "PUT", `/catalog/products/${p2}`, { price: 12.5 });
    await storeCall(storeHash, token, "PUT", `/catalog/products/${p1}`, { name: "Second edit" });
    await storeCall(storeHash, token, "DELETE", `/catalog/products/${p3}`);
    await storeCall(storeHash, token, "PUT", "/customers", [{ id: Number(c1), company: "Edited Ltd" }]);
    await storeCall(storeHash, token, "DELETE", `/customers?id:in=${c2}`);
    await storeCall(storeHash, token, "POST", "/catalog/products", {
      name: "Created during the storm",
      type: "physical",
      weight: 1,
      price: 3,
    });
    expect(await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_600));
    const deliveries = (
      await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`)
    ).reverse();
    const unique = new Set(deliveries.map((d) => d.payload.hash)).size;
    expect(deliveries.length).toBeGreaterThan(unique); // some were duplicated
    for (const d of deliveries) {
      const res = await exports.default.fetch("http://app.test/webhooks/bigcommerce", {
        method: "POST",
        headers: { "content-type": "application/json", ...d.headers },
        body: JSON.stringify(d.payload),
      });
      expect(res.status).toBe(200);
    }
    // p1, p2, p3 (deleted), c1, c2 (deleted) and the new product: one version each.
    expect(await eventually(async () => (await webhookVersions(storeHash)).length >= 6)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await webhookVersions(storeHash);
    await calm(storeHash);
    report({
      job: "webhook capture",
      scenario: "duplicated, delayed, reversed",
      deliveries: deliveries.length,
      unique,
      versions: rows.length,
    });
    const perRecord = new Map<string, string[]>();
    for (const r of rows)
      perRecord.set(`${r.type}/${r.record_id}`, [
        ...(perRecord.get(`${r.type}/${r.record_id}`) ?? []),
        r.change,
      ]);
    expect(perRecord.get(`products/${p3}`)).toEqual(["deleted"]);
    expect(perRecord.get(`customers/${c2}`)).toEqual(["deleted"]);
    expect(perRecord.get(`customers/${c1}`)).toEqual(["updated"]);
    expect(perRecord.get(`products/${p2}`)).toEqual(["updated"]);
    expect(perRecord.get(`products/${p1}`)?.length).toBeGreaterThanOrEqual(1);
    expect([...perRecord.entries()].filter(([k, v]) => k !== `products/${p1}` && v.length !== 1)).toEqual([]);
    await expectVaultCurrent(storeHash, types);
  });
});

describe("a backup and an export requested at the same moment", () => {
  it("runs exactly one; the other is refused with job_running and leaves no row", async () => {
    const session = await installViaOAuth("demo", 101);
    await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const count = async (table: string) =>
      (await env.DB.prepare(`select count(*) as n from ${table} where store_hash = ?`)
        .bind(session.storeHash)
        .first<number>("n")) ?? 0;
    const outcomes: string[] = [];
    // Enough work that the first job still runs when the other request arrives, on a busy machine too
    // (a two-type job could end first, and then both would rightly start).
    const TYPES = ["products", "customers", "brands", "categories"];
    for (const exportFirst of [false, true]) {
      const before = { backups: await count("backups"), exports: await count("exports") };
      const backup = () => session.api("/api/backups", { method: "POST", json: { types: TYPES } });
      const exp = () =>
        session.api("/api/exports", {
          method: "POST",
          json: { types: TYPES, emails: ["owner@example.com"] },
        });
      const [b, e] = exportFirst
        ? await Promise.all([exp(), backup()]).then(([e1, b1]) => [b1, e1])
        : await Promise.all([backup(), exp()]);
      const started = [b, e].filter((r) => r.status < 300);
      const refused = [b, e].filter((r) => r.status >= 300);
      expect(started, "exactly one job runs").toHaveLength(1);
      expect(refused.map((r) => r.status)).toEqual([409]);
      const err = await refused[0].json<{ error: { code: string; message: string } }>();
      expect(err.error.code).toBe("job_running");
      expect(err.error.message).toMatch(/running/i);
      await started[0].body?.cancel();
      expect((await waitForJob(session.storeHash, 55_000)).status).toBe("done");
      expect(await count("backups")).toBe(before.backups + (b.status < 300 ? 1 : 0));
      expect(await count("exports")).toBe(before.exports + (e.status < 300 ? 1 : 0));
      outcomes.push(
        `${exportFirst ? "export" : "backup"} called first: ${b.status < 300 ? "backup" : "export"} ran`,
      );
    }
    report({ job: "backup + export", scenario: "same moment", outcomes });
  });
});

describe("a backup and a restore requested at the same moment", () => {
  it("runs exactly one; the other is refused with a clear message and leaves no trace", async () => {
    const store = await storeAfterMutation(93, { kind: "bad-import", share: 0.3 });
    const body = { backupId: store.version.backupId, types: ["products"] };
    const count = async (table: string) =>
      (await env.DB.prepare(`select count(*) as n from ${table} where store_hash = ?`)
        .bind(store.storeHash)
        .first<number>("n")) ?? 0;
    const outcomes: string[] = [];
    // Together (either call first), then the restore a moment ahead, so both refusal paths are seen.
    for (const mode of ["backup called first", "restore called first", "restore a moment ahead"]) {
      const backupsBefore = await count("backups");
      const restoresBefore = await count("restores");
      const backup = () => jobsOf(store.storeHash).startBackup({ kind: "manual", types: CATALOG });
      const restore = () => startBulk(store, body);
      const [b, r] =
        mode === "backup called first"
          ? await Promise.all([backup(), restore()])
          : mode === "restore called first"
            ? await Promise.all([restore(), backup()]).then(([r1, b1]) => [b1, r1] as const)
            : await restore().then(async (r1) => [await backup(), r1] as const);
      const restoreStarted = r.status === 202 || r.status === 201 || r.status === 200;
      expect(Number(b.started) + Number(restoreStarted), "exactly one job runs").toBe(1);
      if (b.started) {
        expect(r.status).toBe(409);
        const err = await r.json<{ error: { code: string; message: string } }>();
        expect(err.error.code).toBe("job_running");
        expect(err.error.message).toMatch(/backup.*running|running.*backup/i);
      } else {
        await r.body?.cancel();
        expect(b).toMatchObject({ started: false, code: "job_running" });
        expect((b as { message: string }).message).toMatch(/restore/i);
      }
      const done = (await waitForJob(store.storeHash, 55_000)) as JobStatus;
      expect(done.status).toBe("done");
      expect(await count("backups")).toBe(backupsBefore + (b.started ? 1 : 0));
      expect(await count("restores")).toBe(restoresBefore + (restoreStarted ? 1 : 0));
      outcomes.push(`${mode}: ${b.started ? "backup ran, restore refused" : "restore ran, backup refused"}`);
    }
    report({ job: "backup + restore", scenario: "same moment", outcomes });
    expect((await checkVault(env, store.storeHash)).problems).toEqual([]);
  });
});

/** A job of each kind, started on a store whose every call takes 150 ms, so an uninstall lands mid-job. */
type UninstallCase = {
  job: string;
  callback: boolean;
  seed: number;
  /** Prepares the store and starts the job; `underway` says when it has done part of its work. */
  start: (seed: number) => Promise<{
    storeHash: string;
    underway: () => Promise<boolean>;
    /** What the merchant's record of this job says afterwards (D1 row), and job-specific checks. */
    afterwards: () => Promise<{ status: string; error: string | null }>;
  }>;
};

const slowStore = (storeHash: string) =>
  sandbox(`/__sandbox/stores/${storeHash}/faults`, {
    method: "PUT",
    json: { slowRate: 1, slowMs: 150, seed: 2 },
  });

/** Types the incremental case backs up: a calm full backup of these first, then a churn. */
const INCREMENTAL_TYPES = ["brands", "categories", "products", "customers", "orders", "pages"];

const backupCase = (job: string, callback: boolean, seed: number, incremental = false): UninstallCase => ({
  job,
  callback,
  seed,
  start: async () => {
    const session = await installViaOAuth("demo", seed);
    const { storeHash } = session;
    await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { quota: "unlimited" } });
    await settleJobs(storeHash);
    if (incremental) {
      await backupNow(storeHash, INCREMENTAL_TYPES);
      await sandboxAdmin(`/stores/${storeHash}/mutate`, { json: { kind: "churn", share: 0.1, seed: 29 } });
    }
    await slowStore(storeHash);
    const started = await jobsOf(storeHash).startBackup(
      incremental ? { kind: "scheduled", types: INCREMENTAL_TYPES } : { kind: "manual" },
    );
    expect(started.started).toBe(true);
    return {
      storeHash,
      underway: async () => ((await jobsOf(storeHash).status()) as JobStatus).calls > 2,
      afterwards: async () => {
        const row = await env.DB.prepare("select status, error, kind from backups where id = ?")
          .bind(started.backupId)
          .first<{ status: string; error: string | null; kind: string }>();
        if (incremental) expect(row?.kind).toBe("incremental");
        return row ?? { status: "missing", error: null };
      },
    };
  },
});

const UNINSTALL_CASES: UninstallCase[] = [
  backupCase("full backup", true, 94),
  backupCase("full backup", false, 96),
  backupCase("incremental backup", true, 102, true),
  {
    job: "bulk restore",
    callback: true,
    seed: 97,
    start: async (seed) => {
      const store = await storeAfterMutation(seed, { kind: "bad-import", share: 1 });
      await slowStore(store.storeHash);
      const res = await startBulk(store, { backupId: store.version.backupId, types: ["products"] });
      expect(res.status).toBe(202);
      const { restoreId } = await res.json<{ restoreId: string }>();
      const items = () =>
        env.DB.prepare(
          "select record_id, action, status, message from restore_items where restore_id = ? order by record_id",
        )
          .bind(restoreId)
          .all<{ record_id: string; action: string; status: string; message: string | null }>()
          .then((r) => r.results);
      return {
        storeHash: store.storeHash,
        underway: async () => (await items()).some((i) => i.status === "done"),
        afterwards: async () => {
          // Every item says what happened to it, and the store agrees: nothing half-written.
          const list = await items();
          expect(list).toHaveLength(store.mutated.changed.products.updated.length);
          const live = productsOf(await store.bc.export());
          const version = productsOf(store.before);
          const imported = productsOf(store.after);
          for (const i of list) {
            expect(["done", "skipped", "error"], `${i.record_id}: ${i.status}`).toContain(i.status);
            if (i.status !== "done") expect(i.message, i.record_id).toBeTruthy();
            expect(live.get(Number(i.record_id)), `${i.record_id} half-updated`).toEqual(
              i.status === "done" ? version.get(Number(i.record_id)) : imported.get(Number(i.record_id)),
            );
          }
          expect(list.some((i) => i.status === "done")).toBe(true);
          expect(list.some((i) => i.status !== "done")).toBe(true);
          return (
            (await env.DB.prepare("select status, error from restores where id = ?")
              .bind(restoreId)
              .first<{ status: string; error: string | null }>()) ?? { status: "missing", error: null }
          );
        },
      };
    },
  },
  {
    job: "export",
    callback: true,
    seed: 98,
    start: async (seed) => {
      const { storeHash } = await installViaOAuth("demo", seed);
      await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { quota: "unlimited" } });
      await settleJobs(storeHash);
      await slowStore(storeHash);
      const exportId = await startExport(env, {
        storeHash,
        kind: "manual",
        types: ["brands", "categories", "products", "customers", "orders", "pages"],
        emails: [],
        createdBy: "fault-test",
      });
      return {
        storeHash,
        underway: async () => ((await jobsOf(storeHash).status()) as JobStatus).calls > 3,
        afterwards: async () => {
          const row = await env.DB.prepare("select status, error, files from exports where id = ?")
            .bind(exportId)
            .first<{ status: string; error: string | null; files: string | null }>();
          // A stopped export leaves no file behind to be linked or downloaded.
          const left = await env.EXPORTS.list({ prefix: `exports/${storeHash}/` });
          expect(left.objects.map((o) => o.key)).toEqual([]);
          return row ?? { status: "missing", error: null };
        },
      };
    },
  },
];

describe.each(UNINSTALL_CASES)("an uninstall during a $job (callback received: $callback)", (c) => {
  let storeHash: string;
  let final: JobStatus;
  let row: { status: string; error: string | null };

  beforeAll(async () => {
    const job = await c.start(c.seed);
    storeHash = job.storeHash;
    expect(await eventually(job.underway)).toBe(true);
    const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${storeHash}/uninstall`, {
      method: "POST",
      json: {},
    });
    // The sandbox has revoked the token; BigCommerce then calls the app's uninstall callback.
    if (c.callback) expect((await exports.default.fetch(url)).status).toBe(200);
    final = (await waitForJob(storeHash, 40_000)) as JobStatus;
    await sandbox(`/__sandbox/stores/${storeHash}/faults`, { method: "PUT", json: { slowRate: 0 } });
    row = await job.afterwards();
    report({
      job: c.job,
      scenario: `uninstall during the job (${c.callback ? "callback received" : "token revoked, no callback yet"})`,
      status: final.status,
      error: final.error,
      row,
    });
  }, 90_000);

  it("stops the job, leaves no half-written version, and the vault checks clean", async () => {
    expect(final.status).not.toBe("done");
    expect(final.status).not.toBe("running");
    expect(row.status).not.toMatch(/^(done|running|progressing|queued)$/);
    expect(await duplicateVersions(storeHash)).toEqual([]);
    expect((await checkVault(env, storeHash)).problems).toEqual([]);
  });

  it("records why it stopped: the app was uninstalled", () => {
    expect(row.error ?? "").toMatch(/uninstall/i);
    if (final.status === "failed") expectReadableFailure(final);
  });
});
