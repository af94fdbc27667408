import { beforeAll, describe, expect, it } from "vitest";
import { type ContentType, contentTypes, getType, restoreOrder } from "../worker/bigcommerce/registry";
import { writeSpecOf } from "../worker/bigcommerce/write-spec";
import { type AppSession, installViaOAuth, sandbox } from "./support/install";
import { finishedRestore, restoreThrough, runBackup, storeApi, versionsOf } from "./support/vault-fixture";

/**
 * Every content type restored automatically, straight from the registry: a record the sandbox's
 * churn changed goes back to its backed-up fields, and a deleted record comes back. Types the
 * sandbox cannot churn or delete on its own are left to the product and customer tests.
 */

type Changes = Record<
  string,
  { created: (string | number)[]; updated: (string | number)[]; deleted: (string | number)[] }
>;
type Mutation = { changed: Changes; before: Record<string, Record<string, Record<string, unknown>>> };

/** The sandbox's resource for a registry type, where the names differ. */
const sandboxName: Record<string, string> = { widget_placements: "placements" };

const automatic = (contentTypes as readonly ContentType[]).filter(
  (t) =>
    t.restore.mode === "automatic" &&
    !t.parent &&
    t.list.paging !== "singletons" &&
    typeof t.idField === "string",
);

let session: AppSession & { sandboxToken: string };
let bc: ReturnType<typeof storeApi>;

beforeAll(async () => {
  session = await installViaOAuth("demo", 31);
  await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
    method: "PUT",
    json: { quota: "unlimited" },
  });
  bc = storeApi(session.storeHash, session.sandboxToken);
  await runBackup(
    session.storeHash,
    (contentTypes as readonly ContentType[]).map((t) => t.key),
  );
}, 180_000);

const mutate = (kind: "churn" | "delete", type: string) =>
  sandbox<Mutation>(`/__sandbox/stores/${session.storeHash}/mutate`, {
    method: "POST",
    json: { kind, type: sandboxName[type] ?? type, share: 0.00001, seed: 5 },
  });

/** The record as the sandbox holds it now (its export), by id field. */
async function exported(type: ContentType, id: string) {
  const ex = await bc.export();
  const rows = ex[sandboxName[type.key] ?? type.key] ?? [];
  return rows.find((r) => String(r[type.idField as string]) === id || String(r.id) === id);
}

describe.each(automatic.map((t) => [t.key, t] as const))("%s", (key, type) => {
  it("puts back a record the store changed", async (ctx) => {
    const res = await mutate("churn", key).catch(() => null);
    const changedIds = res?.changed[sandboxName[key] ?? key]?.updated ?? [];
    if (!res || changedIds.length === 0) return ctx.skip();
    const id = String(changedIds[0]);
    const before = res.before[sandboxName[key] ?? key]?.[id] ?? {};
    const { versions } = await versionsOf(session, key, id);
    const result = await restoreThrough(
      session,
      key,
      id,
      versions.find((v) => v.source === "backup")?.id ?? versions[0].id,
    );
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({ status: "done" });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    const now = await exported(type, id);
    for (const [field, value] of Object.entries(before)) expect(now?.[field], field).toEqual(value);
  });
});

type Row = Record<string, unknown>;
type Ex = Record<string, Row[]>;

/**
 * Types the sandbox's churn does not change, per-parent types and settings: the merchant's change made
 * through BigCommerce's API, and the record as the store's export shows it (what is compared, before
 * the change and after the restore). `id` is the vault's record id.
 */
type Edit = {
  pick: (ex: Ex) => { id: string; row: (ex: Ex) => unknown };
  change: (id: string) => Promise<unknown>;
};
const first = (ex: Ex, table: string, where: (r: Row) => boolean = () => true) => {
  const row = (ex[table] ?? []).find(where);
  if (!row) throw new Error(`the demo store has no ${table} row to change`);
  return row;
};
const rowWhere = (table: string, where: (r: Row) => boolean) => (ex: Ex) => (ex[table] ?? []).find(where);

