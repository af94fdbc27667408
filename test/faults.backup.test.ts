import { beforeAll, describe, expect, it } from "vitest";
import { backupUnderFault, expectFaultMet, expectSameVault, SCENARIOS } from "./faults.support";
import { backupNow, installTestStore } from "./support/stores";

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
  it.concurrent.each(SCENARIOS)("$name: ends done with the vault of an undisturbed run", async (scenario) => {
    const { storeHash } = await installTestStore("demo", { seed: SEED });
    const run = await backupUnderFault(storeHash, scenario, {
      job: "full backup",
      kind: "manual",
      types: TYPES,
    });
    const { status } = run;

    expect(status.error).toBeNull();
    expect(status.status).toBe("done");
    expectFaultMet(scenario, run);
    await expectSameVault(storeHash, baseline, scenario.name);
  });
});
