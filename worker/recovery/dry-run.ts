import { storeJobs } from "../backup/schedule";
import { type ChildSpec, type ContentType, getType, restoreOrder } from "../bigcommerce/registry";
import { writeSpecOf } from "../bigcommerce/write-spec";
import { idFilterOf, planChunk, READ_CHUNK } from "../restore/batch";
import { readBodies } from "../restore/vault-bodies";
import { diffCounts, liveSample } from "./state-diff";

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

/** Records the dry run reads from the vault to size the children reads: all up to this, an even sample above. */
const SAMPLE = 5_000;

/**
 * What a child's reads scale with, per live record: the part of the records a conditional child
 * applies to (complex rules only for products with modifiers), or how many items a nested child is
 * read for (variant metafields per variant). 1 for the others.
 */
type ChildFactors = Record<string, number>;

function factorOf(child: ChildSpec, record: Record<string, unknown>): number | null {
  if (child.fetch === "by_nested_ids")
    return Array.isArray(record[child.within]) ? (record[child.within] as unknown[]).length : 0;
  if (child.fetch !== "by_resource_ids" && child.when) return child.when(record) ? 1 : 0;
  return null;
}

/**
 * Calls to read the live state of `touched` records, `live` of which BigCommerce still has, the way
 * the bulk step reads it: one listing per 250 records, and the children of the live ones read
 * together per `planChunk` records.
 */
function readCalls(type: ContentType, touched: number, live: number, factors: ChildFactors): number {
  const children = type.children ?? [];
  if (!idFilterOf(type)) return touched + live * children.length;
  const chunks = Math.ceil(touched / planChunk(type));
  const perChunk = live / chunks;
  let calls = Math.ceil(touched / READ_CHUNK);
  for (const child of children) {
    const wanted = perChunk * (factors[child.key] ?? 1);
    if (child.fetch === "per_record") calls += chunks * wanted;
    else if (wanted > 0) calls += chunks * Math.ceil(wanted / child.chunk);
  }
  return Math.round(calls);
}

/**
 * The calls restoring these counts of one type takes: the reads above, updates in the type's batch
 * size (their state after comes from the write's answer), and per record the calls `applyItem` makes
 * for a re-create (the create, a read back, the sub-resources its create cannot carry, the natural-key
 * checks) and a deletion (the call, and a read that finds it gone).
 */
export function estimateTypeCalls(
  type: ContentType,
  n: { update: number; create: number; delete: number },
  factors: ChildFactors = {},
): number {
  if (type.restore.mode !== "automatic") return 0;
  const touched = n.update + n.create + n.delete;
  if (touched === 0) return 0;
  const spec = writeSpecOf(type.key);
  const perCreate =
    2 + (spec.children ?? []).filter((c) => !c.embedInCreate).length + (spec.unique ?? []).length;
  const { update } = type.restore;
  const updates = !update
    ? n.update * (1 + perCreate)
    : update.path.includes("{id}") || update.batch <= 1
      ? n.update
      : Math.ceil(n.update / update.batch);
  return (
    readCalls(type, touched, n.update + n.delete, factors) + updates + n.create * perCreate + 2 * n.delete
  );
}

/** The children's factors for the records to restore, from their latest versions in the vault. */
async function childFactors(
  env: Env,
  storeHash: string,
  type: ContentType,
  at: number,
  deleteCreated: boolean,
): Promise<ChildFactors> {
  const children = type.children ?? [];
  if (!idFilterOf(type) || children.every((c) => factorOf(c, {}) === null)) return {};
  const rows = await liveSample(env.DB, storeHash, type.key, at, deleteCreated, SAMPLE);
  const bodies = [...(await readBodies(env, rows)).values()];
  if (bodies.length === 0) return {};
  const out: ChildFactors = {};
  for (const child of children) {
    if (factorOf(child, {}) === null) continue;
    out[child.key] = bodies.reduce((s, b) => s + (factorOf(child, b) ?? 1), 0) / bodies.length;
  }
  return out;
}

export async function dryRun(
  env: Env,
  storeHash: string,
  at: number,
  types: string[],
  deleteCreated: boolean,
): Promise<DryRun> {
  const counts = new Map((await diffCounts(env.DB, storeHash, at)).map((c) => [c.type, c]));
  const plans: TypePlan[] = [];
  for (const key of restoreOrder(types)) {
    const type = getType(key);
    const c = counts.get(key);
    const n = {
      update: c?.updated ?? 0,
      create: c?.deleted ?? 0,
      delete: deleteCreated ? (c?.added ?? 0) : 0,
    };
    const factors =
      n.update + n.delete > 0 ? await childFactors(env, storeHash, type, at, deleteCreated) : {};
    plans.push({
      type: key,
      label: type.label,
      ...n,
      keep: deleteCreated ? 0 : (c?.added ?? 0),
      unchanged: c?.unchanged ?? 0,
      calls: estimateTypeCalls(type, n, factors),
    });
  }
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
