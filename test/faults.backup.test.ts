import { beforeAll, describe, expect, it } from "vitest";
import {
  applyScenario,
  calm,
  EVIDENCE,
  expectSameVault,
  report,
  runThrough,
  SCENARIOS,
  startCompetitor,
  statsOf,
} from "./faults.support";
import { backupNow, installTestStore, jobsOf } from "./support/stores";

/**
 * Fault matrix, full backup: each row backs up a fresh store generated from the same seed as an
 * undisturbed baseline, under one fault, and compares the vaults. Every type of the demo store.
 */
const TYPES: string[] | undefined = undefined;
const SEED = 81;

let baseline: string;

beforeAll(async () => {
  ({ storeHash: baseline } = await installTestStore("demo", { seed: SEED }));
  await backupNow(baseline, TYPES);
});

describe("a full backup under each fault", () => {
  it.each(SCENARIOS)("$name: ends done with the vault of an undisturbed run", async (scenario) => {
    const { storeHash } = await installTestStore("demo", { seed: SEED });
    await applyScenario(storeHash, scenario);
    const stopCompetitor = scenario.competitor ? await startCompetitor(storeHash) : null;
    const t0 = Date.now();
    const started = await jobsOf(storeHash).startBackup({ kind: "manual", types: TYPES });
    expect(started.started).toBe(true);
    const { status, restarts } = await runThrough(storeHash, { restarts: scenario.restarts });
    await stopCompetitor?.();
    const stats = await statsOf(storeHash);
    const pacer = await jobsOf(storeHash).quota();
    await calm(storeHash);
    report({
      job: "full backup",
      scenario: scenario.name,
      status: status.status,
      error: status.error,
      ms: Date.now() - t0,
      restarts,
      calls: status.calls,
      jobThrottled: pacer.throttled,
      stats,
    });

    expect(status.error).toBeNull();
    expect(status.status).toBe("done");
    if (scenario.evidence === "restarts") expect(restarts).toBeGreaterThanOrEqual(2);
    else if (scenario.evidence === "throttled_429") expect(pacer.throttled).toBeGreaterThan(0);
    else expect(stats[EVIDENCE[scenario.evidence]]).toBeGreaterThan(0);
    await expectSameVault(storeHash, baseline, scenario.name);
  });
});
