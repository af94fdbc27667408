import { storeJobs } from "../backup/schedule";
import { type ContentType, getType, restoreOrder } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { idFilterOf } from "../restore/batch";
import { stepSize } from "../restore/bulk-step";
import { diffCounts } from "./state-diff";

/**
 * The confirmation screen's dry run: per chosen type, how many records the restore will update,
 * re-create and delete (from the vault, see state-diff.ts), the BigCommerce calls that takes by the
 * batched engine's cost model, and the time at the store's quota with the reserve left free.
 */

export type TypePlan = {
  type: string;
  label: string;
  update: number;
  create: number;
  delete: number;
  /** Records created after the version that stay (the merchant did not ask to delete them). */
  keep: number;
  unchanged: number;
  calls: number;
};

export type DryRun = {
  types: TypePlan[];
  calls: number;
  etaMs: number;
  quota: { perWindow: number; windowMs: number; reservePct: number; assumed: boolean };
};

/** BigCommerce's Standard plan quota, used until the store's own quota has been seen. */
const STANDARD_QUOTA = { perWindow: 150, windowMs: 30_000 };

/** Calls to read one step's records with their sub-resources (before writing, and again to verify). */
function readCallsPerStep(type: ContentType): number {
  const size = stepSize(type.key);
  if (!idFilterOf(type)) return size * (1 + (type.children?.length ?? 0));
  let calls = 1;
  for (const child of type.children ?? []) {
    if (child.fetch === "by_ids") calls += Math.ceil(size / child.chunk);
    else if (child.fetch === "by_resource_ids") calls += 1;
    else if (!child.when) calls += size;
  }
  return calls;
}

/** The calls restoring these counts of one type takes. */
export function estimateTypeCalls(
  type: ContentType,
  n: { update: number; create: number; delete: number },
): number {
  if (type.restore.mode !== "automatic") return 0;
  const touched = n.update + n.create + n.delete;
  if (touched === 0) return 0;
  const reads = 2 * Math.ceil(touched / stepSize(type.key)) * readCallsPerStep(type);
  const { update } = type.restore;
  const updates =
    update.path.includes("{id}") || update.batch <= 1 ? n.update : Math.ceil(n.update / update.batch);
  // A re-create: the create call, a read back, the sub-resources its create cannot carry, the natural-key checks.
  const spec = writeSpecOf(type.key);
  const perCreate =
    2 + (spec.children ?? []).filter((c) => !c.embedInCreate).length + (spec.unique ?? []).length;
  return reads + updates + n.create * perCreate + n.delete;
}

export async function dryRun(
  env: Env,
  storeHash: string,
  at: number,
  types: string[],
  deleteCreated: boolean,
): Promise<DryRun> {
  const counts = new Map((await diffCounts(env.DB, storeHash, at)).map((c) => [c.type, c]));
  const plans = restoreOrder(types).map((key): TypePlan => {
    const type = getType(key);
    const c = counts.get(key);
    const n = {
      update: c?.updated ?? 0,
      create: c?.deleted ?? 0,
      delete: deleteCreated ? (c?.added ?? 0) : 0,
    };
    return {
      type: key,
      label: type.label,
      ...n,
      keep: deleteCreated ? 0 : (c?.added ?? 0),
      unchanged: c?.unchanged ?? 0,
      calls: estimateTypeCalls(type, n),
    };
  });
  const calls = plans.reduce((s, p) => s + p.calls, 0);
  const quota = await storeQuota(env, storeHash);
  const usable = Math.max(1, quota.perWindow - Math.ceil((quota.perWindow * quota.reservePct) / 100));
  return { types: plans, calls, etaMs: Math.round((calls / usable) * quota.windowMs), quota };
}

/** The store's quota as its pacer last saw it, else the Standard plan's; the reserve from settings. */
async function storeQuota(env: Env, storeHash: string): Promise<DryRun["quota"]> {
  const row = await env.DB.prepare("select quota_reserve_pct from stores where hash = ?")
    .bind(storeHash)
    .first<{ quota_reserve_pct: number }>();
  const reservePct = row?.quota_reserve_pct ?? 20;
  try {
    const seen = await storeJobs(env, storeHash).quota();
    // "Unlimited" stores report an enormous quota; the estimate stays at the Standard pace for them.
    if (seen.quota && seen.quota < 100_000)
      return { perWindow: seen.quota, windowMs: seen.windowMs, reservePct, assumed: false };
  } catch {
    // No Durable Object yet: the store has never run a job.
  }
  return { ...STANDARD_QUOTA, reservePct, assumed: true };
}
