/**
 * Storefront content: blog posts (v2), pages, widget templates, widgets, placements, scripts, email
 * templates and redirects (v3). Shapes follow store_content.v2.yml, pages.v3.yml, widgets.v3.yml,
 * scripts.v3.yml, email_templates.v3.yml and redirects.v3.yml.
 */
import {
  type CatalogRefs,
  chance,
  int,
  iso,
  pick,
  type Rand,
  rfc2822,
  sentence,
  slug,
  uuid,
} from "./content-kit.ts";

export interface BlogPost {
  id: number;
  title: string;
  url: string;
  preview_url: string;
  body: string;
  tags: string[];
  summary: string;
  is_published: boolean;
  published_date: { timezone_type: number; date: string; timezone: string };
  published_date_iso8601: string;
  meta_description: string;
  meta_keywords: string;
  author: string;
  thumbnail_path: string;
}

export interface Page {
  id: number;
  channel_id: number;
  name: string;
  is_visible: boolean;
  parent_id: number;
  sort_order: number;
  type: "page" | "raw" | "contact_form" | "link" | "blog" | "feed";
  is_homepage: boolean;
  is_customers_only: boolean;
  url: string;
  meta_title: string;
  meta_keywords: string;
  meta_description: string;
  search_keywords: string;
  /** Shown only with `include=body`. */
  body: string | null;
  content_type?: string;
  email?: string;
  contact_fields?: string;
  link?: string;
}

export interface WidgetTemplate {
  uuid: string;
  name: string;
  schema: Record<string, unknown>[];
  template: string;
  storefront_api_query: string;
  kind: string;
  date_created: string;
  date_modified: string;
  current_version_uuid: string;
  icon_name: string;
  channel_id: number;
}

/** Stored widget; the embedded `widget_template` is rendered from the template collection. */
export interface Widget {
  uuid: string;
  name: string;
  description: string;
  widget_configuration: Record<string, unknown>;
  widget_template_uuid: string;
  date_created: string;
  date_modified: string;
  version_uuid: string;
  channel_id: number;
}

export interface Placement {
  uuid: string;
  widget_uuid: string;
  template_file: string;
  region: string;
  entity_id: string;
  sort_order: number;
  status: "active" | "inactive";
  channel_id: number;
  date_created: string;
  date_modified: string;
}

export interface Script {
  uuid: string;
  name: string;
  description: string;
  html: string;
  src: string;
  auto_uninstall: boolean;
  load_method: "default" | "async" | "defer";
  location: "head" | "footer";
  visibility: "storefront" | "all_pages" | "checkout" | "order_confirmation";
  kind: "src" | "script_tag";
  api_client_id: string;
  consent_category: "essential" | "functional" | "analytics" | "targeting";
  enabled: boolean;
  channel_id: number;
  integrity_hashes: string[];
  date_created: string;
  date_modified: string;
}

export interface EmailTemplate {
  /** Stored per (type_id, channel_id); channel 0 is the global template. */
  type_id: EmailTemplateName;
  channel_id: number;
  subject: string;
  body: string;
  translations: { locale: string; keys: Record<string, string> }[];
}

export interface Redirect {
  id: number;
  site_id: number;
  from_path: string;
  to: { type: "product" | "brand" | "category" | "page" | "post" | "url"; entity_id?: number; url?: string };
}

export const EMAIL_TEMPLATE_NAMES = [
  "abandoned_cart_email",
  "account_details_changed_email",
  "combined_order_status_email",
  "createaccount_email",
  "createguestaccount_email",
  "giftcertificate_email",
  "invoice_email",
  "ordermessage_notification",
  "return_confirmation_email",
  "return_statuschange_email",
  "product_review_email",
  "account_reset_password_email",
] as const;
export type EmailTemplateName = (typeof EMAIL_TEMPLATE_NAMES)[number];

export interface ContentSizes {
  blog_posts: number;
  pages: number;
  widget_templates: number;
  widgets: number;
  scripts: number;
  redirects: number;
}

export interface ContentData {
  blog_posts: BlogPost[];
  pages: Page[];
  widget_templates: WidgetTemplate[];
  widgets: Widget[];
  placements: Placement[];
  scripts: Script[];
  email_templates: EmailTemplate[];
  redirects: Redirect[];
}

