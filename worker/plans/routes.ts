import { createRoute, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { apiRouter } from "../api/context";
import { getType } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { exportSchedules, planChanges, type Store, stores } from "../db/schema";
import { forbidden } from "../lib/errors";
import { syncWebhooksLater } from "../settings/onboarding";
import { loadStore } from "../settings/routes";
import { nextBackupAt } from "../settings/schedule";
import {
  featureLabels,
  getPlan,
  type PlanDefinition,
  planIncludesFeature,
  planKeys,
  plans,
  typesInPlan,
} from "./plans";

const PlanView = z.object({
  key: z.enum(planKeys),
  name: z.string(),
  tagline: z.string(),
  price: z.string(),
  allTypes: z.boolean(),
  types: z.array(z.object({ type: z.string(), label: z.string() })),
  retentionDays: z.number(),
  features: z.array(z.object({ key: z.string(), label: z.string(), included: z.boolean() })),
});

const PlanChange = z.object({
  id: z.number(),
  fromPlan: z.string(),
  toPlan: z.string(),
  userEmail: z.string(),
  changedAt: z.number(),
});

const PlansResponse = z
  .object({ current: z.enum(planKeys), plans: z.array(PlanView), changes: z.array(PlanChange) })
  .openapi("Plans");

const ChangePlanInput = z
  .object({ plan: z.enum(planKeys) })
  .strict()
  .openapi("ChangePlanInput");

function planView(plan: PlanDefinition): z.infer<typeof PlanView> {
  return {
    key: plan.key,
    name: plan.name,
    tagline: plan.tagline,
    price: plan.price,
    allTypes: plan.types === "all",
    types: typesInPlan(plan).map((t) => ({ type: t, label: getType(t).label })),
    retentionDays: plan.retentionDays,
    features: Object.entries(featureLabels).map(([key, label]) => ({
      key,
      label,
      included: planIncludesFeature(plan, key as keyof typeof featureLabels),
    })),
  };
}

/**
 * What a plan change does to the settings: retention is capped by the new plan (and follows the
 * plan's maximum up when the merchant kept the old maximum), automatic sync goes off without the
 * Pro plan, and the schedule is recomputed. Per-type frequencies are kept but read through the plan,
 * so going back up restores the merchant's choices.
 */
export function settingsForPlan(store: Store, to: PlanDefinition, now: number): Partial<Store> {
  const from = getPlan(store.plan);
  const retentionDays =
    store.retentionDays >= from.retentionDays || store.retentionDays > to.retentionDays
      ? to.retentionDays
      : store.retentionDays;
  const autoSync = store.autoSync && planIncludesFeature(to, "auto_sync");
  const next = { ...store, plan: to.key, retentionDays, autoSync };
  return { plan: to.key, retentionDays, autoSync, nextBackupAt: nextBackupAt(next, now) };
}

async function plansResponse(env: Env, storeHash: string) {
  const db = getDb(env);
  const store = await loadStore(db, storeHash);
  const changes = await db
    .select({
      id: planChanges.id,
      fromPlan: planChanges.fromPlan,
      toPlan: planChanges.toPlan,
      userEmail: planChanges.userEmail,
      changedAt: planChanges.changedAt,
    })
    .from(planChanges)
    .where(eq(planChanges.storeHash, storeHash))
    .orderBy(desc(planChanges.changedAt), desc(planChanges.id))
    .limit(50);
  return { current: store.plan, plans: plans.map(planView), changes };
}

export const plansRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/plans",
      summary: "The plans side by side, the store's current plan and its plan changes",
      responses: {
        200: { description: "Plans", content: { "application/json": { schema: PlansResponse } } },
      },
    }),
    async (c) => c.json(await plansResponse(c.env, c.get("session").storeHash), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/plan",
      summary:
        "Change the store's plan (recorded with who and when; billing happens in BigCommerce's marketplace)",
      request: { body: { content: { "application/json": { schema: ChangePlanInput } }, required: true } },
      responses: {
        200: {
          description: "Plans after the change",
          content: { "application/json": { schema: PlansResponse } },
        },
      },
    }),
    async (c) => {
      const session = c.get("session");
      if (session.role !== "owner") {
        throw forbidden("Only the store owner can change the plan.", "owner_required");
      }
      const db = getDb(c.env);
      const store = await loadStore(db, session.storeHash);
      const to = getPlan(c.req.valid("json").plan);
      if (to.key !== store.plan) {
        const now = Date.now();
        const next = settingsForPlan(store, to, now);
        const update = db.update(stores).set(next).where(eq(stores.hash, store.hash));
        const record = db.insert(planChanges).values({
          storeHash: store.hash,
          fromPlan: store.plan,
          toPlan: to.key,
          userId: session.userId,
          userEmail: session.email,
          changedAt: now,
        });
        if (planIncludesFeature(to, "scheduled_export")) {
          await db.batch([update, record]);
        } else {
          // Scheduled exports are not part of this plan: pause the schedule rather than delete it.
          const pause = db
            .update(exportSchedules)
            .set({ enabled: false })
            .where(eq(exportSchedules.storeHash, store.hash));
          await db.batch([update, record, pause]);
        }
        if (store.autoSync && !next.autoSync)
          c.executionCtx.waitUntil(syncWebhooksLater(c.env, store.hash, false));
      }
      return c.json(await plansResponse(c.env, session.storeHash), 200);
    },
  );
