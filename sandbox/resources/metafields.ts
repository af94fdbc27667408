import {
  createRecord,
  defineResource,
  deleteRecord,
  findRecord,
  type ResourceDef,
  type RouteApi,
  readBody,
  requireScope,
  serialize,
  updateRecord,
} from "../engine/collection.ts";
import type { Ctx } from "../engine/context.ts";
import { ApiError, invalid, jsonResponse } from "../engine/http.ts";
import type { Rec } from "../engine/table.ts";

export interface MetafieldSpec {
  /** Resource name of the per-owner endpoint, e.g. "product_metafields"; the store-wide one gets "_batch". */
  name: string;
  /** Owner's path with its param, e.g. "/catalog/products/:product_id". */
  ownerPath: string;
  ownerParam: string;
  /** Owner's collection, e.g. "products". */
  ownerCollection: string;
  /** Store-wide batch path, e.g. "/catalog/products/metafields". */
  batchPath: string;
  /** `resource_type` value: product, variant, category, brand, customer, order... */
  resourceType: string;
  scope: string | { read: string[]; write: string[] };
  /** Webhook scope prefix, e.g. "store/product/metafield" (omit when BigCommerce has none). */
  webhookScope?: string;
  /** Max items per batch write (UNCONFIRMED in BigCommerce's docs). */
  maxBatch?: number;
}

/** `app_only` metafields are private to the app that wrote them unless the token has store_metafield_write_all. */
function canSee(rec: Rec, ctx: Ctx): boolean {
  const g = ctx.grant;
  if (g.scopes === "all" || g.scopes.has("store_metafield_write_all")) return true;
  return rec.permission_set !== "app_only" || rec.owner_client_id === g.clientId;
}

function ownerOnlyChange(
  input: Rec,
  existing: Rec | undefined,
  ctx: Ctx,
): Record<string, string> | undefined {
  if (!existing) return undefined;
  const g = ctx.grant;
  const privileged = g.scopes === "all" || g.scopes.has("store_metafield_write_all");
  if (privileged || existing.owner_client_id === g.clientId) return undefined;
  if (existing.permission_set === "read" || existing.permission_set === "read_and_sf_access") {
    throw new ApiError(403, "This metafield is read-only for your app");
  }
  for (const f of ["namespace", "key", "permission_set"]) {
    if (input[f] !== undefined && input[f] !== existing[f])
      return { [f]: "Only the owning app may change this field" };
  }
  return undefined;
}

