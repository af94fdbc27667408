import { beforeAll, describe, expect, it } from "vitest";
import { type CatalogStore, catalogStore, createProduct } from "./support/catalog-fixture";
import { jobs, runBackup, versionsOf } from "./support/vault-fixture";

type ItemsPage = {
  type: {
    key: string;
    label: string;
    restoreMode: string;
    teamAssistedReason: string | null;
    summary: string[];
  };
  items: { id: string; name: string; deleted: boolean; deletedAt: number | null; lastChangedAt: number }[];
  total: number;
  page: number;
};

let store: CatalogStore;
const ids: Record<string, number> = {};

beforeAll(async () => {
  store = await catalogStore(21);
  for (const [name, sku] of [
    ["Trail Shoe", "TS-1"],
    ["Rain Jacket", "RJ-2"],
    ["Wool Cap", "WC-3"],
    ["Linen Scarf", "LS-4"],
  ]) {
    ids[sku] = await createProduct(store, name, sku);
  }
  await store.bc.post("/v3/customers", [{ email: "ana@example.com", first_name: "Ana", last_name: "Silva" }]);
  await runBackup(store.storeHash, ["products", "brands", "categories", "category_trees", "customers"]);
  // Later: one product renamed, one deleted, as the automatic sync records them.
  await store.bc.put(`/v3/catalog/products/${ids["RJ-2"]}`, { name: "Storm Shell" });
  await store.bc.del(`/v3/catalog/products/${ids["LS-4"]}`);
  await jobs(store.storeHash).captureRecords("products", [String(ids["RJ-2"]), String(ids["LS-4"])]);
});

const items = async (query: string) => {
  const res = await store.api(`/api/vault/types/products/items${query}`);
  expect(res.status).toBe(200);
  return res.json<ItemsPage>();
};

