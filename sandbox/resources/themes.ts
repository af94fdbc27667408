import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import type { Hono } from "hono";
import {
  defineResource,
  listRecords,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  serialize,
  tableOf,
} from "../engine/collection.ts";
import type { Ctx, SandboxState } from "../engine/context.ts";
import { ApiError, invalid, isoDate, notFound } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Themes (themes.v3.yml): list, get, delete; download and upload are background jobs polled at
 * `/themes/jobs/{id}` (the first poll answers WORKING, the next COMPLETED). A finished download carries
 * a link that works for 60 seconds (scaled by the store's time scale) and needs no token, like
 * BigCommerce's signed CDN link. Configurations are not in the zip and have their own endpoint.
 */

const SCOPE = { read: ["store_themes_manage", "store_themes_read_only"], write: ["store_themes_manage"] };
const LINK_TTL_MS = 60_000;
export const THEME_DOWNLOAD_PATH = "/__sandbox/theme-downloads";

export const themes = defineResource({
  name: "themes",
  version: "v3",
  path: "/themes",
  key: "uuid",
  scope: SCOPE,
  ops: ["get"],
  defaults: { name: "", is_private: true, is_active: false, updated_at: "", variations: [] },
  dates: { modified: "updated_at" },
});

export const themeConfigurations = defineResource({
  name: "theme_configurations",
  version: "v3",
  path: "/themes/:theme_uuid/configurations",
  key: "uuid",
  scope: SCOPE,
  ops: [],
  defaults: { theme_uuid: "", variation_id: "", settings: {}, date_created: "", site_id: 1000 },
});

/** Jobs are transient: not exported. */
export const themeJobs = defineResource({
  name: "theme_jobs",
  version: "v3",
  path: "/themes/jobs",
  key: "id",
  keyType: "string",
  scope: SCOPE,
  ops: [],
  defaults: {},
  noExport: true,
});

/** The theme's files: enough of a Stencil theme for a restore to re-upload it. */
export function themeZip(theme: Rec, configuration: Rec | undefined): Uint8Array {
  const config = {
    name: theme.name,
    version: "6.15.0",
    settings: configuration?.settings ?? {},
    variations: theme.variations.map((v: Rec) => ({
      name: v.name,
      id: v.uuid,
      meta: { description: v.description },
    })),
  };
  const mtime = new Date("2024-01-01T00:00:00Z");
  return zipSync(
    {
      "config.json": [strToU8(JSON.stringify(config, null, 2)), { mtime }],
      "schema.json": [
        strToU8(JSON.stringify([{ name: "Colors", settings: [{ type: "color", id: "color-primary" }] }])),
        { mtime },
      ],
      "templates/pages/home.html": [
        strToU8('{{#partial "page"}}<h1>{{settings.store_name}}</h1>{{/partial}}\n{{> layout/base}}\n'),
        { mtime },
      ],
      "assets/scss/theme.scss": [strToU8("body { color: stencilColor('color-primary'); }\n"), { mtime }],
    },
    { level: 6 },
  );
}

function newJob(ctx: Ctx, kind: "download" | "upload", data: Rec): Rec {
  const job = {
    id: ctx.store.rng.uuid().replace(/-/g, ""),
    kind,
    polls: 0,
    created: ctx.now,
    completed_at: 0,
    ...data,
  };
  ctx.store.table("theme_jobs").insert(job);
  return job;
}

function pollJob(ctx: Ctx, job: Rec, origin: string): Rec {
  job.polls++;
  const done = job.polls > 1;
  if (done && !job.completed_at) {
    job.completed_at = ctx.now;
    if (job.kind === "upload") finishUpload(ctx, job);
  }
  const result: Rec = {};
  if (done && job.kind === "download") {
    const expires = job.completed_at + Math.round(LINK_TTL_MS * ctx.store.quota.timeScale);
    result.download_url = `${origin}${THEME_DOWNLOAD_PATH}/${ctx.store.hash}/${job.id}.zip?expires=${expires}`;
  }
  if (done && job.kind === "upload" && job.theme_uuid) result.theme_id = job.theme_uuid;
  return {
    errors: job.error ? [{ error: "ThemeInvalid", message: job.error }] : [],
    id: job.id,
    percent_complete: done ? 100 : 50,
    result,
    status: done ? (job.error ? "FAILED" : "COMPLETED") : "WORKING",
    time: isoDate(job.created),
    warnings: [],
  };
}

function finishUpload(ctx: Ctx, job: Rec): void {
  let config: Rec;
  try {
    const files = unzipSync(new Uint8Array(job.zip as ArrayBuffer));
    const raw = files["config.json"];
    if (!raw) throw new Error("config.json is missing");
    config = JSON.parse(strFromU8(raw));
  } catch (e) {
    job.error = `The theme bundle is invalid: ${(e as Error).message}`;
    return;
  }
  job.zip = null;
  const variations = (Array.isArray(config.variations) ? config.variations : [{ name: "Light" }]).map(
    (v: Rec) => ({
      uuid: ctx.store.rng.uuid(),
      name: String(v.name ?? "Default"),
      description: String(v.meta?.description ?? ""),
      external_id: "",
    }),
  );
  const uuid = ctx.store.rng.uuid();
  tableOf(themes, ctx).insert({
    uuid,
    name: String(config.name ?? job.filename ?? "Uploaded theme"),
    is_private: true,
    is_active: false,
    updated_at: isoDate(ctx.now),
    variations,
    _created: ctx.now,
    _modified: ctx.now,
  });
  if (variations[0]) {
    tableOf(themeConfigurations, ctx).insert({
      uuid: ctx.store.rng.uuid(),
      theme_uuid: uuid,
      variation_id: variations[0].uuid,
      settings: config.settings ?? {},
      date_created: isoDate(ctx.now),
      site_id: 1000,
      _created: ctx.now,
      _modified: ctx.now,
    });
  }
  job.theme_uuid = uuid;
}

function themeOf(ctx: Ctx): Rec {
  const theme = ctx.store.table("themes", "uuid").get(ctx.params.uuid);
  if (!theme) throw notFound("The theme was not found.");
  return theme;
}

function themeRoutes(api: RouteApi): void {
  api.on("GET", "v3", "/themes", (_c, ctx) => {
    requireScope(ctx, themes, false);
    return respond(themes, 200, {
      data: listRecords(themes, ctx).map((t) => serialize(themes, t, ctx)),
      meta: {},
    });
  });
  api.on("DELETE", "v3", "/themes/:uuid{[0-9a-f-]{36}}", (_c, ctx) => {
    requireScope(ctx, themes, true);
    const theme = themeOf(ctx);
    if (theme.is_active) throw new ApiError(422, "The active theme cannot be deleted");
    tableOf(themes, ctx).delete(theme.uuid);
    const configs = tableOf(themeConfigurations, ctx);
    for (const c of configs.all().filter((x) => x.theme_uuid === theme.uuid)) configs.delete(c.uuid);
    return respond(themes, 204, null);
  });
  api.on("POST", "v3", "/themes/:uuid{[0-9a-f-]{36}}/actions/download", async (c, ctx) => {
    requireScope(ctx, themes, true);
    const theme = themeOf(ctx);
    const body = ((await readBody(c)) ?? {}) as Rec;
    if (body.which !== undefined && !["original", "last_activated", "last_created"].includes(body.which)) {
      throw invalid({ which: "which must be original, last_activated or last_created" });
    }
    const job = newJob(ctx, "download", { theme_uuid: theme.uuid });
    return respond(themes, 200, { job_id: job.id });
  });
  api.on("POST", "v3", "/themes", async (c, ctx) => {
    requireScope(ctx, themes, true);
    const type = c.req.header("content-type") ?? "";
    if (!type.includes("multipart/form-data"))
      throw invalid({ file: "Upload the theme as multipart/form-data with a file field" });
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) throw invalid({ file: "error.path.missing" });
    if (file.size > 50 * 1024 * 1024) throw new ApiError(413, "The theme bundle is larger than 50 MB");
    const job = newJob(ctx, "upload", {
      zip: await file.arrayBuffer(),
      filename: file.name.replace(/\.zip$/, ""),
    });
    return respond(themes, 201, { job_id: job.id });
  });
  api.on("GET", "v3", "/themes/jobs/:job_id", (c, ctx) => {
    requireScope(ctx, themes, false);
    const job = ctx.store.table("theme_jobs").get(ctx.params.job_id);
    if (!job) throw notFound("The job was not found.");
    return respond(themes, 200, { data: pollJob(ctx, job, new URL(c.req.url).origin), meta: {} });
  });
  api.on("POST", "v3", "/themes/actions/activate", async (c, ctx) => {
    requireScope(ctx, themes, true);
    const body = ((await readBody(c)) ?? {}) as Rec;
    const t = tableOf(themes, ctx);
    const target = t.all().find((th) => th.variations.some((v: Rec) => v.uuid === body.variation_id));
    if (!target) throw invalid({ variation_id: "No theme has this variation" });
    for (const th of t.all().slice()) {
      const active = th.uuid === target.uuid;
      if (th.is_active !== active)
        t.replace({ ...th, is_active: active, updated_at: isoDate(ctx.now), _modified: ctx.now });
    }
    return respond(themes, 204, null);
  });
  api.on("GET", "v3", "/themes/:uuid{[0-9a-f-]{36}}/configurations", (_c, ctx) => {
    requireScope(ctx, themes, false);
    const theme = themeOf(ctx);
    const variation = ctx.query.get("variation_uuid");
    const uuids = ctx.query.get("uuid:in")?.split(",");
    const rows = tableOf(themeConfigurations, ctx)
      .all()
      .filter(
        (r) =>
          r.theme_uuid === theme.uuid &&
          (!variation || r.variation_id === variation) &&
          (!uuids || uuids.includes(r.uuid)),
      );
    return respond(themes, 200, { data: rows.map((r) => serialize(themeConfigurations, r, ctx)), meta: {} });
  });
  api.on("GET", "v3", "/channels/:channel_id{[0-9]+}/active-theme", (_c, ctx) => {
    requireScope(ctx, themes, false);
    const active = tableOf(themes, ctx)
      .all()
      .find((t) => t.is_active);
    if (!active) throw notFound("No active theme.");
    const config = tableOf(themeConfigurations, ctx)
      .all()
      .find((r) => r.theme_uuid === active.uuid);
    return respond(themes, 200, {
      data: {
        uuid: active.uuid,
        name: active.name,
        configuration_uuid: config?.uuid ?? "",
        variation_uuid: config?.variation_id ?? "",
      },
      meta: {},
    });
  });
}

