import {
  defineResource,
  type RouteApi,
  readBody,
  requireScope,
  resolveParent,
  respond,
  serialize,
  tableOf,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, isoDate, notFound, parseDateParam, rfc2822 } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";
import type { ResourceModule } from "./module.ts";

/**
 * Promotions and their coupon codes (promotions.v3.yml); legacy coupons, gift certificates and banners
 * (marketing.v2.yml). None of these has webhooks in BigCommerce.
 */

const SCOPE = "store_v2_marketing";

function codeTaken(ctx: Ctx, code: string, selfPromotionCode?: number): boolean {
  const upper = code.toUpperCase();
  const inPromotions = ctx.store
    .table("promotion_codes")
    .all()
    .some((c) => c.id !== selfPromotionCode && String(c.code).toUpperCase() === upper);
  return (
    inPromotions ||
    ctx.store
      .table("coupons")
      .all()
      .some((c) => String(c.code).toUpperCase() === upper)
  );
}

export const promotions = defineResource({
  name: "promotions",
  version: "v3",
  path: "/promotions",
  scope: SCOPE,
  ops: ["list", "get", "create", "update", "delete", "batchDelete"],
  createStatus: 201,
  defaults: {
    redemption_type: "AUTOMATIC",
    name: "",
    display_name: "",
    channels: [],
    customer: { group_ids: [], minimum_order_count: 0, excluded_group_ids: [] },
    rules: [],
    current_uses: 0,
    max_uses: null,
    status: "ENABLED",
    start_date: "",
    end_date: null,
    stop: false,
    can_be_used_with_other_promotions: false,
    currency_code: "USD",
    notifications: [],
    created_from: "api",
  },
  types: {
    max_uses: "number",
    end_date: "string",
    rules: "array",
    channels: "array",
    notifications: "array",
  },
  readOnly: ["current_uses", "created_from"],
  embedded: [
    "coupon_overrides_other_promotions",
    "coupon_overrides_automatic_when_offering_higher_discounts",
    "coupon_type",
    "shipping_address",
    "schedule",
  ],
  required: ["name", "redemption_type", "rules"],
  enums: { redemption_type: ["AUTOMATIC", "COUPON"], status: ["ENABLED", "DISABLED", "INVALID"] },
  filters: ["name", "currency_code", "status", "redemption_type"],
  customFilters: {
    redemption_type: (rec, value) => rec.redemption_type === value.toUpperCase(),
    code: (rec, value, ctx) =>
      ctx.store
        .table("promotion_codes")
        .by("promotion_id", rec.id)
        .some((c) => String(c.code).toUpperCase() === value.toUpperCase()),
    channels: (rec, value) =>
      value.split(",").some((id) => rec.channels.some((c: Rec) => String(c.id) === id)),
    query: (rec, value) => String(rec.name).toLowerCase().includes(value.toLowerCase()),
  },
  sortable: ["id", "name", "start_date"],
  validate: (input) => {
    if (input.rules !== undefined && (!Array.isArray(input.rules) || input.rules.length === 0)) {
      return { rules: "At least one rule is required" };
    }
    if (
      Array.isArray(input.rules) &&
      input.rules.some((r: Rec) => !r || typeof r !== "object" || !r.action)
    ) {
      return { rules: "Each rule needs an action" };
    }
    for (const f of ["start_date", "end_date"]) {
      if (typeof input[f] === "string" && Number.isNaN(parseDateParam(input[f])))
        return { [f]: "must be an ISO 8601 date" };
    }
    return undefined;
  },
  build: (rec, input, ctx, existing) => {
    if (!rec.start_date) rec.start_date = isoDate(ctx.now);
    if (existing) rec.redemption_type = existing.redemption_type;
    if (rec.redemption_type === "COUPON") {
      rec.coupon_overrides_other_promotions = Boolean(
        input.coupon_overrides_other_promotions ?? existing?.coupon_overrides_other_promotions ?? false,
      );
      rec.coupon_overrides_automatic_when_offering_higher_discounts = Boolean(
        input.coupon_overrides_automatic_when_offering_higher_discounts ??
          existing?.coupon_overrides_automatic_when_offering_higher_discounts ??
          false,
      );
      rec.coupon_type = input.coupon_type ?? existing?.coupon_type ?? "SINGLE";
    }
    for (const f of ["shipping_address", "schedule"]) {
      if (input[f] !== undefined) rec[f] = input[f];
    }
  },
  serialize: (out, ctx) => {
    if (out.max_uses === null) delete out.max_uses;
    if (out.end_date === null) delete out.end_date;
    if (out.redemption_type === "COUPON") {
      const codes = ctx.store.table("promotion_codes").by("promotion_id", out.id);
      out.multiple_codes = { has_multiple_codes: codes.length > 1 };
    }
    return out;
  },
  onDelete: (rec, ctx) => {
    const t = ctx.store.table("promotion_codes");
    for (const c of t.by("promotion_id", rec.id)) t.delete(c.id);
  },
  churn: (rec) => ({ status: rec.status === "ENABLED" ? "DISABLED" : "ENABLED" }),
});