const edits: Record<string, Edit> = {
  category_trees: {
    pick: (ex) => {
      const t = first(ex, "category_trees");
      return { id: String(t.id), row: rowWhere("category_trees", (r) => r.id === t.id) };
    },
    change: (id) => bc.put("/v3/catalog/trees", [{ id: Number(id), name: "Renamed tree", channels: [1] }]),
  },
  customer_attributes: {
    pick: (ex) => {
      const a = first(ex, "customer_attributes");
      return { id: String(a.id), row: rowWhere("customer_attributes", (r) => r.id === a.id) };
    },
    change: (id) => bc.put("/v3/customers/attributes", [{ id: Number(id), name: "Renamed attribute" }]),
  },
  wishlists: {
    // Items cannot be updated, only added and removed: one removed, the list renamed.
    pick: (ex) => {
      const w = first(ex, "wishlists", (r) => ((r.items as unknown[]) ?? []).length > 1);
      const items = (r: Row | undefined) =>
        r && {
          ...r,
          token: undefined,
          items: ((r.items as Row[]) ?? []).map((i) => `${i.product_id}/${i.variant_id}`).sort(),
        };
      return { id: String(w.id), row: (ex) => items(rowWhere("wishlists", (r) => r.id === w.id)(ex)) };
    },
    change: async (id) => {
      const w = (await bc.get<{ items: { id: number }[] }>(`/v3/wishlists/${id}`)) as {
        items: { id: number }[];
      };
      await bc.del(`/v3/wishlists/${id}/items/${w.items[0].id}`);
      await bc.put(`/v3/wishlists/${id}`, { name: "Renamed list" });
    },
  },
  inventory: {
    pick: (ex) => {
      const l = first(ex, "inventory_levels");
      return {
        id: String(l.variant_id),
        row: rowWhere(
          "inventory_levels",
          (r) => r.variant_id === l.variant_id && r.location_id === l.location_id,
        ),
      };
    },
    change: async (id) => {
      const [item] = await bc.get<{ locations: { location_id: number }[] }[]>(
        `/v3/inventory/items?variant_id:in=${id}`,
      );
      await bc.put("/v3/inventory/adjustments/absolute", {
        reason: "Miscount",
        items: [{ location_id: item.locations[0].location_id, variant_id: Number(id), quantity: 9999 }],
      });
    },
  },
  sites: {
    pick: (ex) => {
      const site = first(ex, "sites");
      return { id: String(site.id), row: rowWhere("sites", (r) => r.id === site.id) };
    },
    change: (id) => bc.put(`/v3/sites/${id}`, { url: "https://wrong.example.com" }),
  },
  email_templates: {
    pick: (ex) => {
      const t = first(ex, "email_templates");
      return { id: String(t.type_id), row: rowWhere("email_templates", (r) => r.type_id === t.type_id) };
    },
    change: (id) =>
      bc.put(`/v3/marketing/email-templates/${id}`, {
        subject: "Oops",
        body: "<p>broken</p>",
        translations: [],
      }),
  },
  widget_templates: {
    pick: (ex) => {
      const t = first(ex, "widget_templates");
      return { id: String(t.uuid), row: rowWhere("widget_templates", (r) => r.uuid === t.uuid) };
    },
    change: (id) => bc.put(`/v3/content/widget-templates/${id}`, { name: "Renamed template" }),
  },
  widget_placements: {
    pick: (ex) => {
      const p = first(ex, "placements");
      return { id: String(p.uuid), row: rowWhere("placements", (r) => r.uuid === p.uuid) };
    },
    change: (id) => bc.put(`/v3/content/placements/${id}`, { sort_order: 7, status: "inactive" }),
  },
  redirects: {
    pick: (ex) => {
      const r0 = first(ex, "redirects");
      return { id: String(r0.id), row: rowWhere("redirects", (r) => r.id === r0.id) };
    },
    change: async (id) => {
      const [r] = (await bc.get<Row[]>(`/v3/storefront/redirects?id:in=${id}`)) as Row[];
      await bc.put("/v3/storefront/redirects", [
        {
          site_id: r.site_id,
          from_path: r.from_path,
          to: { type: "url", url: "https://wrong.example.com/" },
        },
      ]);
    },
  },
  price_list_records: {
    pick: (ex) => {
      const r0 = first(ex, "price_list_records");
      const same = (r: Row) =>
        r.price_list_id === r0.price_list_id && r.variant_id === r0.variant_id && r.currency === r0.currency;
      return {
        id: `${r0.price_list_id}:${r0.variant_id}:${r0.currency}`,
        row: rowWhere("price_list_records", same),
      };
    },
    change: (id) => {
      const [list, variant, currency] = id.split(":");
      return bc.put(`/v3/pricelists/${list}/records`, [
        { variant_id: Number(variant), currency, price: 1.23, sale_price: 1 },
      ]);
    },
  },
  site_routes: {
    pick: (ex) => {
      const r0 = first(ex, "site_routes");
      const site = first(ex, "sites");
      const siteId = r0.site_id ?? site.id;
      return { id: `${siteId}:${r0.id}`, row: rowWhere("site_routes", (r) => r.id === r0.id) };
    },
    change: (id) => {
      const [site, route] = id.split(":");
      return bc.put(`/v3/sites/${site}/routes/${route}`, { route: "/wrong/{slug}/" });
    },
  },
  store_settings: {
    pick: () => ({
      id: "catalog",
      row: rowWhere("store_settings", (r) => r.path === "catalog" && r.channel_id === 0),
    }),
    change: () =>
      bc.put("/v3/settings/catalog", { auto_approve_reviews: true, enable_product_comparisons: false }),
  },
};