/** The per-owner metafield resource and the store-wide batch resource of one owner type. */
export function metafieldResources(spec: MetafieldSpec): {
  perOwner: ResourceDef;
  batch: ResourceDef;
  routes: (api: RouteApi) => void;
} {
  const common = {
    version: "v3" as const,
    lean: true,
    scope: spec.scope,
    collection: spec.name,
    cursor: true,
    defaults: {
      namespace: "",
      key: "",
      value: "",
      permission_set: "app_only",
      description: "",
      resource_type: spec.resourceType,
      resource_id: 0,
      owner_client_id: "",
    },
    readOnly: ["resource_type", "owner_client_id"],
    required: ["namespace", "key", "value", "permission_set"],
    enums: { permission_set: ["app_only", "read", "write", "read_and_sf_access", "write_and_sf_access"] },
    filters: ["key", "namespace", "resource_id"],
    // BigCommerce's metafield lists take `direction` (asc|desc) and no `sort`: they are ordered by id.
    directionSort: "id",
    indexes: ["resource_id"],
    dates: { created: "date_created", modified: "date_modified" },
    visible: canSee,
    validate: (input: Rec, ctx: Ctx, existing?: Rec) => {
      const e: Record<string, string> = { ...(ownerOnlyChange(input, existing, ctx) ?? {}) };
      if (typeof input.key === "string" && (input.key.length < 1 || input.key.length > 64))
        e.key = "error.length (1-64)";
      if (
        typeof input.namespace === "string" &&
        (input.namespace.length < 1 || input.namespace.length > 64)
      ) {
        e.namespace = "error.length (1-64)";
      }
      if (typeof input.value === "string" && input.value.length > 65535) e.value = "error.maxLength (65535)";
      return e;
    },
    build: (rec: Rec, _input: Rec, ctx: Ctx, existing?: Rec) => {
      if (!existing) rec.owner_client_id = ctx.grant.clientId;
      const owner = ctx.store.table(spec.ownerCollection).get(rec.resource_id);
      if (!owner) throw invalid({ resource_id: `The ${spec.resourceType} does not exist` });
      const clash = ctx.store
        .table(spec.name)
        .by("resource_id", rec.resource_id)
        .find(
          (m) =>
            m.id !== rec.id &&
            m.namespace === rec.namespace &&
            m.key === rec.key &&
            m.owner_client_id === rec.owner_client_id,
        );
      if (clash) {
        throw new ApiError(409, "A metafield with this namespace and key already exists for this resource", {
          key: rec.key,
          namespace: rec.namespace,
        });
      }
      if (!existing && ctx.store.table(spec.name).by("resource_id", rec.resource_id).length >= 250) {
        throw invalid({ resource_id: "A resource can have at most 250 metafields per app" });
      }
    },
    webhooks: spec.webhookScope
      ? { scope: spec.webhookScope, type: "metafield", data: (r: Rec) => ({ resource_id: r.resource_id }) }
      : undefined,
  };

  const perOwner = defineResource({
    ...common,
    name: spec.name,
    path: `${spec.ownerPath}/metafields`,
    parent: {
      param: spec.ownerParam,
      field: "resource_id",
      collection: spec.ownerCollection,
      notFound: "The resource was not found",
    },
    readOnly: [...common.readOnly, "resource_id"],
  });

  const batch = defineResource({
    ...common,
    name: `${spec.name}_batch`,
    path: spec.batchPath,
    ops: ["list"],
    noExport: true,
  });

  const max = spec.maxBatch ?? 50;
  /** Batch writes: 200 `{data, errors: [], meta}`; with failures 422 with the successes and errors. */
  const batchWrite = async (ctx: Ctx, body: unknown, each: (item: Rec) => Rec | number) => {
    requireScope(ctx, batch, true);
    if (!Array.isArray(body)) throw invalid({ body: "error.expected.jsarray" });
    if (body.length > max)
      throw new ApiError(
        413,
        `The request payload is too large. The maximum items allowed in the array is ${max}.`,
      );
    const data: unknown[] = [];
    const errors: Rec[] = [];
    for (const item of body) {
      try {
        const r = each(item as Rec);
        data.push(typeof r === "number" ? r : serialize(batch, r, ctx));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        errors.push({ status: e.status, title: e.title, type: e.v3Body().type, errors: e.errors });
      }
    }
    const meta = { total: body.length, success: data.length, failed: errors.length };
    return jsonResponse(errors.length ? 422 : 200, { data, errors, meta });
  };

  const routes = (api: RouteApi) => {
    api.on("POST", "v3", spec.batchPath, async (c, ctx) =>
      batchWrite(ctx, await readBody(c), (item) => {
        const owner = ctx.store.table(spec.ownerCollection).get(Number(item?.resource_id));
        if (!owner) throw invalid({ resource_id: `The ${spec.resourceType} does not exist` });
        return createRecord(batch, item, ctx);
      }),
    );
    api.on("PUT", "v3", spec.batchPath, async (c, ctx) =>
      batchWrite(ctx, await readBody(c), (item) => {
        if (item?.id === undefined) throw invalid({ id: "error.path.missing" });
        return updateRecord(batch, findRecord(batch, ctx, String(item.id)), item, ctx);
      }),
    );
    api.on("DELETE", "v3", spec.batchPath, async (c, ctx) =>
      batchWrite(ctx, await readBody(c), (id) => {
        const rec = findRecord(batch, ctx, String(id));
        deleteRecord(batch, rec, ctx);
        return rec.id;
      }),
    );
  };

  return { perOwner, batch, routes };
}