/** The download link: no token, valid until `expires` (403 afterwards, like an expired signed URL). */
function themePublicRoutes(app: Hono, state: SandboxState): void {
  app.get(`${THEME_DOWNLOAD_PATH}/:hash/:file{[0-9a-f]+\\.zip}`, (c) => {
    const store = state.stores.get(c.req.param("hash"));
    const job = store?.table("theme_jobs").get(c.req.param("file").replace(/\.zip$/, ""));
    if (!store || !job || job.kind !== "download" || !job.completed_at) return c.text("Not Found", 404);
    if (
      state.now() > Number(c.req.query("expires")) ||
      Number(c.req.query("expires")) !== job.completed_at + Math.round(LINK_TTL_MS * store.quota.timeScale)
    ) {
      return c.text("Request has expired", 403);
    }
    const theme = store.table("themes", "uuid").get(job.theme_uuid);
    if (!theme) return c.text("Not Found", 404);
    const config = store
      .table("theme_configurations", "uuid")
      .all()
      .find((r) => r.theme_uuid === theme.uuid);
    return new Response(themeZip(theme, config), { headers: { "content-type": "application/zip" } });
  });
}

export const themesModule: ResourceModule = {
  name: "themes",
  resources: [themes, themeConfigurations, themeJobs],
  routes: themeRoutes,
  publicRoutes: themePublicRoutes,
};
