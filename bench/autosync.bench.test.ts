/**
 * Benchmark 2b: the daily incremental of an rs-10k store with automatic sync on. Benchmark 2
 * (bench/rs10k.bench.test.ts) measures the same 1% churn on a store without automatic sync; here
 * the merchant turns automatic sync on after the full backup, the churn raises BigCommerce's
 * webhooks, the app captures them (webhook route, queue, the store's Durable Object), and then the
 * daily incremental runs: types whose delete or stock hooks are healthy (registry
 * `webhookCoverage`) skip their id or stock listings.
 *
 * In workerd tests the sandbox queues its deliveries instead of posting them over HTTP: the bench
 * drains them and posts each to the worker's real `/webhooks/bigcommerce`, as BigCommerce would.
 * The hooks' recorded health is backdated a day (as if automatic sync had been on since before the
 * full backup): a hook registered minutes before the last backup is, rightly, not trusted yet.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { installViaOAuth, sandbox } from "../test/support/install";
import { jobsOf, sandboxAdmin, waitForJob } from "../test/support/stores";
import { readVersionBody } from "../worker/backup/vault-read";
import { isTypeKey, typeKeys } from "../worker/bigcommerce/registry";
import worker from "../worker/index";
import { minutesAtStandard, recordsDone, report, round, versionsWhere } from "./support";

type Stats = { requests: Record<string, number>; total_requests: number; rate_limited_429: number };
type Changes = Record<string, { created: unknown[]; updated: unknown[]; deleted: unknown[] }>;
type Delivery = { scope: string; headers: Record<string, string>; payload: unknown };

/** Benchmark 2's seed and churn, so the two incrementals see the same changes. */
const SEED = 11;
const CHURNED = [
  "products",
  "product_variants",
  "brands",
  "categories",
  "channels",
  "customer_groups",
  "customers",
  "locations",
  "price_lists",
  "orders",
  "promotions",
  "coupons",
  "gift_certificates",
  "banners",
  "blog_posts",
  "pages",
  "widgets",
];
/** Captures retried by the queue wait 30 s: counts must hold still longer than that. */
const SETTLED_MS = 35_000;
/** `VITE_BENCH_PROFILE=demo` checks the harness on the small demo store in a minute. */
const PROFILE =
  (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_BENCH_PROFILE === "demo"
    ? "demo"
    : "rs-10k";

let session: Awaited<ReturnType<typeof installViaOAuth>>;
let storeHash = "";

const stats = () => sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
const resetStats = () => sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
const scalar = async (sql: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...binds)
      .first<{ n: number }>()
  )?.n ?? 0;

async function runBackup(kind: "manual" | "scheduled", types?: string[]) {
  await resetStats();
  const t0 = performance.now();
  const started = await jobsOf(storeHash).startBackup({ kind, types });
  if (!started.started) throw new Error(`backup not started: ${started.message}`);
  await recordsDone(storeHash, t0);
  const status = await waitForJob(storeHash, 3_000_000);
  if (status.status !== "done") throw new Error(`backup ${status.status}: ${status.error}`);
  return {
    status,
    ms: performance.now() - t0,
    backupId: (started as { backupId?: string }).backupId ?? "",
    stats: await stats(),
  };
}

