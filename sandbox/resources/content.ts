import {
  defineResource,
  deleteRecord,
  listPage,
  type RouteApi,
  readBody,
  requireScope,
  respond,
  serialize,
  serializeAs,
  tableOf,
} from "../engine/collection.ts";
import { type Ctx, emit } from "../engine/context.ts";
import { ApiError, invalid, notFound, parseDateParam } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import {
  blogPostDate,
  defaultEmailTemplate,
  EMAIL_TEMPLATE_NAMES,
  type EmailTemplateName,
} from "../generate/content.ts";
import { slug } from "../generate/content-kit.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Storefront content: blog posts and tags (v2), pages, widget templates, widgets, placements, scripts,
 * email templates and redirects (v3). Pages and scripts raise channel-scoped webhooks
 * (`store/channel/{id}/page/...`); blog, widgets and redirects have none in BigCommerce.
 */

const CONTENT = "store_v2_content";
/** Scripts take either Checkout Content or Content (scripts.v3.yml). */
const SCRIPTS_SCOPE = {
  read: [
    "store_content_checkout",
    "store_content_checkout_read_only",
    "store_v2_content",
    "store_v2_content_read_only",
  ],
  write: ["store_content_checkout", "store_v2_content"],
};
const MAX_SCRIPTS_PER_CLIENT = 10;

/** Whether the request includes `name`; the admin export (not a live request) always gets the whole record. */
const wants = (ctx: Ctx, name: string) =>
  !ctx.live || (ctx.query.get("include") ?? "").split(",").includes(name);

/** afterWrite/onDelete hooks raising `store/channel/{channel_id}/{kind}/created|updated|deleted`. */
function channelHooks(kind: "page" | "script", key: "id" | "uuid") {
  return {
    afterWrite: (rec: Rec, _input: Rec, ctx: Ctx, change: "create" | "update") =>
      emit(ctx, `store/channel/${rec.channel_id}/${kind}/${change === "create" ? "created" : "updated"}`, {
        type: kind,
        id: rec[key],
        channel_id: rec.channel_id,
      }),
    onDelete: (rec: Rec, ctx: Ctx) =>
      emit(ctx, `store/channel/${rec.channel_id}/${kind}/deleted`, {
        type: kind,
        id: rec[key],
        channel_id: rec.channel_id,
      }),
  };
}

