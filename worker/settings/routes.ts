import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiRouter } from "../api/context";
import { getType, isTypeKey, type TypeKey } from "../bigcommerce/registry";
import { type Db, getDb } from "../db/client";
import { type Store, stores } from "../db/schema";
import { badRequest, notFound } from "../lib/errors";
import { assertPlanAllows, getPlan, planIncludesFeature, typesInPlan } from "../plans/plans";
import { callsPerDay } from "./estimate";
// Also registers the install hook (the backup schedule) with the auth flow.
import { syncWebhooksLater } from "./onboarding";
import {
  effectiveFrequency,
  type Frequency,
  frequencyChoices,
  HOURLY_TYPES,
  hasWebhooks,
  isValidTimeZone,
  nextBackupAt,
} from "./schedule";
import { changeCounts, itemCounts } from "./store-counts";

export const QUOTA_RESERVE_MIN = 5;
export const QUOTA_RESERVE_MAX = 50;
const DAY = 86_400_000;

const frequencyEnum = z.enum(["hourly", "daily", "weekly", "sync"]);
const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address, such as name@example.com." }));

const SettingsInput = z
  .object({
    backupHour: z
      .number()
      .int()
      .min(0, "Choose an hour from 0 to 23.")
      .max(23, "Choose an hour from 0 to 23.")
      .optional(),
    timezone: z
      .string()
      .refine(isValidTimeZone, {
        message: "Unknown time zone: use a name such as Europe/Paris or America/New_York.",
      })
      .optional(),
    autoSync: z.boolean().optional(),
    notificationEmails: z.array(emailSchema).max(20, "At most 20 notification emails.").optional(),
    quotaReservePct: z
      .number()
      .int()
      .min(
        QUOTA_RESERVE_MIN,
        `Leave between ${QUOTA_RESERVE_MIN}% and ${QUOTA_RESERVE_MAX}% of the API quota to other apps.`,
      )
      .max(
        QUOTA_RESERVE_MAX,
        `Leave between ${QUOTA_RESERVE_MIN}% and ${QUOTA_RESERVE_MAX}% of the API quota to other apps.`,
      )
      .optional(),
    retentionDays: z.number().int().min(1, "Keep versions for at least 1 day.").optional(),
    typeFrequencies: z.record(z.string(), frequencyEnum).optional(),
  })
  .strict()
  .openapi("SettingsInput");

const TypeSetting = z.object({
  type: z.string(),
  label: z.string(),
  group: z.enum(["store", "content"]),
  items: z.number(),
  frequency: z.enum(["hourly", "daily", "weekly", "sync", "manual"]),
  choices: z.array(frequencyEnum),
  callsPerDay: z.number(),
});

