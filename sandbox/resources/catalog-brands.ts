import { loseWithRecord } from "../cdn.ts";
import {
  defineResource,
  findRecord,
  type RouteApi,
  requireScope,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { invalid, jsonResponse } from "../engine/http.ts";
import { storeUpload } from "./catalog-variants.ts";

const SCOPE = "store_v2_products";

/** Brands: no webhooks in BigCommerce; deleting one clears `brand_id` on its products. */
export const brands = defineResource({
  name: "brands",
  version: "v3",
  path: "/catalog/brands",
  scope: SCOPE,
  ops: ["list", "get", "create", "update", "delete", "batchDelete"],
  defaults: {
    name: "",
    page_title: "",
    meta_keywords: [],
    meta_description: "",
    search_keywords: "",
    image_url: "",
    custom_url: { url: "", is_customized: false },
  },
  required: ["name"],
  unique: [{ fields: ["name"], title: "Brand name is a duplicate" }],
  filters: ["name", "page_title"],
  validate: (input) =>
    typeof input.name === "string" && (input.name.length < 1 || input.name.length > 255)
      ? { name: "error.length (1-255)" }
      : undefined,
  build: (rec) => {
    if (!rec.custom_url?.url) {
      rec.custom_url = {
        url: `/brands/${String(rec.name)
          .normalize("NFKD")
          .replace(/[^\w\s-]/g, "")
          .trim()
          .replace(/\s+/g, "-")}.html`,
        is_customized: false,
      };
    }
  },
  onDelete: (rec, ctx) => {
    loseWithRecord(ctx.store, [rec.image_url]);
    for (const p of ctx.store.table("products").by("brand_id", rec.id))
      ctx.store.table("products").replace({ ...p, brand_id: 0 });
  },
  churn: (rec, rng) => ({
    meta_description: `${rec.name}: ${rng.pick(["new season", "bestsellers", "since 1998"])}`,
  }),
});

/** `POST/DELETE /catalog/{brands|categories}/{id}/image`: multipart `image_file`; served from the sandbox CDN path. */
export function imageRoutes(api: RouteApi, kind: "brands" | "categories"): void {
  const path = `/catalog/${kind}/:id{[0-9]+}/image`;
  const def = () => (kind === "brands" ? brands : undefined);
  api.on("POST", "v3", path, async (c, ctx: Ctx) => {
    const resource = def() ?? ctx.state.resources.get("categories");
    if (!resource) throw new Error("categories not registered");
    requireScope(ctx, resource, true);
    const rec = findRecord(resource, ctx, ctx.params.id);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const file = (form as Record<string, unknown>).image_file;
    if (!(file instanceof File)) throw invalid({ image_file: "error.path.missing" });
    const url = await storeUpload(ctx, new URL(c.req.url).origin, `${kind}/${rec.id}`, file);
    updateRecord(resource, rec, { image_url: url }, ctx);
    return jsonResponse(200, { data: { image_url: url }, meta: {} });
  });
  api.on("DELETE", "v3", path, (_c, ctx) => {
    const resource = def() ?? ctx.state.resources.get("categories");
    if (!resource) throw new Error("categories not registered");
    requireScope(ctx, resource, true);
    const rec = findRecord(resource, ctx, ctx.params.id);
    loseWithRecord(ctx.store, [rec.image_url]);
    updateRecord(resource, rec, { image_url: "" }, ctx);
    return jsonResponse(204, null);
  });
}