function stripHtml(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export const blogPosts = defineResource({
  name: "blog_posts",
  version: "v2",
  path: "/blog/posts",
  scope: CONTENT,
  ops: ["list", "get", "create", "update", "delete", "batchDelete"],
  defaults: {
    title: "",
    url: "",
    preview_url: "",
    body: "",
    tags: [],
    summary: "",
    is_published: false,
    published_date: null,
    published_date_iso8601: "",
    meta_description: "",
    meta_keywords: "",
    author: "",
    thumbnail_path: "",
  },
  types: { published_date: "any" },
  readOnly: ["preview_url", "summary", "published_date_iso8601"],
  required: ["title", "body"],
  filters: ["is_published", "url", "tags"],
  customFilters: { tag: (rec, value) => rec.tags.includes(value) },
  sortable: ["_published"],
  unique: [{ fields: ["url"], title: "The URL is already in use by another blog post" }],
  validate: (input) => {
    if (
      input.published_date !== undefined &&
      typeof input.published_date === "string" &&
      Number.isNaN(parseDateParam(input.published_date))
    ) {
      return { published_date: "published_date must be an RFC 2822 date" };
    }
    if (
      input.tags !== undefined &&
      (!Array.isArray(input.tags) || input.tags.some((t: unknown) => typeof t !== "string"))
    ) {
      return { tags: "tags must be an array of strings" };
    }
    return undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (!rec.url) rec.url = `/blog/${slug(rec.title) || rec.id}/`;
    rec.preview_url = rec.url;
    rec.summary = stripHtml(String(rec.body)).slice(0, 100);
    const published =
      typeof input.published_date === "string"
        ? parseDateParam(input.published_date)
        : existing
          ? Date.parse(existing.published_date_iso8601)
          : ctx.now;
    rec.published_date = blogPostDate(published);
    rec.published_date_iso8601 = new Date(published).toISOString();
    rec._published = published;
  },
  churn: (rec, rng) => ({ meta_description: `${String(rec.title)} (${rng.int(1, 999)})` }),
});

export const pages = defineResource({
  name: "pages",
  version: "v3",
  path: "/content/pages",
  scope: CONTENT,
  ops: ["list", "get", "create", "update", "delete", "batchCreate", "batchUpdate", "batchDelete"],
  createStatus: 201,
  maxBatch: 100,
  defaults: {
    channel_id: 1,
    name: "",
    is_visible: true,
    parent_id: 0,
    sort_order: 0,
    type: "page",
    is_homepage: false,
    is_customers_only: false,
    url: "",
    meta_title: "",
    meta_keywords: "",
    meta_description: "",
    search_keywords: "",
    body: null,
  },
  types: { body: "string" },
  embedded: ["content_type", "email", "contact_fields", "link"],
  required: ["name", "type"],
  enums: { type: ["page", "raw", "contact_form", "feed", "link", "blog"] },
  filters: ["channel_id", "name", "url"],
  indexes: ["parent_id"],
  validate: (input, ctx, existing) => {
    const errors: Record<string, string> = {};
    const type = input.type ?? existing?.type;
    if (typeof input.name === "string" && input.name.length > 100)
      errors.name = "name must be at most 100 characters";
    if (type === "link" && !(input.link ?? existing?.link)) errors.link = "link is required for link pages";
    if (input.parent_id && !ctx.store.table("pages").get(Number(input.parent_id)))
      errors.parent_id = "parent page does not exist";
    if (existing && input.parent_id === existing.id) errors.parent_id = "a page cannot be its own parent";
    if (input.channel_id !== undefined && !ctx.store.table("channels").get(Number(input.channel_id)))
      errors.channel_id = "channel does not exist";
    if (!existing && ctx.store.table("pages").size >= 4000)
      errors.name = "A store can have at most 4000 pages";
    return Object.keys(errors).length ? errors : undefined;
  },
  build: (rec, input, _ctx, existing) => {
    if (!rec.url) rec.url = `/${slug(rec.name) || `page-${rec.id}`}/`;
    if (rec.type === "link") rec.body = null;
    else if (rec.body === null) rec.body = "";
    for (const f of ["content_type", "email", "contact_fields", "link"]) {
      if (input[f] !== undefined) rec[f] = input[f];
      else if (existing?.[f] !== undefined) rec[f] = existing[f];
    }
    if (rec.type === "raw" && !rec.content_type) rec.content_type = "text/html";
  },
  ...channelHooks("page", "id"),
  serialize: (out, ctx) => {
    if (!wants(ctx, "body") && out.type !== "link") delete out.body;
    if (out.type === "link") delete out.body;
    return out;
  },
  churn: (rec, rng) => ({ meta_description: `${String(rec.name)} — ${rng.int(1, 999)}` }),
});

export const widgetTemplates = defineResource({
  name: "widget_templates",
  version: "v3",
  path: "/content/widget-templates",
  key: "uuid",
  scope: CONTENT,
  defaults: {
    name: "",
    schema: [],
    template: "",
    storefront_api_query: "",
    kind: "custom",
    date_created: "",
    date_modified: "",
    current_version_uuid: "",
    icon_name: "default",
    channel_id: 1,
  },
  readOnly: ["kind", "date_created", "date_modified", "current_version_uuid"],
  required: ["name", "template"],
  filters: ["widget_template_kind", "channel_id"],
  customFilters: { widget_template_kind: (rec, value) => rec.kind === value },
  dates: { created: "date_created", modified: "date_modified" },
  validate: (_input, ctx, existing) => {
    if (!existing && ctx.store.table("widget_templates", "uuid").size >= 5000)
      return { name: "A store can have at most 5000 widget templates" };
    return undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (!existing || input.template !== undefined || input.schema !== undefined)
      rec.current_version_uuid = ctx.store.rng.uuid();
  },
  onDelete: (rec, ctx) => {
    for (const w of ctx.store
      .table("widgets", "uuid")
      .all()
      .filter((x) => x.widget_template_uuid === rec.uuid)) {
      deleteRecord(widgets, w, ctx);
    }
  },
  serialize: (out) => {
    delete out.channel_id;
    return out;
  },
});

export const widgets = defineResource({
  name: "widgets",
  version: "v3",
  path: "/content/widgets",
  key: "uuid",
  scope: CONTENT,
  maxLimit: 150,
  defaults: {
    name: "",
    description: "",
    widget_configuration: {},
    widget_template_uuid: "",
    date_created: "",
    date_modified: "",
    version_uuid: "",
    channel_id: 1,
  },
  readOnly: ["date_created", "date_modified", "version_uuid"],
  required: ["name", "widget_template_uuid"],
  filters: ["widget_template_uuid", "channel_id"],
  customFilters: {
    widget_template_kind: (rec, value, ctx) =>
      ctx.store.table("widget_templates", "uuid").get(rec.widget_template_uuid)?.kind === value,
  },
  dates: { created: "date_created", modified: "date_modified" },
  validate: (input, ctx) => {
    if (
      input.widget_template_uuid !== undefined &&
      !ctx.store.table("widget_templates", "uuid").get(String(input.widget_template_uuid))
    ) {
      return { widget_template_uuid: "The widget template does not exist" };
    }
    return undefined;
  },
  build: (rec, _input, ctx) => {
    rec.version_uuid =
      ctx.store.table("widget_templates", "uuid").get(rec.widget_template_uuid)?.current_version_uuid ?? "";
  },
  onDelete: (rec, ctx) => {
    const t = ctx.store.table("placements", "uuid");
    for (const p of t.all().filter((x) => x.widget_uuid === rec.uuid)) t.delete(p.uuid);
  },
  serialize: (out, ctx) => {
    const template = ctx.store.table("widget_templates", "uuid").get(out.widget_template_uuid);
    if (template) out.widget_template = serializeAs("widget_templates", template, ctx);
    delete out.widget_template_uuid;
    return out;
  },
  churn: (rec, rng) => ({ description: `Updated ${rng.int(1, 999)}`, name: rec.name }),
});

export const placements = defineResource({
  name: "placements",
  version: "v3",
  path: "/content/placements",
  key: "uuid",
  scope: CONTENT,
  defaults: {
    widget_uuid: "",
    template_file: "",
    region: "",
    entity_id: "",
    sort_order: 0,
    status: "inactive",
    channel_id: 1,
    date_created: "",
    date_modified: "",
  },
  types: { entity_id: "any" },
  readOnly: ["date_created", "date_modified"],
  required: ["widget_uuid", "template_file"],
  enums: { status: ["inactive", "active"] },
  filters: ["widget_uuid", "template_file", "channel_id", "region"],
  dates: { created: "date_created", modified: "date_modified" },
  validate: (input, ctx) => {
    if (
      input.widget_uuid !== undefined &&
      !ctx.store.table("widgets", "uuid").get(String(input.widget_uuid))
    ) {
      return { widget_uuid: "The widget does not exist" };
    }
    return undefined;
  },
  build: (rec) => {
    rec.entity_id = rec.entity_id === null || rec.entity_id === undefined ? "" : String(rec.entity_id);
  },
  serialize: (out, ctx) => {
    const widget = ctx.store.table("widgets", "uuid").get(out.widget_uuid);
    if (widget) out.widget = serializeAs("widgets", widget, ctx);
    delete out.widget_uuid;
    return out;
  },
});

export const scripts = defineResource({
  name: "scripts",
  version: "v3",
  path: "/content/scripts",
  key: "uuid",
  scope: SCRIPTS_SCOPE,
  defaults: {
    name: "",
    description: "",
    html: "",
    src: "",
    auto_uninstall: false,
    load_method: "default",
    location: "footer",
    visibility: "storefront",
    kind: "src",
    api_client_id: "",
    consent_category: "essential",
    enabled: true,
    channel_id: 1,
    integrity_hashes: [],
    date_created: "",
    date_modified: "",
  },
  readOnly: ["api_client_id", "date_created", "date_modified"],
  required: ["name"],
  enums: {
    load_method: ["default", "async", "defer"],
    location: ["head", "footer"],
    visibility: ["storefront", "all_pages", "checkout", "order_confirmation"],
    kind: ["src", "script_tag"],
    consent_category: ["essential", "functional", "analytics", "targeting"],
  },
  filters: ["channel_id"],
  sortable: ["name", "description", "date_created", "date_modified"],
  dates: { created: "date_created", modified: "date_modified" },
  // BigCommerce lists and serves only the scripts created by the calling API account.
  visible: (rec, ctx) => ctx.grant.scopes === "all" || rec.api_client_id === ctx.grant.clientId,
  validate: (input, ctx, existing) => {
    const kind = input.kind ?? existing?.kind ?? "src";
    if (kind === "src" && !(input.src ?? existing?.src))
      return { src: "src is required for scripts of kind src" };
    if (kind === "script_tag" && !(input.html ?? existing?.html))
      return { html: "html is required for scripts of kind script_tag" };
    if (typeof input.html === "string" && input.html.length > 65536)
      return { html: "html must be at most 65536 characters" };
    if (!existing) {
      const channel = Number(input.channel_id ?? 1);
      const own = ctx.store
        .table("scripts", "uuid")
        .all()
        .filter((s) => s.api_client_id === ctx.grant.clientId && s.channel_id === channel).length;
      if (own >= MAX_SCRIPTS_PER_CLIENT)
        return { name: `An app can create at most ${MAX_SCRIPTS_PER_CLIENT} scripts per channel` };
    }
    return undefined;
  },
  build: (rec, _input, ctx, existing) => {
    if (!existing) rec.api_client_id = ctx.grant.clientId;
  },
  ...channelHooks("script", "uuid"),
});

/** Route-only resource for email templates (fixed names; stored per (name, channel), channel 0 = global). */
export const emailTemplates = defineResource({
  name: "email_templates",
  version: "v3",
  path: "/marketing/email-templates",
  key: "_key",
  keyType: "string",
  scope: "store_v2_information",
  ops: [],
  defaults: {},
});

export const redirects = defineResource({
  name: "redirects",
  version: "v3",
  path: "/storefront/redirects",
  scope: CONTENT,
  ops: ["list", "batchDelete"],
  defaults: { site_id: 0, from_path: "", to: { type: "url", url: "" } },
  filters: ["site_id"],
  customFilters: {
    keyword: (rec, value) => {
      const v = value.toLowerCase();
      return (
        String(rec.from_path).toLowerCase().includes(v) ||
        String(rec.to?.url ?? "")
          .toLowerCase()
          .includes(v)
      );
    },
  },
  sortable: ["from_path", "site_id", "id"],
  indexes: ["site_id"],
  serialize: (out, ctx) => {
    if ((ctx.query.get("include") ?? "").split(",").includes("to_url")) out.to_url = toUrl(ctx, out);
    return out;
  },
});

const ENTITY_TABLES: Record<string, string> = {
  product: "products",
  brand: "brands",
  category: "categories",
  page: "pages",
  post: "blog_posts",
};

/** The absolute URL a redirect leads to, from its site's URL and the target entity's storefront path. */
function toUrl(ctx: Ctx, redirect: Rec): string {
  const site = ctx.store.table("sites").get(redirect.site_id);
  const base = String(site?.url ?? `https://store-${ctx.store.hash}.mybigcommerce.com`);
  const to = redirect.to ?? {};
  if (to.type === "url") return String(to.url);
  const table = ENTITY_TABLES[to.type];
  const entity = table ? ctx.store.table(table).get(to.entity_id) : undefined;
  const path = entity ? String(entity.custom_url?.url ?? entity.url ?? "/") : "/";
  return base + path;
}

function validRedirect(ctx: Ctx, item: Rec): Record<string, string> | undefined {
  if (!item || typeof item !== "object") return { body: "error.expected.jsobject" };
  const errors: Record<string, string> = {};
  if (typeof item.from_path !== "string" || !item.from_path.startsWith("/"))
    errors.from_path = "from_path must be a path starting with /";
  if (!ctx.store.table("sites").get(Number(item.site_id))) errors.site_id = "site does not exist";
  const to = item.to as Rec | undefined;
  if (
    !to ||
    typeof to !== "object" ||
    !["product", "brand", "category", "page", "post", "url"].includes(to.type)
  ) {
    errors["to.type"] = "to.type must be one of product, brand, category, page, post, url";
  } else if (to.type === "url") {
    if (typeof to.url !== "string" || !to.url || to.url.length > 2048)
      errors["to.url"] = "to.url is required";
  } else if (!Number.isInteger(to.entity_id)) {
    errors["to.entity_id"] = "to.entity_id is required";
  }
  return Object.keys(errors).length ? errors : undefined;
}

function emailTemplate(ctx: Ctx, name: EmailTemplateName, channelId: number): Rec {
  const t = ctx.store.table("email_templates", "_key");
  const row =
    (channelId ? t.get(`${name}:${channelId}`) : undefined) ??
    t.get(`${name}:0`) ??
    defaultEmailTemplate(name, 0);
  return { type_id: name, body: row.body, translations: row.translations, subject: row.subject };
}

function templateName(ctx: Ctx): EmailTemplateName {
  const name = ctx.params.name as EmailTemplateName;
  if (!EMAIL_TEMPLATE_NAMES.includes(name)) throw notFound("The email template was not found.");
  return name;
}

function channelParam(ctx: Ctx): number {
  const raw = ctx.query.get("channel_id");
  if (raw === null) return 0;
  const id = Number(raw);
  if (!ctx.store.table("channels").get(id)) throw invalid({ channel_id: "channel does not exist" });
  return id;
}

function contentRoutes(api: RouteApi): void {
  // BigCommerce lists blog posts by published date, most recent first.
  api.on("GET", "v2", "/blog/posts", (_c, ctx) => {
    requireScope(ctx, blogPosts, false);
    const query = new URLSearchParams(ctx.query);
    query.set("sort", "_published");
    query.set("direction", "desc");
    ctx.query = query;
    const { status, body } = listPage(blogPosts, ctx);
    return respond(blogPosts, status, body);
  });
  api.on("GET", "v2", "/blog/tags", (_c, ctx) => {
    requireScope(ctx, blogPosts, false);
    const tags = new Map<string, number[]>();
    for (const post of tableOf(blogPosts, ctx).all()) {
      for (const tag of post.tags as string[]) {
        const ids = tags.get(tag) ?? [];
        ids.push(post.id);
        tags.set(tag, ids);
      }
    }
    const out = [...tags].map(([tag, post_ids]) => ({ tag, post_ids }));
    return respond(blogPosts, out.length ? 200 : 204, out);
  });

  api.on("GET", "v3", "/content/regions", (_c, ctx) => {
    requireScope(ctx, placements, false);
    const file = ctx.query.get("templateFile");
    if (!file) throw invalid({ templateFile: "error.path.missing" });
    const base = file.split("/").pop() ?? "page";
    return respond(placements, 200, {
      data: [
        { name: `${base}_below_header` },
        { name: `${base}_below_content` },
        { name: "home_below_menu" },
      ],
      meta: {},
    });
  });

  api.on("GET", "v3", "/marketing/email-templates", (_c, ctx) => {
    requireScope(ctx, emailTemplates, false);
    const channel = channelParam(ctx);
    return respond(emailTemplates, 200, {
      data: EMAIL_TEMPLATE_NAMES.map((n) => emailTemplate(ctx, n, channel)),
      meta: {},
    });
  });
  api.on("GET", "v3", "/marketing/email-templates/:name", (_c, ctx) => {
    requireScope(ctx, emailTemplates, false);
    return respond(emailTemplates, 200, {
      data: emailTemplate(ctx, templateName(ctx), channelParam(ctx)),
      meta: {},
    });
  });
  // PUT updates the global template, or with channel_id creates/updates that channel's override. No create.
  api.on("PUT", "v3", "/marketing/email-templates/:name", async (c, ctx) => {
    requireScope(ctx, emailTemplates, true);
    const name = templateName(ctx);
    const channel = channelParam(ctx);
    const body = (await readBody(c)) as Rec | undefined;
    if (!body || typeof body !== "object") throw invalid({ body: "error.expected.jsobject" });
    const errors: Record<string, string> = {};
    for (const f of ["body", "subject"])
      if (body[f] !== undefined && typeof body[f] !== "string") errors[f] = "error.expected.jsstring";
    if (body.translations !== undefined && !Array.isArray(body.translations))
      errors.translations = "error.expected.jsarray";
    if (Object.keys(errors).length) throw invalid(errors);
    const current = emailTemplate(ctx, name, channel);
    const row = {
      _key: `${name}:${channel}`,
      type_id: name,
      channel_id: channel,
      subject: body.subject ?? current.subject,
      body: body.body ?? current.body,
      translations: body.translations ?? current.translations,
      _created: ctx.now,
      _modified: ctx.now,
    };
    ctx.store.table("email_templates", "_key").replace(row);
    return respond(emailTemplates, 200, { data: emailTemplate(ctx, name, channel), meta: {} });
  });
  // DELETE drops a channel override; on the global template it restores BigCommerce's default.
  api.on("DELETE", "v3", "/marketing/email-templates/:name", (_c, ctx) => {
    requireScope(ctx, emailTemplates, true);
    const name = templateName(ctx);
    const channel = channelParam(ctx);
    const t = ctx.store.table("email_templates", "_key");
    if (channel) t.delete(`${name}:${channel}`);
    else
      t.replace({
        _key: `${name}:0`,
        ...defaultEmailTemplate(name, 0),
        _created: ctx.now,
        _modified: ctx.now,
      });
    return respond(emailTemplates, 204, null);
  });

  // PUT /storefront/redirects upserts by (site_id, from_path): replaying the same body changes nothing.
  api.on("PUT", "v3", "/storefront/redirects", async (c, ctx) => {
    requireScope(ctx, redirects, true);
    const body = await readBody(c);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    if (body.length > 100)
      throw new ApiError(
        413,
        "The request payload is too large. The maximum items allowed in the array is 100.",
      );
    body.forEach((item, i) => {
      const errors = validRedirect(ctx, item);
      if (errors) throw invalid(Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${i}.${k}`, v])));
    });
    const t = tableOf(redirects, ctx);
    const out: Rec[] = [];
    for (const item of body as Rec[]) {
      const to =
        item.to.type === "url"
          ? { type: "url", url: item.to.url }
          : { type: item.to.type, entity_id: item.to.entity_id };
      const existing = t.by("site_id", Number(item.site_id)).find((r) => r.from_path === item.from_path);
      const rec = existing
        ? { ...existing, to, _modified: ctx.now }
        : {
            id: ctx.store.nextId("redirects"),
            site_id: Number(item.site_id),
            from_path: item.from_path,
            to,
            _created: ctx.now,
            _modified: ctx.now,
          };
      if (existing) t.replace(rec);
      else t.insert(rec);
      out.push(serialize(redirects, rec, ctx));
    }
    return respond(redirects, 201, { data: out, meta: {} });
  });
}

export const contentModule: ResourceModule = {
  name: "content",
  resources: [blogPosts, pages, widgetTemplates, widgets, placements, scripts, emailTemplates, redirects],
  routes: contentRoutes,
};