const BLOG_TOPICS = [
  "Care guide",
  "Behind the seams",
  "Gift ideas",
  "Our story",
  "Spring lookbook",
  "Recettes d'été",
  "Meet the maker",
];
const BLOG_TAGS = ["news", "how-to", "gifts", "behind-the-scenes", "sustainability", "été"];
const DAY = 86_400_000;

/** The client id of the merchant's own scripts; other clients never see them through the API. */
export const MERCHANT_SCRIPT_CLIENT = "control-panel";

export function blogPostDate(ms: number): BlogPost["published_date"] {
  return {
    timezone_type: 1,
    date: `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}.000000`,
    timezone: "+00:00",
  };
}

export function generateContent(
  rand: Rand,
  now: number,
  sizes: ContentSizes,
  catalog: CatalogRefs,
  siteId: number,
): ContentData {
  const blogPosts: BlogPost[] = [];
  for (let i = 0; i < sizes.blog_posts; i++) {
    const title = `${pick(rand, BLOG_TOPICS)} #${i + 1}`;
    const published = now - int(rand, 1, 700) * DAY;
    const url = `/blog/${slug(title)}/`;
    const body = `<h2>${title}</h2><p>${sentence(rand, 3)}</p><p><img src="https://cdn.example.com/blog/${i + 1}.jpg" alt=""></p>`;
    blogPosts.push({
      id: i + 1,
      title,
      url,
      preview_url: url,
      body,
      tags: [pick(rand, BLOG_TAGS), pick(rand, BLOG_TAGS)].filter((t, k, all) => all.indexOf(t) === k),
      summary: body
        .replace(/<[^>]+>/g, " ")
        .trim()
        .slice(0, 100),
      is_published: chance(rand, 0.9),
      published_date: blogPostDate(published),
      published_date_iso8601: new Date(published).toISOString(),
      meta_description: "",
      meta_keywords: "",
      author: pick(rand, ["Ana Costa", "Björn Larsen", "Team"]),
      thumbnail_path: "",
    });
  }
  const pages: Page[] = [];
  const pageKinds: Page["type"][] = ["page", "contact_form", "raw", "link", "page"];
  for (let i = 0; i < sizes.pages; i++) {
    const type = pageKinds[i % pageKinds.length] as Page["type"];
    const name = i === 0 ? "About us" : i === 1 ? "Contact" : `Page ${i + 1}`;
    const page: Page = {
      id: i + 1,
      channel_id: 1,
      name,
      is_visible: true,
      parent_id: i >= 5 && chance(rand, 0.3) ? 1 : 0,
      sort_order: i,
      type,
      is_homepage: false,
      is_customers_only: false,
      url: `/${slug(name)}/`,
      meta_title: "",
      meta_keywords: "",
      meta_description: "",
      search_keywords: "",
      body:
        type === "link"
          ? null
          : type === "raw"
            ? `<html><body><h1>${name}</h1></body></html>`
            : `<p>${sentence(rand, 2)}</p>`,
    };
    if (type === "raw") page.content_type = "text/html";
    if (type === "contact_form") {
      page.email = "hello@example.com";
      page.contact_fields = "fullname,phone,companyname,orderno,rma";
    }
    if (type === "link") page.link = "https://example.com/lookbook";
    pages.push(page);
  }
  const templates: WidgetTemplate[] = [];
  for (let i = 0; i < sizes.widget_templates; i++) {
    const created = iso(now - int(rand, 30, 300) * DAY);
    templates.push({
      uuid: uuid(rand),
      name: ["Hero banner", "Promo strip", "Testimonials", "Image grid"][i % 4] + (i >= 4 ? ` ${i + 1}` : ""),
      schema: [
        {
          type: "tab",
          label: "Content",
          sections: [
            {
              label: "Text",
              settings: [{ type: "input", label: "Heading", id: "heading", default: "Hello" }],
            },
          ],
        },
      ],
      template: '<div class="widget"><h2>{{heading}}</h2></div>',
      storefront_api_query: "",
      kind: "custom",
      date_created: created,
      date_modified: created,
      current_version_uuid: uuid(rand),
      icon_name: "default",
      channel_id: 1,
    });
  }
  const widgets: Widget[] = [];
  const placements: Placement[] = [];
  if (templates.length) {
    for (let i = 0; i < sizes.widgets; i++) {
      const template = templates[i % templates.length] as WidgetTemplate;
      const created = iso(now - int(rand, 1, 300) * DAY);
      const widget: Widget = {
        uuid: uuid(rand),
        name: `${template.name} ${i + 1}`,
        description: "",
        widget_configuration: {
          heading: pick(rand, ["Summer sale", "Nouveautés", "Bestsellers", "Free shipping over $100"]),
        },
        widget_template_uuid: template.uuid,
        date_created: created,
        date_modified: created,
        version_uuid: template.current_version_uuid,
        channel_id: 1,
      };
      widgets.push(widget);
      if (i % 2 === 0) {
        const onCategory = catalog.categoryIds.length > 0 && i % 4 === 2;
        placements.push({
          uuid: uuid(rand),
          widget_uuid: widget.uuid,
          template_file: onCategory ? "pages/category" : "pages/home",
          region: onCategory ? "category_below_header" : "home_below_menu",
          entity_id: onCategory ? String(pick(rand, catalog.categoryIds)) : "",
          sort_order: i,
          status: "active",
          channel_id: 1,
          date_created: created,
          date_modified: created,
        });
      }
    }
  }
  const scripts: Script[] = [];
  for (let i = 0; i < sizes.scripts; i++) {
    const created = iso(now - int(rand, 1, 300) * DAY);
    const src = i % 2 === 0;
    scripts.push({
      uuid: uuid(rand),
      name: ["Google Tag Manager", "Chat widget", "Reviews badge", "Heatmap"][i % 4] as string,
      description: "",
      html: src ? "" : "<script>window.dataLayer=window.dataLayer||[];</script>",
      src: src ? `https://cdn.example.com/script-${i + 1}.js` : "",
      auto_uninstall: false,
      load_method: "default",
      location: i % 2 === 0 ? "head" : "footer",
      visibility: "all_pages",
      kind: src ? "src" : "script_tag",
      // The seeded scripts were added by the merchant in the control panel, so no API client sees them.
      api_client_id: MERCHANT_SCRIPT_CLIENT,
      consent_category: "analytics",
      enabled: true,
      channel_id: 1,
      integrity_hashes: [],
      date_created: created,
      date_modified: created,
    });
  }
  const emailTemplates: EmailTemplate[] = EMAIL_TEMPLATE_NAMES.map((name) => defaultEmailTemplate(name, 0));
  const redirects: Redirect[] = [];
  for (let i = 0; i < sizes.redirects; i++) {
    const kind = i % 3;
    redirects.push({
      id: i + 1,
      site_id: siteId,
      from_path: `/old-path-${i + 1}/`,
      to:
        kind === 0
          ? { type: "url", url: `https://example.com/new-${i + 1}/` }
          : kind === 1 && catalog.categoryIds.length
            ? { type: "category", entity_id: pick(rand, catalog.categoryIds) }
            : catalog.variants.length
              ? { type: "product", entity_id: pick(rand, catalog.variants).product_id }
              : { type: "url", url: "https://example.com/" },
    });
  }
  return {
    blog_posts: blogPosts,
    pages,
    widget_templates: templates,
    widgets,
    placements,
    scripts,
    email_templates: emailTemplates,
    redirects,
  };
}

export function defaultEmailTemplate(name: EmailTemplateName, channelId: number): EmailTemplate {
  const title = name.replace(/_/g, " ").replace(/ email$/, "");
  return {
    type_id: name,
    channel_id: channelId,
    subject: `{{lang "${name}_subject"}} {{store.name}}`,
    body: `<!DOCTYPE html><html><body><h1>{{lang "${name}_heading"}}</h1><p>${title}</p></body></html>`,
    translations: [{ locale: "en", keys: { [`${name}_subject`]: title, [`${name}_heading`]: title } }],
  };
}

export function blogPostedDate(ms: number): string {
  return rfc2822(ms);
}