export const promotionCodes = defineResource({
  name: "promotion_codes",
  version: "v3",
  path: "/promotions/:promotion_id{[0-9]+}/codes",
  parent: {
    param: "promotion_id",
    field: "promotion_id",
    collection: "promotions",
    notFound: "Promotion not found.",
  },
  scope: SCOPE,
  ops: ["list", "create", "batchDelete"],
  cursor: true,
  createStatus: 201,
  defaults: { code: "", current_uses: 0, max_uses: 0, max_uses_per_customer: 0, created: "" },
  readOnly: ["current_uses", "created"],
  required: ["code"],
  filters: ["code"],
  dates: { created: "created" },
  validate: (input, ctx) => {
    if (ctx.parent && ctx.parent.redemption_type !== "COUPON") {
      throw new ApiError(422, "Codes can only be added to coupon promotions");
    }
    const code = String(input.code ?? "");
    if (code.length > 50 || !/^[\w-]+$/u.test(code))
      return { code: "code must be up to 50 letters, digits, - or _" };
    if (codeTaken(ctx, code)) throw new ApiError(409, `The coupon code ${code} is already in use`);
    return undefined;
  },
  serialize: (out) => {
    delete out.promotion_id;
    return out;
  },
});

export const coupons = defineResource({
  name: "coupons",
  version: "v2",
  path: "/coupons",
  scope: SCOPE,
  defaults: {
    name: "",
    type: "per_item_discount",
    amount: "0.0000",
    min_purchase: "0.0000",
    expires: "",
    enabled: true,
    code: "",
    applies_to: { entity: "categories", ids: [0] },
    num_uses: 0,
    max_uses: 0,
    max_uses_per_customer: 0,
    restricted_to: {},
    shipping_methods: [],
    date_created: "",
  },
  types: { amount: "string", min_purchase: "string", shipping_methods: "array" },
  readOnly: ["num_uses", "date_created"],
  required: ["name", "code", "type", "amount", "applies_to"],
  enums: {
    type: [
      "per_item_discount",
      "per_total_discount",
      "shipping_discount",
      "free_shipping",
      "percentage_discount",
      "promotion",
    ],
  },
  filters: ["code", "name", "type"],
  customFilters: { exclude_type: (rec, value) => rec.type !== value },
  dates: { created: "date_created" },
  unique: [
    { fields: ["code"], title: "The coupon code is already in use" },
    { fields: ["name"], title: "The coupon name is already in use" },
  ],
  validate: (input, ctx) => {
    const errors: Record<string, string> = {};
    const applies = input.applies_to as Rec | undefined;
    if (
      applies !== undefined &&
      (typeof applies !== "object" ||
        !["categories", "products"].includes(applies.entity) ||
        !Array.isArray(applies.ids))
    ) {
      errors.applies_to = "applies_to needs entity (categories or products) and ids";
    }
    if (
      typeof input.code === "string" &&
      ctx.store
        .table("promotion_codes")
        .all()
        .some((c) => c.code.toUpperCase() === String(input.code).toUpperCase())
    ) {
      throw new ApiError(409, "The coupon code is already in use");
    }
    if (
      input.expires !== undefined &&
      input.expires !== "" &&
      Number.isNaN(parseDateParam(String(input.expires)))
    ) {
      errors.expires = "expires must be an RFC 2822 date";
    }
    return Object.keys(errors).length ? errors : undefined;
  },
  build: (rec) => {
    for (const f of ["amount", "min_purchase"]) rec[f] = Number(rec[f]).toFixed(4);
    if (rec.expires) rec.expires = rfc2822(parseDateParam(String(rec.expires)));
  },
  churn: (rec) => ({ enabled: !rec.enabled }),
});

