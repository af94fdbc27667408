import { getType, minCalls, type TypeKey } from "../bigcommerce/registry";
import type { EffectiveFrequency } from "./schedule";

/**
 * Expected BigCommerce API calls per day for a type at a frequency, from the store's counts.
 *
 * One run costs the registry's call model (`minCalls`) for the type's current item count, counting
 * every record as needing its sub-resources: an upper bound (an incremental run lists only what
 * changed, and most products have no options), so the page says "up to". Runs per day: hourly 24,
 * daily 1, weekly 1/7. Automatic sync costs one call per change (the webhook says what changed, the
 * app fetches it), estimated from the last 7 days of captured changes, plus the daily safety-net run
 * (weekly for types whose changes the hooks announce in full, such as inventory).
 */
export type TypeCounts = { items: number; parents: number; changesPerDay: number };

export function callsPerRun(type: TypeKey, counts: TypeCounts): number {
  const t = getType(type);
  const matching = Object.fromEntries((t.children ?? []).map((c) => [c.key, counts.items]));
  return minCalls(t, { items: counts.items, parents: counts.parents, matching });
}

export function callsPerDay(type: TypeKey, frequency: EffectiveFrequency, counts: TypeCounts): number {
  const run = callsPerRun(type, counts);
  switch (frequency) {
    case "hourly":
      return run * 24;
    case "daily":
      return run;
    case "weekly":
      return Math.ceil(run / 7);
    case "sync":
      // A type whose every change is announced (registry `webhookCoverage.changes`) is listed weekly only.
      return (
        (getType(type).webhookCoverage?.changes ? Math.ceil(run / 7) : run) + Math.ceil(counts.changesPerDay)
      );
    case "manual":
      return 0;
  }
}