describe("Item Storage: one type's items", () => {
  it("lists every backed-up record, newest change first, deleted ones marked with their deletion date", async () => {
    const page = await items("");
    expect(page.type).toMatchObject({ key: "products", label: "Products", restoreMode: "automatic" });
    expect(page.type.summary).toContain("sku");
    expect(page.total).toBe(4);
    const changed = page.items.map((i) => i.lastChangedAt);
    expect(changed).toEqual([...changed].sort((a, b) => b - a));
    const deleted = page.items.find((i) => i.id === String(ids["LS-4"]));
    expect(deleted).toMatchObject({ name: "Linen Scarf", deleted: true });
    expect(deleted?.deletedAt).toBeGreaterThan(0);
    expect(page.items.filter((i) => i.deleted)).toHaveLength(1);
  });

  it("pages, sorts by name or oldest change, and filters deleted records", async () => {
    const first = await items("?pageSize=3&page=1&sort=name_asc");
    const second = await items("?pageSize=3&page=2&sort=name_asc");
    expect(first.items.map((i) => i.name)).toEqual(["Linen Scarf", "Storm Shell", "Trail Shoe"]);
    expect(second.items.map((i) => i.name)).toEqual(["Wool Cap"]);
    expect(first.total).toBe(4);
    const oldest = await items("?sort=changed_asc");
    const times = oldest.items.map((i) => i.lastChangedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(oldest.items.at(-1)?.id).toBe(String(ids["LS-4"]));
    expect((await items("?deleted=only")).items.map((i) => i.name)).toEqual(["Linen Scarf"]);
    expect((await items("?deleted=exclude")).total).toBe(3);
  });

  it("finds a record by name, SKU or id, and treats wildcards literally", async () => {
    expect((await items("?q=wool")).items.map((i) => i.name)).toEqual(["Wool Cap"]);
    expect((await items("?q=ts-1")).items.map((i) => i.name)).toEqual(["Trail Shoe"]);
    expect((await items(`?q=${ids["RJ-2"]}`)).items.map((i) => i.id)).toContain(String(ids["RJ-2"]));
    expect((await items("?q=%25")).total).toBe(0);
  });

  it("refuses bad input in the one error shape", async () => {
    const res = await store.api("/api/vault/types/products/items?pageSize=5000");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_input", field: "pageSize" } });
    expect((await store.api("/api/vault/types/spaceships/items")).status).toBe(404);
  });

  it("says which types are restored with the team's help", async () => {
    const res = await store.api("/api/vault/types/orders/items");
    const page = await res.json<ItemsPage>();
    expect(page.type.restoreMode).toBe("team_assisted");
    expect(page.type.teamAssistedReason).toMatch(/team/);
  });
});

describe("Search across every type", () => {
  it("finds records by email, by SKU, by an old name, and deleted ones", async () => {
    const search = async (q: string) => {
      const res = await store.api(`/api/vault/search?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return (
        await res.json<{
          items: { type: string; id: string; name: string; deleted: boolean; matchedOldVersion: boolean }[];
        }>()
      ).items;
    };
    expect(await search("ana@example")).toEqual([
      expect.objectContaining({ type: "customers", name: "ana@example.com" }),
    ]);
    expect((await search("WC-3")).map((h) => h.name)).toEqual(["Wool Cap"]);
    // Renamed since the backup: found by the name it had.
    expect(await search("rain jacket")).toEqual([
      expect.objectContaining({ id: String(ids["RJ-2"]), name: "Storm Shell", matchedOldVersion: true }),
    ]);
    expect(await search("linen")).toEqual([expect.objectContaining({ name: "Linen Scarf", deleted: true })]);
  });
});

describe("A record's versions and its live state", () => {
  it("lists every version with its date, change and source, and serves each body", async () => {
    const item = await versionsOf(store, "products", String(ids["RJ-2"]));
    expect(item.versions.map((v) => [v.change, v.source])).toEqual([
      ["updated", "webhook"],
      ["created", "backup"],
    ]);
    const [newest, oldest] = item.versions;
    const body = async (v: number) =>
      (
        await (
          await store.api(`/api/vault/items/products/${ids["RJ-2"]}/versions/${v}`)
        ).json<{ body: { name: string } }>()
      ).body;
    expect((await body(oldest.id)).name).toBe("Rain Jacket");
    expect((await body(newest.id)).name).toBe("Storm Shell");
    // Another record's version id is not this record's.
    const other = await versionsOf(store, "products", String(ids["TS-1"]));
    expect(
      (await store.api(`/api/vault/items/products/${ids["RJ-2"]}/versions/${other.versions[0].id}`)).status,
    ).toBe(404);
  });

  it("fetches the current version from the store, or says it was deleted", async () => {
    const live = await (await store.api(`/api/vault/items/products/${ids["TS-1"]}/live`)).json<{
      status: string;
      body: { sku: string };
    }>();
    expect(live).toMatchObject({ status: "live", body: { sku: "TS-1" } });
    await store.bc.put(`/v3/catalog/products/${ids["TS-1"]}`, { price: 66 });
    const fresh = await (await store.api(`/api/vault/items/products/${ids["TS-1"]}/live`)).json<{
      body: { price: number };
    }>();
    expect(fresh.body.price).toBe(66);
    const gone = await (await store.api(`/api/vault/items/products/${ids["LS-4"]}/live`)).json<{
      status: string;
      body: unknown;
    }>();
    expect(gone).toEqual(expect.objectContaining({ status: "deleted", body: null }));
  });

  it("documents every vault and restore route in /api/openapi.json", async () => {
    const doc = await (await store.api("/api/openapi.json")).json<{ paths: Record<string, unknown> }>();
    for (const path of [
      "/api/vault/types/{type}/items",
      "/api/vault/search",
      "/api/vault/items/{type}/{id}",
      "/api/vault/items/{type}/{id}/versions/{versionId}",
      "/api/vault/items/{type}/{id}/live",
      "/api/vault/items/{type}/{id}/restore",
      "/api/restores/{restoreId}",
      "/api/restores/{restoreId}/undo",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});