/**
 * Types whose records cannot change in place at BigCommerce (no update endpoint): a "changed" record
 * never exists there, so their re-create below is what restores them.
 */
const createOnly = (contentTypes as readonly ContentType[])
  .filter((t) => t.restore.mode === "automatic" && !t.restore.update)
  .map((t) => t.key);

/** Server-assigned fields: what a store assigns, not what a merchant sets. */
const serverAssigned = (type: ContentType) =>
  new Set([
    ...type.readOnly,
    ...(writeSpecOf(type.key).derived ?? []),
    "date_modified",
    "updated_at",
    "date_created",
    "created_at",
    "created",
  ]);
const comparable = (type: ContentType, row: unknown) => {
  if (!row || typeof row !== "object") return row;
  const skip = serverAssigned(type);
  return Object.fromEntries(Object.entries(row as Row).filter(([k]) => !skip.has(k) && k !== "_key"));
};

describe("every restorable type has a single-record restore test", () => {
  it("is changed by the sandbox's churn, by an edit below, or cannot change in place", async () => {
    const churned = new Set(automatic.map((t) => t.key));
    const restorable = (contentTypes as readonly ContentType[]).filter((t) => t.restore.mode === "automatic");
    const uncovered = restorable
      .map((t) => t.key)
      .filter((k) => !edits[k] && !createOnly.includes(k) && !churned.has(k));
    expect(uncovered).toEqual([]);
  });
});

describe.each(Object.keys(edits).map((k) => [k, getType(k)] as const))("%s", (key, type) => {
  it("puts back a record changed through BigCommerce's API, equal to the version but for server-assigned fields", async () => {
    const { id, row } = edits[key].pick(await bc.export());
    const before = comparable(type, row(await bc.export()));
    expect(before, "the record is in the store's export").toBeTruthy();
    await edits[key].change(id);
    expect(comparable(type, row(await bc.export())), "the edit changed the record").not.toEqual(before);
    const { versions } = await versionsOf(session, key, id);
    const version = versions.find((v) => v.source === "backup") ?? versions[0];
    const result = await restoreThrough(session, key, id, version.id);
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({
      status: "done",
      action: "update",
    });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    expect(comparable(type, row(await bc.export()))).toEqual(before);
  });
});

/** Per-parent records deleted through BigCommerce's API (the sandbox's mutate deletes top-level records only). */
const parentDeletes: Record<
  string,
  {
    /** The export row of the vault record `parent:own`. */
    rowOf: (ex: Ex, parent: string, own: string) => Row | undefined;
    del: (parent: string, own: string) => Promise<unknown>;
  }
> = {
  price_list_records: {
    rowOf: (ex, list, own) =>
      (ex.price_list_records ?? []).find(
        (r) => String(r.price_list_id) === list && `${r.variant_id}:${r.currency}` === own,
      ),
    del: (list, own) => bc.del(`/v3/pricelists/${list}/records/${own.replace(":", "/")}`),
  },
  promotion_codes: {
    rowOf: (ex, _promotion, own) => (ex.promotion_codes ?? []).find((r) => String(r.id) === own),
    del: (promotion, own) => bc.del(`/v3/promotions/${promotion}/codes/${own}`),
  },
  site_routes: {
    rowOf: (ex, _site, own) => (ex.site_routes ?? []).find((r) => String(r.id) === own),
    del: (site, own) => bc.del(`/v3/sites/${site}/routes/${own}`),
  },
};

/** A per-parent record the vault holds (ids are `parent:own`). */
async function vaultRecord(type: string, q = ""): Promise<[string, string]> {
  const res = await session.api(`/api/vault/types/${type}/items?pageSize=1&q=${encodeURIComponent(q)}`);
  const { items } = await res.json<{ items: { id: string }[] }>();
  if (!items[0]) throw new Error(`the demo store's backup holds no ${type}`);
  const i = items[0].id.indexOf(":");
  return [items[0].id.slice(0, i), items[0].id.slice(i + 1)];
}