/** Waits until webhook captures stop landing: no capture queued and nothing new for SETTLED_MS. */
async function capturesSettled(sinceVersionId: number) {
  let last = "";
  let stableSince = Date.now();
  for (;;) {
    const queued = await scalar(
      "select count(*) n from seen_nonces where store_hash = ? and nonce like 'capture:%' and expires_at > ?",
      storeHash,
      Date.now(),
    );
    const versions = await scalar(
      "select count(*) n from versions where store_hash = ? and id > ?",
      storeHash,
      sinceVersionId,
    );
    const now = `${queued}/${versions}/${(await stats()).total_requests}`;
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (queued === 0 && Date.now() - stableSince > SETTLED_MS) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const goal = (figure: string, text: string, met: boolean | null) => ({ figure, goal: text, met });

describe.sequential("rs-10k with automatic sync", () => {
  it("installs the rs-10k store and backs it up in full", async () => {
    session = await installViaOAuth(PROFILE, SEED);
    storeHash = session.storeHash;
    await sandbox(`/__sandbox/stores/${storeHash}/quota`, { method: "PUT", json: { plan: "unlimited" } });
    await env.DB.prepare("update stores set plan = 'pro' where hash = ?").bind(storeHash).run();
    const full = await runBackup("manual", typeKeys);
    console.log(`full backup: ${full.stats.total_requests} calls, ${Math.round(full.ms)} ms`);
  });

  it("2b. daily incremental after 1% churn, automatic sync on", async () => {
    // The merchant turns automatic sync on (Settings); the app registers its hooks.
    const put = await session.api("/api/settings", { method: "PUT", json: { autoSync: true } });
    expect(put.status).toBe(200);
    // The Settings change registers the hooks after answering (waitUntil): wait for them.
    const healthRows = () =>
      runInDurableObject(jobsOf(storeHash), (_i, state) => {
        const table = state.storage.sql
          .exec("select count(*) n from sqlite_master where name = 'webhook_health'")
          .one().n as number;
        return table
          ? (state.storage.sql.exec("select count(*) n from webhook_health").one().n as number)
          : 0;
      });
    const until = Date.now() + 120_000;
    while ((await healthRows()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const hookCount = await healthRows();
    expect(hookCount).toBeGreaterThan(0);
    await runInDurableObject(jobsOf(storeHash), (_i, state) => {
      state.storage.sql.exec("update webhook_health set active_since = ?", Date.now() - 86_400_000);
    });

    const mark = await scalar("select coalesce(max(id), 0) n from versions where store_hash = ?", storeHash);
    const packsBefore = await scalar("select count(*) n from packs where store_hash = ?", storeHash);
    const mutated: { changed: Changes } = { changed: {} };
    for (const type of CHURNED) {
      const m = await sandboxAdmin<{ changed: Changes }>(`/stores/${storeHash}/mutate`, {
        json: { kind: "churn", type, share: 0.01, seed: SEED },
      });
      Object.assign(mutated.changed, m.changed);
    }

    console.log(`churned ${CHURNED.length} resources`);
    // BigCommerce delivers; the app answers each and captures through its queue.
    await resetStats();
    const t0 = performance.now();
    const deliveries = await sandboxAdmin<Delivery[]>(`/stores/${storeHash}/webhooks/deliveries?drain=1`);
    const answers: Record<string, number> = {};
    for (let i = 0; i < deliveries.length; i += 8) {
      await Promise.all(
        deliveries.slice(i, i + 8).map(async (d) => {
          // The worker's handler itself: thousands of `exports.default.fetch` calls overflow the
          // stack of vitest-pool-workers' entrypoint wrapper (a Proxy layer per call).
          const ctx = createExecutionContext();
          const res = await worker.fetch(
            new Request("http://app.test/webhooks/bigcommerce", {
              method: "POST",
              headers: { "content-type": "application/json", ...d.headers },
              body: JSON.stringify(d.payload),
            }),
            env,
            ctx,
          );
          await waitOnExecutionContext(ctx);
          const body = await res.json<{ duplicate?: boolean; ignored?: string }>();
          const k = `${res.status}${body.duplicate ? " duplicate" : body.ignored ? ` ignored ${body.ignored}` : ""}`;
          answers[k] = (answers[k] ?? 0) + 1;
        }),
      );
    }
    console.log(`${deliveries.length} deliveries answered in ${Math.round(performance.now() - t0)} ms`);
    await capturesSettled(mark);
    const captureMs = performance.now() - t0 - SETTLED_MS;
    const captureStats = await stats();
    const webhookVersions = await scalar(
      "select count(*) n from versions where store_hash = ? and id > ? and source = 'webhook'",
      storeHash,
      mark,
    );
    const capturePacks =
      (await scalar("select count(*) n from packs where store_hash = ?", storeHash)) - packsBefore;

    // The daily incremental.
    const packsBeforeRun = await scalar("select count(*) n from packs where store_hash = ?", storeHash);
    const run = await runBackup("scheduled");
    const runPacks =
      (await scalar("select count(*) n from packs where store_hash = ?", storeHash)) - packsBeforeRun;
    const perType = Object.fromEntries(
      Object.entries(run.status.progress.types)
        .filter(([, p]) => p.versions + p.deleted > 0 || p.calls > 0 || p.note)
        .map(([k, p]) => [k, { calls: p.calls, versions: p.versions, deleted: p.deleted, note: p.note }]),
    );

    // Every version since the churn, webhook or backup, against the records the churn changed.
    const got = await versionsWhere(storeHash, "id > ?", mark);
    const expected = new Set<string>();
    const notKept: Record<string, number> = {};
    for (const [res, c] of Object.entries(mutated.changed)) {
      const ids = [...c.created, ...c.updated, ...c.deleted].map(String);
      if (isTypeKey(res)) for (const id of ids) expected.add(`${res}:${id}`);
      else if (res !== "product_variants") notKept[res] = ids.length;
    }
    const variantIds = new Set((mutated.changed.product_variants?.updated ?? []).map(Number));
    for (const v of got.filter((x) => x.type === "products" && x.packId)) {
      const body = await readVersionBody<{ variants?: { id: number }[] }>(env, v);
      if ((body?.variants ?? []).some((x) => variantIds.has(x.id))) expected.add(`products:${v.recordId}`);
    }
    const perKey = new Map<string, number>();
    for (const v of got)
      perKey.set(`${v.type}:${v.recordId}`, (perKey.get(`${v.type}:${v.recordId}`) ?? 0) + 1);
    const missing = [...expected].filter((k) => !perKey.has(k));
    const extra = [...perKey.keys()].filter((k) => !expected.has(k));
    const twice = [...perKey].filter(([, n]) => n > 1).map(([k]) => k);
    const byBackup = got.filter((v) => v.source === "backup").length;
    // Each frame once, through its farthest body (a frame's ranges overlap; body-deflate.ts).
    const frames = new Map<string, number>();
    for (const v of got.filter((x) => x.packId)) {
      const key = `${v.packId}:${v.offset}`;
      frames.set(key, Math.max(frames.get(key) ?? 0, v.length ?? 0));
    }
    const bytes = [...frames.values()].reduce((a, n) => a + n, 0);
    const exact = missing.length === 0 && extra.length === 0 && twice.length === 0;
    const calls = run.stats.total_requests;

    report({
      name: "incremental-autosync",
      title: "Daily incremental after 1% churn, automatic sync on (hooks healthy)",
      scale: `${PROFILE}, benchmark 2's churn (seed ${SEED}, share 0.01): ${expected.size} records changed, ${deliveries.length} webhook deliveries`,
      figures: {
        changedRecords: expected.size,
        apiCalls: calls,
        status429: run.stats.rate_limited_429,
        minutesAtStandard: round(minutesAtStandard(calls), 2),
        versionsByIncremental: byBackup,
        versionsByWebhook: webhookVersions,
        missedChanges: missing.length,
        versionsBeyondChanges: extra.length,
        recordsWithTwoVersions: twice.length,
        versionsEqualChanged: exact,
        bytesStored: bytes,
        r2WritesIncremental: runPacks,
        webhookDeliveries: deliveries.length,
        webhookCaptureCalls: captureStats.total_requests,
        webhookCapture429: captureStats.rate_limited_429,
        webhookCaptureR2Writes: capturePacks,
        webhookCaptureMs: Math.round(captureMs),
        hookScopesRegistered: hookCount,
        incrementalWallMs: Math.round(run.ms),
      },
      goals: [
        goal("apiCalls", "≤ 400", calls <= 400),
        goal("versionsEqualChanged", "versions = changed records", exact),
      ],
      notes: [
        "apiCalls = requests the sandbox served for the store during the incremental only; the webhook captures before it are webhookCaptureCalls",
        "versions: every version since the churn (webhook captures and the incremental), one per changed record; bytesStored = their compressed lengths",
        `delivery answers: ${JSON.stringify(answers)}`,
        `missed: ${JSON.stringify(missing.slice(0, 20))}; beyond the churn's list: ${JSON.stringify(extra.slice(0, 20))}; twice: ${JSON.stringify(twice.slice(0, 20))}; not kept: ${JSON.stringify(notKept)}`,
        `per type (calls, versions, deleted): ${JSON.stringify(perType)}`,
        `capture requests: ${JSON.stringify(captureStats.requests)}`,
      ],
    });
    console.log("requests", JSON.stringify(run.stats.requests));
    expect(run.stats.rate_limited_429).toBe(0);
  });
});
