import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  backupUnderFault,
  expectFaultMet,
  expectSameVault,
  runThrough,
  SCENARIOS,
  vaultTuples,
} from "./faults.support";
import { backupNow, installTestStore, jobsOf, sandboxAdmin } from "./support/stores";

/**
 * Fault matrix, incremental backup: each row takes a calm full backup of a store generated from the
 * same seed as the baseline, applies the same churn (everyday edits, creations and deletions across
 * types), then runs the scheduled (incremental) backup under one fault. Types with a modification
 * filter list only what changed; deletions come from the id listing or the full listing.
 */
const TYPES = [
  "brands",
  "categories",
  "products",
  "customers",
  "customer_groups",
  "orders",
  "coupons",
  "pages",
];
const SEED = 82;
const CHURN = { kind: "churn", share: 0.1, seed: 17 };

let baseline: string;

async function churned(): Promise<{ storeHash: string; changed: number }> {
  const { storeHash } = await installTestStore("demo", { seed: SEED });
  await backupNow(storeHash, TYPES);
  const result = await sandboxAdmin<{
    changed: Record<string, { created: number[]; updated: number[]; deleted: number[] }>;
  }>(`/stores/${storeHash}/mutate`, { json: CHURN });
  const changed = Object.values(result.changed).reduce(
    (n, c) => n + c.created.length + c.updated.length + c.deleted.length,
    0,
  );
  return { storeHash, changed };
}

async function lastBackupKind(storeHash: string) {
  return env.DB.prepare("select kind from backups where store_hash = ? order by started_at desc limit 1")
    .bind(storeHash)
    .first<string>("kind");
}

beforeAll(async () => {
  const store = await churned();
  expect(store.changed).toBeGreaterThan(0);
  baseline = store.storeHash;
  const before = (await vaultTuples(baseline)).length;
  const started = await jobsOf(baseline).startBackup({ kind: "scheduled", types: TYPES });
  expect(started.started).toBe(true);
  const { status } = await runThrough(baseline);
  expect(status.status).toBe("done");
  expect(await lastBackupKind(baseline)).toBe("incremental");
  // The churn reached the vault: the rows below compare something that changed.
  expect((await vaultTuples(baseline)).length).toBeGreaterThan(before);
});

describe("an incremental backup after a churn, under each fault", () => {
  it.concurrent.each(SCENARIOS)("$name: ends done with the vault of an undisturbed run", async (scenario) => {
    const { storeHash } = await churned();
    const run = await backupUnderFault(storeHash, scenario, {
      job: "incremental backup",
      kind: "scheduled",
      types: TYPES,
      everyMs: 150,
    });
    const { status } = run;

    expect(status.error).toBeNull();
    expect(status.status).toBe("done");
    expect(await lastBackupKind(storeHash)).toBe("incremental");
    expectFaultMet(scenario, run);
    await expectSameVault(storeHash, baseline, scenario.name);
  });
});