describe.each(Object.keys(parentDeletes).map((k) => [k, getType(k)] as const))("%s", (key, type) => {
  it("re-creates a deleted record under its parent, equal to the version but for server-assigned fields", async () => {
    const d = parentDeletes[key];
    // A product route (the sandbox refuses to create the empty `matching` its login/search routes carry).
    const [parent, own] = await vaultRecord(key, key === "site_routes" ? "product" : "");
    const id = `${parent}:${own}`;
    const row = d.rowOf(await bc.export(), parent, own);
    if (!row) throw new Error(`${key} ${id} is not in the store's export`);
    const { versions } = await versionsOf(session, key, id);
    await d.del(parent, own);
    expect(d.rowOf(await bc.export(), parent, own), "deleted").toBeUndefined();
    const result = await restoreThrough(
      session,
      key,
      id,
      (versions.find((v) => v.source === "backup") ?? versions[0]).id,
    );
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({
      status: "done",
      action: "create",
    });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    // Where it lives now: under the same parent, with the id BigCommerce gave it (the same for price records).
    const now = result.items[0].newId ?? id;
    const back = d.rowOf(await bc.export(), parent, now.slice(now.indexOf(":") + 1));
    const { id: _old, ...want } = comparable(type, row) as Row;
    expect(back && comparable(type, back)).toMatchObject(want);

    // Undo deletes what the restore re-created.
    const undo = await session.api(`/api/restores/${result.restore.id}/undo`, { method: "POST" });
    expect(undo.status).toBe(202);
    const undone = await finishedRestore(session, (await undo.json<{ restoreId: string }>()).restoreId);
    expect(undone.items[0], JSON.stringify(undone.items[0])).toMatchObject({
      action: "delete",
      status: "done",
    });
    expect(d.rowOf(await bc.export(), parent, now.slice(now.indexOf(":") + 1))).toBeUndefined();
  });
});

describe("types BigCommerce cannot restore faithfully", () => {
  const teamAssisted = (contentTypes as readonly ContentType[]).filter(
    (t) => t.restore.mode === "team_assisted",
  );

  it.each(teamAssisted.map((t) => [t.key, t] as const))(
    "%s: the item page offers no restore, and the API refuses one with the reason",
    async (key, type) => {
      const list = await session.api(`/api/vault/types/${key}/items?pageSize=1`);
      const page = await list.json<{
        type: { restoreMode: string; teamAssistedReason: string | null };
        items: { id: string }[];
      }>();
      expect(page.type.restoreMode).toBe("team_assisted");
      expect(page.type.teamAssistedReason).toBe(
        type.restore.mode === "team_assisted" ? type.restore.reason : "",
      );
      // BigCommerce shows an app only its own scripts: the demo store's backup may hold none.
      if (page.items.length === 0) return;
      const id = page.items[0].id;
      const { versions } = await versionsOf(session, key, id);
      const res = await session.api(`/api/vault/items/${key}/${encodeURIComponent(id)}/restore`, {
        method: "POST",
        json: { versionId: versions[0].id },
      });
      expect(res.status).toBe(422);
      const body = await res.json<{ error: { message: string } }>();
      expect(body.error.message).toContain(type.restore.mode === "team_assisted" ? type.restore.reason : "");
      expect(body.error.message).toMatch(/Download the version's JSON/);
    },
  );

  it("store information (read-only through the API) shows no restore button and is refused with the reason", async () => {
    const page = await (await session.api("/api/vault/items/store_settings/store_information")).json<{
      type: { restoreMode: string; teamAssistedReason: string };
    }>();
    expect(page.type).toMatchObject({
      restoreMode: "team_assisted",
      teamAssistedReason: expect.stringMatching(/read-only/),
    });
    const { versions } = await versionsOf(session, "store_settings", "store_information");
    const res = await session.api("/api/vault/items/store_settings/store_information/restore", {
      method: "POST",
      json: { versionId: versions[0].id },
    });
    expect(res.status).toBe(422);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/read-only/);
  });
});

// Deletions cascade in the store (a tree takes its categories along), so dependents go first.
const deletionOrder = restoreOrder(automatic.map((t) => t.key)).reverse();

describe.each(deletionOrder.map((k) => [k, getType(k)] as const))("%s", (key) => {
  it("re-creates a deleted record", async (ctx) => {
    const res = await mutate("delete", key).catch(() => null);
    const deleted = res?.changed[sandboxName[key] ?? key]?.deleted ?? [];
    if (!res || deleted.length === 0) return ctx.skip();
    // A deletion cascades to dependents first: the last record deleted is the one the others hang from.
    const id = String(deleted.at(-1));
    const { versions } = await versionsOf(session, key, id).catch(() => ({
      versions: [] as { id: number; source: string }[],
    }));
    if (versions.length === 0) return ctx.skip();
    const version = versions.find((v) => v.source === "backup") ?? versions[0];
    const result = await restoreThrough(session, key, id, version.id);
    expect(result.items[0], JSON.stringify(result.items[0])).toMatchObject({
      status: "done",
      action: "create",
    });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    expect(Number(result.items[0].newId) || result.items[0].newId).toBeTruthy();
  });
});
