import {
  defineResource,
  listRecords,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  runBatch,
  serialize,
  tableOf,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, isoDate, notFound } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import { metafieldResources } from "./metafields.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Channels (no delete: BigCommerce archives them by status), sites with their `{offset, limit,
 * total_items}` paging, and site routes (channels.v3.yml, sites.v3.yml).
 */

const CHANNELS = {
  read: ["store_channel_settings", "store_channel_settings_read_only"],
  write: ["store_channel_settings"],
};
const SITES = { read: ["store_sites", "store_sites_read_only"], write: ["store_sites"] };

export const channels = defineResource({
  name: "channels",
  version: "v3",
  path: "/channels",
  scope: CHANNELS,
  ops: ["list", "get", "create", "update"],
  cursor: true,
  defaults: {
    external_id: "",
    is_listable_from_ui: true,
    is_enabled: true,
    is_visible: true,
    status: "active",
    name: "",
    type: "storefront",
    platform: "",
    date_created: "",
    date_modified: "",
    icon_url: "",
  },
  readOnly: ["date_created", "date_modified", "icon_url", "is_enabled"],
  required: ["name", "type", "platform"],
  enums: {
    type: ["pos", "marketplace", "storefront", "marketing"],
    status: [
      "active",
      "prelaunch",
      "inactive",
      "connected",
      "disconnected",
      "archived",
      "deleted",
      "terminated",
    ],
  },
  filters: ["name", "type", "platform", "status"],
  customFilters: {
    available: (rec, value) => !["deleted", "terminated"].includes(rec.status) === (value === "true"),
  },
  dates: { created: "date_created", modified: "date_modified" },
  validate: (input, ctx, existing) => {
    if (existing) {
      const errors: Record<string, string> = {};
      for (const f of ["type", "platform"]) {
        if (input[f] !== undefined && input[f] !== existing[f])
          errors[f] = `The field '${f}' can not be updated after channel is created.`;
      }
      if (existing.status === "deleted" || existing.status === "terminated")
        throw invalid({ status: "A deleted channel cannot be updated" });
      return Object.keys(errors).length ? errors : undefined;
    }
    const dup = ctx.store
      .table("channels")
      .all()
      .find((c) => c.name === input.name && c.platform === input.platform && c.type === input.type);
    if (dup) {
      throw new ApiError(
        409,
        `Channel already exists with name: "${String(input.name)}", platform: "${String(input.platform)}", and type: "${String(input.type)}"`,
      );
    }
    return undefined;
  },
  build: (rec) => {
    rec.is_enabled = rec.status === "active" || rec.status === "connected" || rec.status === "prelaunch";
    if (!rec.icon_url)
      rec.icon_url =
        "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg";
  },
  churn: (rec, rng) => ({ name: `${String(rec.name).replace(/ \(\d+\)$/, "")} (${rng.int(1, 99)})` }),
});

export const sites = defineResource({
  name: "sites",
  version: "v3",
  path: "/sites",
  scope: SITES,
  ops: ["get", "create", "update", "delete"],
  createStatus: 201,
  defaults: {
    url: "",
    channel_id: 1,
    created_at: "",
    updated_at: "",
    ssl_status: "shared",
    urls: [],
    is_checkout_url_customized: false,
  },
  readOnly: ["created_at", "updated_at", "ssl_status", "urls", "is_checkout_url_customized"],
  required: ["url", "channel_id"],
  filters: ["channel_id"],
  dates: { created: "created_at", modified: "updated_at" },
  validate: (input, ctx, existing) => {
    if (input.url !== undefined && !/^https?:\/\/[^/\s]+/.test(String(input.url)))
      return { url: "url must be an absolute URL" };
    if (input.channel_id !== undefined) {
      if (!ctx.store.table("channels").get(Number(input.channel_id)))
        return { channel_id: "channel does not exist" };
      const taken = ctx.store
        .table("sites")
        .all()
        .some((s) => s.channel_id === Number(input.channel_id) && s.id !== existing?.id);
      if (taken) throw new ApiError(409, "The channel already has a site");
    }
    return undefined;
  },
  build: (rec, _input, ctx) => {
    const at = isoDate(ctx.now);
    rec.urls = [
      { url: rec.url, type: "primary", created_at: at, updated_at: at },
      { url: rec.url, type: "canonical", created_at: at, updated_at: at },
      {
        url: `https://store-${ctx.store.hash}.mybigcommerce.com`,
        type: "checkout",
        created_at: at,
        updated_at: at,
      },
    ];
  },
  onDelete: (rec, ctx) => {
    const t = ctx.store.table("site_routes");
    for (const r of t.by("site_id", rec.id)) t.delete(r.id);
  },
});

