import { eq } from "drizzle-orm";
import { getType, type TypeKey, typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { stores } from "../db/schema";
import { HttpError, notFound } from "../lib/errors";

/**
 * Plans are configuration: this table is the only place that says what each plan includes. The
 * Pricing page, the settings limits and every feature's server-side check read it.
 *
 * - Free: the catalog essentials (products, categories, brands), 30 days of versions, manual
 *   backups and exports only.
 * - Standard: every content type, 365 days, the daily scheduled backup, weekly/monthly exports.
 * - Pro: adds automatic sync (webhooks), point-in-time restore (any captured moment, not only a
 *   backup), hourly frequencies for the busiest types, 3 years of versions.
 *
 * Billing is not handled here: BigCommerce's app marketplace bills the merchant; changing plan in
 * the app only records the choice (see plan_changes).
 */
export type PlanKey = "free" | "standard" | "pro";

/** Capabilities beyond "which content types": checked with `assertPlanAllows(store, { feature })`. */
export type PlanFeature =
  | "scheduled_backup"
  | "scheduled_export"
  | "auto_sync"
  | "point_in_time_restore"
  | "hourly_backup";

export type PlanDefinition = {
  key: PlanKey;
  name: string;
  /** One line under the name on the Pricing page. */
  tagline: string;
  /** Shown as is; billing itself happens in BigCommerce's marketplace. */
  price: string;
  /** Content types included; "all" means every type in the registry. */
  types: readonly TypeKey[] | "all";
  /** Longest retention the merchant may choose (days) and the default on this plan. */
  retentionDays: number;
  features: readonly PlanFeature[];
};

export const plans: readonly PlanDefinition[] = [
  {
    key: "free",
    name: "Free",
    tagline: "The catalog essentials, backed up when you ask.",
    price: "$0 / month",
    types: ["products", "categories", "brands"],
    retentionDays: 30,
    features: [],
  },
  {
    key: "standard",
    name: "Standard",
    tagline: "Every content type, backed up every day.",
    price: "$19 / month",
    types: "all",
    retentionDays: 365,
    features: ["scheduled_backup", "scheduled_export"],
  },
  {
    key: "pro",
    name: "Pro",
    tagline: "Changes captured as they happen, restore to any moment.",
    price: "$49 / month",
    types: "all",
    retentionDays: 1095,
    features: ["scheduled_backup", "scheduled_export", "auto_sync", "point_in_time_restore", "hourly_backup"],
  },
];

export const planKeys = plans.map((p) => p.key) as [PlanKey, ...PlanKey[]];

/** How a merchant names each feature, for messages and the Pricing page. */
export const featureLabels: Record<PlanFeature, string> = {
  scheduled_backup: "Daily scheduled backup",
  scheduled_export: "Weekly and monthly scheduled exports",
  auto_sync: "Automatic sync",
  point_in_time_restore: "Point-in-time restore",
  hourly_backup: "Hourly backups",
};

/** The verb a refusal starts with: "Exporting Customers needs the Standard plan." */
export type PlanAction = "backup" | "restore" | "export" | "view";
const actionVerbs: Record<PlanAction, string> = {
  backup: "Backing up",
  restore: "Restoring",
  export: "Exporting",
  view: "Viewing",
};

export function getPlan(key: string): PlanDefinition {
  const plan = plans.find((p) => p.key === key);
  if (!plan) throw new Error(`Unknown plan "${key}"`);
  return plan;
}

export function planIncludesType(plan: PlanDefinition | string, type: string): boolean {
  const p = typeof plan === "string" ? getPlan(plan) : plan;
  return p.types === "all"
    ? (typeKeys as readonly string[]).includes(type)
    : (p.types as readonly string[]).includes(type);
}

export function planIncludesFeature(plan: PlanDefinition | string, feature: PlanFeature): boolean {
  const p = typeof plan === "string" ? getPlan(plan) : plan;
  return p.features.includes(feature);
}

/** The content types a plan includes, in registry order. */
export function typesInPlan(plan: PlanDefinition | string): TypeKey[] {
  const p = typeof plan === "string" ? getPlan(plan) : plan;
  return typeKeys.filter((t) => planIncludesType(p, t));
}

/** The cheapest plan (plans are listed cheapest first) that includes everything asked for. */
export function cheapestPlanFor(check: PlanCheck): PlanDefinition | undefined {
  return plans.find((p) => planAllows(p, check));
}

export type PlanCheck = {
  /** One content type, or several (e.g. the types picked for an export). */
  type?: string;
  types?: readonly string[];
  feature?: PlanFeature;
  /** Only shapes the refusal message ("Exporting Customers ..."). */
  action?: PlanAction;
};

export function planAllows(plan: PlanDefinition | string, check: PlanCheck): boolean {
  const p = typeof plan === "string" ? getPlan(plan) : plan;
  const types = [...(check.type ? [check.type] : []), ...(check.types ?? [])];
  if (!types.every((t) => planIncludesType(p, t))) return false;
  if (check.feature && !planIncludesFeature(p, check.feature)) return false;
  return true;
}

/**
 * The one server-side plan check every feature calls before doing anything: throws HttpError 403
 * `plan_required` naming the cheapest plan that includes what was asked ("Exporting Customers needs
 * the Standard plan."). `store` is any row or object carrying the store's plan.
 */
export function assertPlanAllows(store: { plan: string }, check: PlanCheck): void {
  const plan = getPlan(store.plan);
  if (planAllows(plan, check)) return;
  const needed = cheapestPlanFor(check);
  const missingType = [...(check.type ? [check.type] : []), ...(check.types ?? [])].find(
    (t) => !planIncludesType(plan, t),
  );
  let subject: string;
  if (missingType) {
    const label = (typeKeys as readonly string[]).includes(missingType)
      ? getType(missingType).label
      : missingType;
    subject = check.action ? `${actionVerbs[check.action]} ${label}` : label;
  } else {
    subject = featureLabels[check.feature as PlanFeature];
  }
  const message = needed
    ? `${subject} needs the ${needed.name} plan.`
    : `${subject} is not available on any plan.`;
  throw new HttpError(403, "plan_required", message);
}

/** Loads the store's plan and checks it: the one-liner for routes (`await requirePlan(c.env, hash, {...})`). */
export async function requirePlan(
  env: Pick<Env, "DB">,
  storeHash: string,
  check: PlanCheck,
): Promise<PlanDefinition> {
  const [store] = await getDb(env)
    .select({ plan: stores.plan })
    .from(stores)
    .where(eq(stores.hash, storeHash))
    .limit(1);
  if (!store) throw notFound("Store not found");
  assertPlanAllows(store, check);
  return getPlan(store.plan);
}
