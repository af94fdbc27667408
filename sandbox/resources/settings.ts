import {
  defineResource,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  tableOf,
} from "../engine/collection.ts";
import { type Ctx, emit } from "../engine/context.ts";
import { invalid } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import {
  CHANNEL_SETTINGS,
  defaultSettings,
  SETTINGS_PATHS,
  type SettingsPath,
} from "../generate/settings.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Store settings singletons under `/v3/settings/...` (settings.v3.yml): a global value plus per-channel
 * overrides (`?channel_id=`). A PUT merges the known fields, checking each against the type of its default;
 * it raises the channel's settings webhook, and `store/information/updated` for store-level identity.
 */

const SCOPE = "store_v2_information";

/** Channel-scoped webhook names of each settings area (`store/channel/{id}/settings/{name}/updated`). */
const HOOK_NAMES: Record<SettingsPath, string> = {
  catalog: "catalog",
  "email-statuses": "emailStatus",
  inventory: "inventory",
  "inventory/notifications": "inventoryNotifications",
  logo: "logo",
  "search/filters": "searchFilters",
  "store/locale": "locale",
  "store/profile": "profile",
  "storefront/category": "category",
  "storefront/product": "product",
  "storefront/robotstxt": "robots",
  "storefront/search": "search",
  "storefront/security": "security",
  "storefront/seo": "SEO",
  "storefront/status": "status",
  "store/units-of-measurement": "unitsOfMeasurement",
};
const STORE_INFORMATION: ReadonlySet<SettingsPath> = new Set([
  "store/profile",
  "logo",
  "store/locale",
  "store/units-of-measurement",
]);

/** Route-only resource: the settings table (`{path, channel_id, value}` rows), exported with the store. */
export const storeSettings = defineResource({
  name: "store_settings",
  version: "v3",
  path: "/settings",
  key: "_key",
  keyType: "string",
  scope: SCOPE,
  ops: [],
  defaults: {},
});

export const analyticsProviders = defineResource({
  name: "analytics_providers",
  version: "v3",
  path: "/settings/analytics",
  // settings.v3.yml: analytics endpoints take the Content scope, unlike the other settings.
  scope: "store_v2_content",
  ops: ["get", "update"],
  defaults: { channel_id: 1, name: "", code: "", enabled: false, data_tag_enabled: false, version: 1 },
  readOnly: ["channel_id", "name", "version"],
});

function settingsRow(ctx: Ctx, path: SettingsPath, channel: number): Rec | undefined {
  return ctx.store.table("store_settings", "_key").get(`${path}:${channel}`);
}

function current(ctx: Ctx, path: SettingsPath, channel: number): unknown {
  const row = (channel ? settingsRow(ctx, path, channel) : undefined) ?? settingsRow(ctx, path, 0);
  return row ? row.value : defaultSettings(ctx.store.name, ctx.store.hash)[path];
}

function channelOf(ctx: Ctx, path: SettingsPath): number {
  const raw = ctx.query.get("channel_id");
  if (raw === null || !CHANNEL_SETTINGS.has(path)) return 0;
  const id = Number(raw);
  if (!ctx.store.table("channels").get(id)) throw invalid({ channel_id: "channel does not exist" });
  return id;
}

const kindOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);

/** Merges `input` into `base`, keeping only known keys whose type matches. */
function merge(base: unknown, input: unknown, at: string, errors: Record<string, string>): unknown {
  if (Array.isArray(base)) {
    if (!Array.isArray(input)) errors[at || "body"] = "error.expected.jsarray";
    return Array.isArray(input) ? input : base;
  }
  if (base && typeof base === "object") {
    if (!input || typeof input !== "object" || Array.isArray(input)) {
      errors[at || "body"] = "error.expected.jsobject";
      return base;
    }
    const out: Rec = { ...(base as Rec) };
    for (const [k, v] of Object.entries(input as Rec)) {
      if (!(k in out)) continue;
      out[k] = merge(out[k], v, at ? `${at}.${k}` : k, errors);
    }
    return out;
  }
  if (input !== null && base !== null && kindOf(input) !== kindOf(base)) {
    errors[at] = `error.expected.js${kindOf(base)}`;
    return base;
  }
  return input;
}

function settingsRoutes(api: RouteApi): void {
  for (const path of SETTINGS_PATHS) {
    api.on("GET", "v3", `/settings/${path}`, (_c, ctx) => {
      requireScope(ctx, storeSettings, false);
      return respond(storeSettings, 200, { data: current(ctx, path, channelOf(ctx, path)), meta: {} });
    });
    api.on("PUT", "v3", `/settings/${path}`, async (c, ctx) => {
      requireScope(ctx, storeSettings, true);
      const channel = channelOf(ctx, path);
      const errors: Record<string, string> = {};
      const value = merge(current(ctx, path, channel), await readBody(c), "", errors);
      if (Object.keys(errors).length) throw invalid(errors);
      tableOf(storeSettings, ctx).replace({
        _key: `${path}:${channel}`,
        path,
        channel_id: channel,
        value,
        _created: ctx.now,
        _modified: ctx.now,
      });
      emit(ctx, `store/channel/${channel || 1}/settings/${HOOK_NAMES[path]}/updated`, {
        type: "settings",
        id: channel || 1,
      });
      if (STORE_INFORMATION.has(path) && channel === 0)
        emit(ctx, "store/information/updated", { type: "store" });
      return respond(storeSettings, 200, { data: value, meta: {} });
    });
  }
  api.on("GET", "v3", "/settings/analytics", (_c, ctx) => {
    requireScope(ctx, analyticsProviders, false);
    const channel = ctx.query.get("channel_id");
    const rows = tableOf(analyticsProviders, ctx)
      .all()
      .filter((r) => channel === null || String(r.channel_id) === channel)
      .map(({ _created: _c1, _modified: _m1, ...r }) => r);
    return respond(analyticsProviders, 200, { data: rows, meta: {} });
  });
}

export const settingsModule: ResourceModule = {
  name: "settings",
  resources: [storeSettings, analyticsProviders],
  routes: settingsRoutes,
};