export const giftCertificates = defineResource({
  name: "gift_certificates",
  version: "v2",
  path: "/gift_certificates",
  scope: SCOPE,
  defaults: {
    customer_id: 0,
    order_id: 0,
    code: "",
    amount: "0.0000",
    balance: "",
    status: "active",
    template: "general.html",
    message: "",
    to_name: "",
    to_email: "",
    from_name: "",
    from_email: "",
    purchase_date: "",
    expiry_date: "",
    currency_code: "USD",
  },
  types: { amount: "string", balance: "string" },
  readOnly: ["order_id"],
  required: ["to_name", "to_email", "from_name", "from_email", "amount"],
  enums: {
    status: ["active", "pending", "disabled", "expired"],
    template: [
      "birthday.html",
      "girl.html",
      "boy.html",
      "celebration.html",
      "christmas.html",
      "general.html",
    ],
  },
  filters: ["code", "order_id", "to_name", "to_email", "from_name", "from_email", "customer_id"],
  sortable: ["id"],
  unique: [{ fields: ["code"], title: "The gift certificate code is already in use" }],
  validate: (input) => {
    if (input.amount !== undefined && !(Number(input.amount) > 0))
      return { amount: "amount must be greater than 0" };
    for (const f of ["purchase_date", "expiry_date"]) {
      if (input[f] && Number.isNaN(parseDateParam(String(input[f]))))
        return { [f]: "must be an RFC 2822 date" };
    }
    return undefined;
  },
  build: (rec, input, ctx, existing) => {
    rec.amount = Number(rec.amount).toFixed(4);
    rec.balance = rec.balance === "" ? rec.amount : Number(rec.balance).toFixed(4);
    if (!existing && !rec.code) {
      const r = ctx.store.rng;
      const part = () =>
        Array.from({ length: 3 }, () => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[r.int(0, 31)]).join("");
      rec.code = `${part()}-${part()}-${part()}-${part()}`;
    }
    if (!existing && !input.purchase_date) rec.purchase_date = rfc2822(ctx.now);
    for (const f of ["purchase_date", "expiry_date"])
      if (input[f]) rec[f] = rfc2822(parseDateParam(String(input[f])));
  },
  churn: (rec) => ({ balance: Math.max(0, Number(rec.balance) - 5).toFixed(4) }),
});

export const banners = defineResource({
  name: "banners",
  version: "v2",
  path: "/banners",
  scope: SCOPE,
  defaults: {
    name: "",
    content: "",
    page: "home_page",
    location: "top",
    date_type: "always",
    date_from: "0",
    date_to: "0",
    visible: "1",
    item_id: "0",
    date_created: "",
  },
  types: { date_from: "string", date_to: "string", visible: "string", item_id: "string" },
  readOnly: ["date_created"],
  required: ["name", "content", "page", "location", "date_type"],
  enums: {
    page: ["home_page", "category_page", "brand_page", "search_page"],
    location: ["top", "bottom"],
    date_type: ["always", "custom"],
  },
  // `page` is the page number here, as on every v2 list (marketing.v2.yml), not the banner's `page` field.
  filters: ["name", "location"],
  build: (rec, _input, ctx) => {
    // date_created is a unix timestamp string in BigCommerce's banner responses.
    if (!rec.date_created) rec.date_created = String(Math.floor(ctx.now / 1000));
    for (const f of ["date_from", "date_to", "visible", "item_id"]) rec[f] = String(rec[f]);
  },
  churn: (rec) => ({ visible: rec.visible === "1" ? "0" : "1" }),
});