export const siteRoutes = defineResource({
  name: "site_routes",
  version: "v3",
  path: "/sites/:site_id{[0-9]+}/routes",
  parent: { param: "site_id", field: "site_id", collection: "sites", notFound: "Site not found." },
  scope: SITES,
  ops: ["list", "get", "create", "update", "delete"],
  createStatus: 201,
  maxBatch: 50,
  defaults: { type: "product", matching: "*", route: "" },
  required: ["type", "matching", "route"],
  enums: {
    type: [
      "product",
      "brand",
      "category",
      "page",
      "blog",
      "home",
      "cart",
      "checkout",
      "search",
      "account",
      "login",
      "returns",
      "static",
    ],
  },
  filters: ["type"],
  validate: (input, ctx, existing) => {
    const siteId = existing?.site_id ?? ctx.parent?.id;
    const type = input.type ?? existing?.type;
    const matching = input.matching ?? existing?.matching;
    const clash = ctx.store
      .table("site_routes")
      .by("site_id", siteId)
      .some((r) => r.id !== existing?.id && r.type === type && r.matching === matching);
    if (clash)
      return {
        "matching.type": `Route already exists for site ${siteId} matching ${String(matching)} for type ${String(type)}`,
      };
    return undefined;
  },
  serialize: (out) => {
    delete out.site_id;
    return out;
  },
});

function channelRoutes(api: RouteApi): void {
  // Sites page with offset/limit and report `{offset, limit, total_items}`.
  api.on("GET", "v3", "/sites", (_c, ctx) => {
    requireScope(ctx, sites, false);
    const rows = listRecords(sites, ctx).filter((s) => {
      const ids = ctx.query.get("channel_id:in");
      return !ids || ids.split(",").includes(String(s.channel_id));
    });
    const limit = Number(ctx.query.get("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw invalid({ limit: "error.invalid" });
    if (limit > 250) throw new ApiError(413, "The request payload is too large. The maximum limit is 250.");
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const offset =
      ctx.query.get("offset") !== null ? Math.max(0, Number(ctx.query.get("offset"))) : (page - 1) * limit;
    const data = rows.slice(offset, offset + limit).map((s) => serialize(sites, s, ctx));
    return respond(sites, 200, { data, meta: { pagination: { offset, limit, total_items: rows.length } } });
  });
  const siteOf = (ctx: Ctx) => {
    const channel = ctx.store.table("channels").get(Number(ctx.params.channel_id));
    if (!channel) throw notFound("Channel not found.");
    return {
      channel,
      site: ctx.store
        .table("sites")
        .all()
        .find((s) => s.channel_id === channel.id),
    };
  };
  api.on("GET", "v3", "/channels/:channel_id{[0-9]+}/site", (_c, ctx) => {
    requireScope(ctx, sites, false);
    const { site } = siteOf(ctx);
    if (!site) throw notFound("The channel has no site.");
    return respond(sites, 200, { data: serialize(sites, site, ctx), meta: {} });
  });
  api.on("PUT", "v3", "/channels/:channel_id{[0-9]+}/site", async (c, ctx) => {
    requireScope(ctx, sites, true);
    const { site } = siteOf(ctx);
    if (!site) throw notFound("The channel has no site.");
    const body = ((await readBody(c)) ?? {}) as Rec;
    const updated = updateRecord(sites, site, { url: body.url }, ctx);
    return respond(sites, 200, { data: serialize(sites, updated, ctx), meta: {} });
  });
  api.on("PUT", "v3", "/sites/:site_id{[0-9]+}/routes", async (c, ctx) => {
    requireScope(ctx, siteRoutes, true);
    const site = ctx.store.table("sites").get(Number(ctx.params.site_id));
    if (!site) throw notFound("Site not found.");
    ctx.parent = site;
    const body = await readBody(c);
    const r = runBatch(siteRoutes, ctx, body, (item) => {
      const rec = tableOf(siteRoutes, ctx).get(Number(item?.id));
      if (!rec || rec.site_id !== site.id) throw notFound("Route not found.");
      return updateRecord(siteRoutes, rec, item, ctx);
    });
    return respond(siteRoutes, r.status, r.body);
  });
}

export const channelMetafields = metafieldResources({
  name: "channel_metafields",
  ownerPath: "/channels/:channel_id{[0-9]+}",
  ownerParam: "channel_id",
  ownerCollection: "channels",
  batchPath: "/channels/metafields",
  resourceType: "channel",
  scope: CHANNELS,
});

export const channelsModule: ResourceModule = {
  name: "channels",
  resources: [channels, sites, siteRoutes, channelMetafields.perOwner, channelMetafields.batch],
  routes: (api) => {
    channelRoutes(api);
    channelMetafields.routes(api);
  },
};