const SettingsView = z
  .object({
    settings: z.object({
      backupHour: z.number(),
      timezone: z.string(),
      autoSync: z.boolean(),
      notificationEmails: z.array(z.string()),
      quotaReservePct: z.number(),
      retentionDays: z.number(),
    }),
    limits: z.object({
      plan: z.enum(["free", "standard", "pro"]),
      maxRetentionDays: z.number(),
      canSchedule: z.boolean(),
      canAutoSync: z.boolean(),
      quotaReserveMin: z.number(),
      quotaReserveMax: z.number(),
    }),
    types: z.array(TypeSetting),
    totalCallsPerDay: z.number(),
    nextBackupAt: z.number().nullable(),
    updatedAt: z.number().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi("Settings");

export type SettingsInput = z.infer<typeof SettingsInput>;
export type SettingsView = z.infer<typeof SettingsView>;

export async function loadStore(db: Db, storeHash: string): Promise<Store> {
  const [store] = await db.select().from(stores).where(eq(stores.hash, storeHash)).limit(1);
  if (!store) throw notFound("Store not found");
  return store;
}

/** Lower-cased, trimmed, first occurrence kept: the same address twice is one recipient. */
export function dedupeEmails(emails: readonly string[]): string[] {
  return [...new Set(emails.map((e) => e.trim().toLowerCase()))];
}

export async function settingsView(db: Db, store: Store, now = Date.now()): Promise<SettingsView> {
  const plan = getPlan(store.plan);
  const [items, changes] = await Promise.all([
    itemCounts(db, store.hash),
    changeCounts(db, store.hash, now - 7 * DAY),
  ]);
  const types = typesInPlan(plan).map((key) => {
    const t = getType(key);
    const n = items.get(key)?.items ?? 0;
    const frequency = effectiveFrequency(store, key);
    const parents = t.parent ? (items.get(t.parent.type)?.items ?? 0) : 0;
    return {
      type: key,
      label: t.label,
      group: t.group,
      items: n,
      frequency,
      choices: frequencyChoices(key, plan.key),
      callsPerDay: callsPerDay(key, frequency, {
        items: n,
        parents,
        changesPerDay: (changes.get(key) ?? 0) / 7,
      }),
    };
  });
  return {
    settings: {
      backupHour: store.backupHour,
      timezone: store.timezone,
      autoSync: store.autoSync,
      notificationEmails: store.notificationEmails,
      quotaReservePct: store.quotaReservePct,
      retentionDays: Math.min(store.retentionDays, plan.retentionDays),
    },
    limits: {
      plan: plan.key,
      maxRetentionDays: plan.retentionDays,
      canSchedule: planIncludesFeature(plan, "scheduled_backup"),
      canAutoSync: planIncludesFeature(plan, "auto_sync"),
      quotaReserveMin: QUOTA_RESERVE_MIN,
      quotaReserveMax: QUOTA_RESERVE_MAX,
    },
    types,
    totalCallsPerDay: types.reduce((s, t) => s + t.callsPerDay, 0),
    nextBackupAt: store.nextBackupAt,
    updatedAt: store.settingsUpdatedAt,
    updatedBy: store.settingsUpdatedBy,
  };
}

/**
 * Checks a change against the plan and the registry, then returns the columns to write. Bad input is
 * 400 with the field; asking for something the plan lacks is 403 `plan_required` naming the plan.
 */
export function applySettings(store: Store, input: SettingsInput, now: number): Partial<Store> {
  const plan = getPlan(store.plan);
  const out: Partial<Store> = {};
  if (input.backupHour !== undefined) out.backupHour = input.backupHour;
  if (input.timezone !== undefined) out.timezone = input.timezone;
  if (input.quotaReservePct !== undefined) out.quotaReservePct = input.quotaReservePct;
  if (input.notificationEmails !== undefined) out.notificationEmails = dedupeEmails(input.notificationEmails);
  if (input.retentionDays !== undefined) {
    if (input.retentionDays > plan.retentionDays) {
      throw badRequest(
        `The ${plan.name} plan keeps versions for at most ${plan.retentionDays} days.`,
        "retentionDays",
      );
    }
    out.retentionDays = input.retentionDays;
  }
  if (input.autoSync === true) assertPlanAllows(store, { feature: "auto_sync" });
  if (input.autoSync !== undefined) out.autoSync = input.autoSync;
  if (input.typeFrequencies !== undefined) {
    const next: Record<string, Frequency> = { ...store.typeFrequencies };
    for (const [type, frequency] of Object.entries(input.typeFrequencies)) {
      const field = `typeFrequencies.${type}`;
      if (!isTypeKey(type)) throw badRequest(`Unknown content type "${type}".`, field);
      assertPlanAllows(store, { type, action: "backup" });
      assertPlanAllows(store, { feature: "scheduled_backup" });
      if (frequency === "hourly") {
        if (!HOURLY_TYPES.includes(type as TypeKey)) {
          throw badRequest(`${getType(type).label} can be backed up daily or weekly, not hourly.`, field);
        }
        assertPlanAllows(store, { feature: "hourly_backup" });
      }
      if (frequency === "sync") {
        if (!hasWebhooks(type)) {
          throw badRequest(
            `BigCommerce does not announce changes to ${getType(type).label}, so it cannot sync automatically.`,
            field,
          );
        }
        assertPlanAllows(store, { feature: "auto_sync" });
      }
      next[type] = frequency;
    }
    out.typeFrequencies = next;
  }
  const merged = { ...store, ...out };
  out.nextBackupAt = nextBackupAt(merged, now);
  return out;
}

export const settingsRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/settings",
      summary: "The store's backup settings, what the plan allows, and the expected API calls per day",
      responses: {
        200: { description: "Settings", content: { "application/json": { schema: SettingsView } } },
      },
    }),
    async (c) => {
      const db = getDb(c.env);
      const store = await loadStore(db, c.get("session").storeHash);
      return c.json(await settingsView(db, store), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/settings",
      summary: "Change some of the store's settings (fields left out stay as they are)",
      request: { body: { content: { "application/json": { schema: SettingsInput } }, required: true } },
      responses: {
        200: {
          description: "The settings after the change",
          content: { "application/json": { schema: SettingsView } },
        },
      },
    }),
    async (c) => {
      const session = c.get("session");
      const db = getDb(c.env);
      const store = await loadStore(db, session.storeHash);
      const now = Date.now();
      const changes = applySettings(store, c.req.valid("json"), now);
      await db
        .update(stores)
        .set({ ...changes, settingsUpdatedAt: now, settingsUpdatedBy: session.email })
        .where(eq(stores.hash, store.hash));
      // Hooks follow the switch and each type's "sync" frequency: registered or removed at once.
      const autoSync = changes.autoSync ?? store.autoSync;
      const syncing = (s: Store) => typesInPlan(s.plan).filter((t) => effectiveFrequency(s, t) === "sync");
      if (autoSync !== store.autoSync || syncing({ ...store, ...changes }).join() !== syncing(store).join()) {
        c.executionCtx.waitUntil(syncWebhooksLater(c.env, store.hash, autoSync));
      }
      return c.json(await settingsView(db, await loadStore(db, store.hash)), 200);
    },
  );