function marketingRoutes(api: RouteApi): void {
  api.on("POST", "v3", "/promotions/:promotion_id{[0-9]+}/codegen", async (c, ctx) => {
    requireScope(ctx, promotionCodes, true);
    resolveParent(promotionCodes, ctx);
    const promotion = ctx.parent as Rec;
    if (promotion.redemption_type !== "COUPON")
      throw new ApiError(422, "Codes can only be generated for coupon promotions");
    const body = ((await readBody(c)) ?? {}) as Rec;
    const size = Number(body.batch_size);
    if (!Number.isInteger(size) || size < 1) throw invalid({ batch_size: "batch_size is required" });
    if (size > 250)
      throw new ApiError(413, "The request payload is too large. The maximum batch_size is 250.");
    const length = Number(body.code_length ?? 16);
    if (!Number.isInteger(length) || length < 6 || length > 16)
      throw invalid({ code_length: "code_length must be between 6 and 16" });
    const delimiter = String(body.delimiter ?? "-");
    const excluded = new Set(
      ((body.exclude_characters as string[] | undefined) ?? []).map((s) => s.toUpperCase()),
    );
    const alphabet = [..."ABCDEFGHJKLMNPQRSTUVWXYZ23456789"].filter((ch) => !excluded.has(ch));
    const t = tableOf(promotionCodes, ctx);
    const out: Rec[] = [];
    while (out.length < size) {
      let random = "";
      for (let i = 0; i < length; i++) random += alphabet[ctx.store.rng.int(0, alphabet.length - 1)];
      const code = [body.prefix, random, body.suffix].filter(Boolean).join(delimiter);
      if (codeTaken(ctx, code)) continue;
      const rec = {
        id: ctx.store.nextId("promotion_codes"),
        promotion_id: promotion.id,
        code,
        current_uses: 0,
        max_uses: Number(body.max_uses ?? 0),
        max_uses_per_customer: Number(body.max_uses_per_customer ?? 0),
        created: isoDate(ctx.now),
        _created: ctx.now,
        _modified: ctx.now,
      };
      t.insert(rec);
      out.push({ code });
    }
    return respond(promotionCodes, 201, {
      data: {
        created: isoDate(ctx.now),
        max_uses: Number(body.max_uses ?? 0),
        max_uses_per_customer: Number(body.max_uses_per_customer ?? 0),
        batch_size: size,
        codes: out,
      },
      meta: {},
    });
  });
  api.on("DELETE", "v3", "/promotions/:promotion_id{[0-9]+}/codes/:code_id{[0-9]+}", (_c, ctx) => {
    requireScope(ctx, promotionCodes, true);
    resolveParent(promotionCodes, ctx);
    const t = tableOf(promotionCodes, ctx);
    const rec = t.get(Number(ctx.params.code_id));
    if (!rec || rec.promotion_id !== ctx.parent?.id) throw notFound("Coupon code not found.");
    t.delete(rec.id);
    return respond(promotionCodes, 204, null);
  });
  api.on("GET", "v3", "/promotions/codes", (_c, ctx) => {
    requireScope(ctx, promotionCodes, false);
    const rows = tableOf(promotionCodes, ctx).all();
    const limit = Math.min(250, Number(ctx.query.get("limit") ?? 50) || 50);
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const slice = rows.slice((page - 1) * limit, page * limit);
    const totalPages = Math.ceil(rows.length / limit);
    return respond(promotionCodes, 200, {
      data: slice.map((r) => ({ ...serialize(promotionCodes, r, ctx), promotion_id: r.promotion_id })),
      meta: {
        pagination: {
          total: rows.length,
          count: slice.length,
          per_page: limit,
          current_page: page,
          total_pages: totalPages,
          links: {},
        },
      },
    });
  });
}

export const marketingModule: ResourceModule = {
  name: "marketing",
  resources: [promotions, promotionCodes, coupons, giftCertificates, banners],
  routes: marketingRoutes,
};
