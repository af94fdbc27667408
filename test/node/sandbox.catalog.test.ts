import { describe, expect, it } from "vitest";
import { sandboxStore } from "./support/sandbox-client.ts";

const newProduct = (over: Record<string, unknown> = {}) => ({
  name: `Test Lantern ${Math.random().toString(36).slice(2, 8)}`,
  type: "physical",
  weight: 1.5,
  price: 24.5,
  ...over,
});

describe("sandbox catalog: products", () => {
  it("pages v3 lists with meta.pagination and refuses a limit above 250 with 413", async () => {
    const { api } = await sandboxStore("demo");
    const p1 = await api("GET", "/v3/catalog/products?limit=20&page=2");
    expect(p1.status).toBe(200);
    expect(p1.body.data).toHaveLength(20);
    expect(p1.body.meta.pagination).toMatchObject({
      total: 50,
      count: 20,
      per_page: 20,
      current_page: 2,
      total_pages: 3,
    });
    expect(p1.body.meta.pagination.links.next).toContain("page=3");
    expect(p1.body.data[0].id).toBe(21);
    const last = await api("GET", "/v3/catalog/products?limit=20&page=3");
    expect(last.body.data).toHaveLength(10);
    expect(last.body.meta.pagination.links.next).toBeUndefined();
    const big = await api("GET", "/v3/catalog/products?limit=251");
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ status: 413, type: expect.any(String), title: expect.any(String) });
  });

  it("caps pages at 10 products when options or modifiers are included", async () => {
    const { api } = await sandboxStore("demo");
    const res = await api("GET", "/v3/catalog/products?limit=250&include=variants,options,modifiers");
    expect(res.body.data).toHaveLength(10);
    expect(res.body.meta.pagination).toMatchObject({ per_page: 10, total: 50, total_pages: 5 });
    const withOptions = res.body.data.filter((p: { options: unknown[] }) => p.options.length);
    for (const p of withOptions) {
      expect(p.variants.length).toBeGreaterThan(1);
      expect(p.base_variant_id).toBeNull();
      for (const v of p.variants) expect(v.option_values.length).toBeGreaterThan(0);
    }
    const plain = await api("GET", "/v3/catalog/products?limit=250&include=variants,images");
    expect(plain.body.data).toHaveLength(50);
  });

  it("creates a product with embedded variants, images, custom fields, bulk pricing and videos", async () => {
    const { api } = await sandboxStore("empty");
    const res = await api("POST", "/v3/catalog/products", {
      ...newProduct({ name: "Lantern Ærø", sku: "LAN-1", sale_price: 20 }),
      variants: [
        { sku: "LAN-1-S", option_values: [{ option_display_name: "Size", label: "Small" }] },
        { sku: "LAN-1-L", price: 30, option_values: [{ option_display_name: "Size", label: "Large" }] },
      ],
      images: [{ image_url: "https://cdn.example.com/lantern.jpg", is_thumbnail: true }],
      custom_fields: [{ name: "Origin", value: "Norway" }],
      bulk_pricing_rules: [{ quantity_min: 5, quantity_max: 10, type: "percent", amount: 5 }],
      videos: [{ video_id: "abc123", type: "youtube" }],
      id: 999,
      calculated_price: 1,
      date_created: "2000-01-01T00:00:00+00:00",
    });
    expect(res.status).toBe(200);
    const p = res.body.data;
    expect(p.id).not.toBe(999);
    expect(p.calculated_price).toBe(20);
    expect(p.date_created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(p.custom_url).toEqual({ url: expect.stringMatching(/^\/lantern-[^/]*\/$/), is_customized: false });
    const full = await api(
      "GET",
      `/v3/catalog/products/${p.id}?include=variants,images,custom_fields,bulk_pricing_rules,videos,options,primary_image`,
    );
    const d = full.body.data;
    expect(d.variants.map((v: { sku: string }) => v.sku)).toEqual(["LAN-1-S", "LAN-1-L"]);
    expect(d.variants[1].calculated_price).toBe(20);
    expect(d.options).toHaveLength(1);
    expect(d.options[0].option_values.map((v: { label: string }) => v.label)).toEqual(["Small", "Large"]);
    expect(d.images[0].image_url).toBe("https://cdn.example.com/lantern.jpg");
    expect(d.primary_image.id).toBe(d.images[0].id);
    expect(d.custom_fields).toEqual([{ id: expect.any(Number), name: "Origin", value: "Norway" }]);
    expect(d.bulk_pricing_rules[0]).toMatchObject({ quantity_min: 5, type: "percent", amount: 5 });
    expect(d.videos[0].video_id).toBe("abc123");
  });

  it("answers 409 on a duplicate name or SKU (variant SKUs included) and 422 on invalid data", async () => {
    const { api } = await sandboxStore("demo");
    const existing = (await api("GET", "/v3/catalog/products/1?include=variants")).body.data;
    const dupName = await api("POST", "/v3/catalog/products", newProduct({ name: existing.name }));
    expect(dupName.status).toBe(409);
    expect(dupName.body).toMatchObject({ status: 409, title: expect.stringContaining("duplicate") });
    const dupSku = await api("POST", "/v3/catalog/products", newProduct({ sku: existing.variants[0].sku }));
    expect(dupSku.status).toBe(409);
    const missing = await api("POST", "/v3/catalog/products", { name: "No price" });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toMatchObject({
      price: "error.path.missing",
      weight: "error.path.missing",
      type: "error.path.missing",
    });
    const wrongType = await api("POST", "/v3/catalog/products", newProduct({ price: "cheap" }));
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors.price).toBe("error.expected.jsnumber");
    const badEnum = await api("POST", "/v3/catalog/products", newProduct({ type: "service" }));
    expect(badEnum.status).toBe(422);
    const notFound = await api("GET", "/v3/catalog/products/999999");
    expect(notFound.status).toBe(404);
    expect(notFound.body.status).toBe(404);
  });

  it("batch-updates up to 10 products, 413 beyond, 207 on partial success", async () => {
    const { api } = await sandboxStore("demo");
    const ok = await api("PUT", "/v3/catalog/products", [
      { id: 1, price: 11 },
      { id: 2, price: 12 },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.data.map((p: { price: number }) => p.price)).toEqual([11, 12]);
    const tooMany = await api(
      "PUT",
      "/v3/catalog/products",
      Array.from({ length: 11 }, (_, i) => ({ id: i + 1, price: 1 })),
    );
    expect(tooMany.status).toBe(413);
    const partial = await api("PUT", "/v3/catalog/products", [
      { id: 3, price: 13 },
      { id: 4, price: -5 },
    ]);
    expect(partial.status).toBe(207);
    expect(partial.body.data).toHaveLength(1);
    expect(partial.body.errors[0].status).toBe(422);
    expect((await api("GET", "/v3/catalog/products/3")).body.data.price).toBe(13);
    expect((await api("GET", "/v3/catalog/products/4")).body.data.price).not.toBe(-5);
  });

  it("moves date_modified on update, filters by date_modified:min, id:in and include_fields", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const { api } = await sandboxStore("demo", { now: () => now });
    now += 60_000;
    const before = (await api("GET", "/v3/catalog/products/5")).body.data;
    await api("PUT", "/v3/catalog/products/5", {
      description: "<p>new</p>",
      date_modified: "1999-01-01T00:00:00+00:00",
    });
    const after = (await api("GET", "/v3/catalog/products/5")).body.data;
    expect(after.date_modified).toBe("2026-01-01T00:01:00+00:00");
    expect(after.date_modified).not.toBe(before.date_modified);
    const changed = await api(
      "GET",
      `/v3/catalog/products?date_modified:min=${encodeURIComponent("2026-01-01T00:00:30+00:00")}`,
    );
    expect(changed.body.data.map((p: { id: number }) => p.id)).toEqual([5]);
    const some = await api("GET", "/v3/catalog/products?id:in=3,7,9&include_fields=name,price");
    expect(some.body.data.map((p: { id: number }) => p.id)).toEqual([3, 7, 9]);
    expect(Object.keys(some.body.data[0]).sort()).toEqual(["id", "name", "price"]);
    const excluded = await api("GET", "/v3/catalog/products/3?exclude_fields=description");
    expect(excluded.body.data.description).toBeUndefined();
    expect(excluded.body.data.name).toBeDefined();
  });

  it("deletes by id:in, taking the product's variants, images and options with it", async () => {
    const { api, admin } = await sandboxStore("demo");
    const variants = (await api("GET", "/v3/catalog/variants?product_id:in=1,2&limit=250")).body.data;
    expect(variants.length).toBeGreaterThan(0);
    const del = await api("DELETE", "/v3/catalog/products?id:in=1,2");
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await api("GET", "/v3/catalog/products/1")).status).toBe(404);
    expect((await api("GET", "/v3/catalog/products/1/images")).status).toBe(404);
    expect((await api("GET", "/v3/catalog/variants?product_id:in=1,2")).body.data).toEqual([]);
    const exp = (await admin("GET", `/stores/${(await api("GET", "/v2/store")).body.id}/export`)).body;
    expect(exp.product_images.some((i: { product_id: number }) => i.product_id === 1)).toBe(false);
    const unfiltered = await api("DELETE", "/v3/catalog/products");
    expect(unfiltered.status).toBe(422);
  });

  it("serves variants store-wide with batch PUT up to 50 and keeps SKUs unique", async () => {
    const { api } = await sandboxStore("demo");
    const list = (await api("GET", "/v3/catalog/variants?limit=3")).body.data;
    const res = await api("PUT", "/v3/catalog/variants", [
      { id: list[0].id, inventory_level: 7 },
      { id: list[1].id, sku: list[2].sku },
    ]);
    expect(res.status).toBe(207);
    expect(res.body.errors[0].status).toBe(409);
    expect(
      (await api("GET", `/v3/catalog/products/${list[0].product_id}/variants/${list[0].id}`)).body.data
        .inventory_level,
    ).toBe(7);
    const tooMany = await api(
      "PUT",
      "/v3/catalog/variants",
      Array.from({ length: 51 }, () => ({ id: list[0].id })),
    );
    expect(tooMany.status).toBe(413);
  });
});

describe("sandbox catalog: brands, categories, trees, metafields", () => {
  it("keeps brand names unique and clears brand_id on products when a brand is deleted", async () => {
    const { api } = await sandboxStore("demo");
    const brand = (await api("GET", "/v3/catalog/brands?limit=1")).body.data[0];
    expect((await api("POST", "/v3/catalog/brands", { name: brand.name })).status).toBe(409);
    const owned = (await api("GET", `/v3/catalog/products?brand_id=${brand.id}`)).body.data;
    expect(owned.length).toBeGreaterThan(0);
    expect((await api("DELETE", `/v3/catalog/brands/${brand.id}`)).status).toBe(204);
    const p = (await api("GET", `/v3/catalog/products/${owned[0].id}`)).body.data;
    expect(p.brand_id).toBe(0);
  });

  it("creates categories in both APIs; children need an existing parent; nested tree view", async () => {
    const { api } = await sandboxStore("empty");
    const root = (await api("POST", "/v3/catalog/categories", { parent_id: 0, name: "Kitchen" })).body.data;
    const child = await api("POST", "/v3/catalog/trees/categories", [{ name: "Knives", parent_id: root.id }]);
    expect(child.status).toBe(200);
    expect(child.body.data[0]).toMatchObject({
      category_id: expect.any(Number),
      tree_id: 1,
      parent_id: root.id,
      url: { path: "/kitchen/knives/" },
    });
    expect((await api("POST", "/v3/catalog/categories", { parent_id: 9999, name: "Orphan" })).status).toBe(
      422,
    );
    expect((await api("POST", "/v3/catalog/categories", { parent_id: 0, name: "kitchen" })).status).toBe(409);
    const tree = (await api("GET", "/v3/catalog/trees/1/categories")).body.data;
    expect(tree[0]).toMatchObject({
      name: "Kitchen",
      depth: 1,
      children: [{ name: "Knives", depth: 2, path: [root.id] }],
    });
  });

  it("refuses to bulk-delete a category that holds products, and unassigns it on single delete", async () => {
    const { api } = await sandboxStore("demo");
    const p = (await api("GET", "/v3/catalog/products/1")).body.data;
    const cat = p.categories[0];
    expect((await api("DELETE", `/v3/catalog/categories?id:in=${cat}`)).status).toBe(422);
    expect((await api("DELETE", `/v3/catalog/categories/${cat}`)).status).toBe(204);
    expect((await api("GET", "/v3/catalog/products/1")).body.data.categories).not.toContain(cat);
  });

  it("serves product metafields per product and store-wide with cursor paging", async () => {
    const { api } = await sandboxStore("demo");
    const created = await api("POST", "/v3/catalog/products/metafields", [
      { resource_id: 1, namespace: "sb", key: "a", value: "1", permission_set: "read" },
      { resource_id: 2, namespace: "sb", key: "a", value: "2", permission_set: "app_only" },
      { resource_id: 999999, namespace: "sb", key: "a", value: "3", permission_set: "read" },
    ]);
    expect(created.status).toBe(422);
    expect(created.body.meta).toEqual({ total: 3, success: 2, failed: 1 });
    const per = await api("GET", "/v3/catalog/products/1/metafields");
    expect(per.body.data.find((m: { key: string }) => m.key === "a")).toMatchObject({
      resource_id: 1,
      resource_type: "product",
      value: "1",
    });
    const dup = await api("POST", "/v3/catalog/products/1/metafields", {
      namespace: "sb",
      key: "a",
      value: "x",
      permission_set: "read",
    });
    expect(dup.status).toBe(409);
    const page1 = await api("GET", "/v3/catalog/products/metafields?limit=1&after=");
    expect(page1.status).toBe(422);
    const first = await api("GET", "/v3/catalog/products/metafields?limit=1");
    const cursor = first.body.meta.cursor_pagination.end_cursor;
    const next = await api("GET", `/v3/catalog/products/metafields?limit=1&after=${cursor}`);
    expect(next.body.data[0].id).toBeGreaterThan(first.body.data[0].id);
    expect(next.body.meta.cursor_pagination).toMatchObject({ count: 1, per_page: 1 });
    // `direction=desc` (no `sort` on metafield lists): the newest first, with the list's total.
    const all = (await api("GET", "/v3/catalog/products/metafields?limit=250")).body;
    const newest = await api("GET", "/v3/catalog/products/metafields?limit=1&direction=desc");
    expect(newest.body.data[0].id).toBe(Math.max(...all.data.map((m: { id: number }) => m.id)));
    expect(newest.body.meta.pagination.total).toBe(all.meta.pagination.total);
  });
});

describe("sandbox catalog: product pages with includes stay current", () => {
  const INCLUDE = "include=variants,images,custom_fields,bulk_pricing_rules,videos,primary_image";

  it("shows every kind of edit on the next listing, the same as a single GET", async () => {
    const { api } = await sandboxStore("demo");
    const before = (await api("GET", `/v3/catalog/products?limit=250&${INCLUDE}`)).body.data;
    const product = before.find(
      (p: { variants: unknown[]; images: unknown[]; custom_fields: unknown[] }) =>
        p.variants.length > 1 && p.images.length > 1 && p.custom_fields.length,
    );
    const [variant] = product.variants;
    const category = (await api("GET", "/v3/catalog/categories?limit=250")).body.data.find(
      (c: { id: number }) => !product.categories.includes(c.id),
    );
    // Edits made in place on stored records (inventory, category assignment) and through the generic engine.
    expect(
      (
        await api("POST", "/v3/inventory/adjustments/relative", {
          items: [{ location_id: 1, variant_id: variant.id, quantity: 37 }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api("PUT", "/v3/catalog/products/category-assignments", [
          { product_id: product.id, category_id: category.id },
        ])
      ).status,
    ).toBe(204);
    const field = product.custom_fields[0];
    await api("PUT", `/v3/catalog/products/${product.id}/custom-fields/${field.id}`, { value: "Changed ✓" });
    const dropped = product.images[1];
    await api("DELETE", `/v3/catalog/products/${product.id}/images/${dropped.id}`);
    await api("PUT", `/v3/catalog/products/${product.id}`, { name: `${product.name} (renamed)` });

    const after = (await api("GET", `/v3/catalog/products?limit=250&${INCLUDE}`)).body.data;
    const listed = after.find((p: { id: number }) => p.id === product.id);
    expect(listed.name).toBe(`${product.name} (renamed)`);
    expect(listed.categories).toContain(category.id);
    const stock = (await api("GET", `/v3/inventory/items?variant_id:in=${variant.id}`)).body.data[0];
    const onHand = stock.locations.reduce(
      (n: number, l: { total_inventory_onhand: number }) => n + l.total_inventory_onhand,
      0,
    );
    expect(listed.variants[0].inventory_level).toBe(variant.inventory_level + 37);
    expect(listed.variants[0].inventory_level).toBe(onHand);
    expect(listed.custom_fields.find((f: { id: number }) => f.id === field.id).value).toBe("Changed ✓");
    expect(listed.images.map((i: { id: number }) => i.id)).not.toContain(dropped.id);
    const single = (await api("GET", `/v3/catalog/products/${product.id}?${INCLUDE}`)).body.data;
    expect(listed).toEqual(single);
    // Untouched products read the same as before.
    const other = before.find((p: { id: number }) => p.id !== product.id);
    expect(after.find((p: { id: number }) => p.id === other.id)).toEqual(other);
  });
});

describe("sandbox catalog: image files", () => {
  it("serves generated image URLs as distinct JPEGs and keeps uploaded product images", async () => {
    const { api, sandbox, hash, token } = await sandboxStore("demo");
    const images = (await api("GET", "/v3/catalog/products/1/images")).body.data;
    const a = await sandbox.fetch(new Request(images[0].image_url));
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("image/jpeg");
    const bytesA = new Uint8Array(await a.arrayBuffer());
    expect([bytesA[0], bytesA[1]]).toEqual([0xff, 0xd8]);
    const other = (await api("GET", "/v3/catalog/products/2/images")).body.data[0];
    const bytesB = new Uint8Array(await (await sandbox.fetch(new Request(other.image_url))).arrayBuffer());
    expect(Buffer.from(bytesB).equals(Buffer.from(bytesA))).toBe(false);

    const form = new FormData();
    const upload = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    form.set("image_file", new File([upload], "lamp.jpg", { type: "image/jpeg" }));
    form.set("is_thumbnail", "true");
    const res = await sandbox.fetch(
      new Request(`http://sandbox.test/stores/${hash}/v3/catalog/products/1/images`, {
        method: "POST",
        headers: { "x-auth-token": token },
        body: form,
      }),
    );
    expect(res.status).toBe(200);
    const img = (await res.json()).data;
    expect(img).toMatchObject({
      product_id: 1,
      is_thumbnail: true,
      image_url: expect.stringContaining(`/__sandbox/cdn/${hash}/products/1/`),
    });
    const back = new Uint8Array(await (await sandbox.fetch(new Request(img.image_url))).arrayBuffer());
    expect(Array.from(back)).toEqual(Array.from(upload));
    const thumbs = (await api("GET", "/v3/catalog/products/1/images")).body.data.filter(
      (i: { is_thumbnail: boolean }) => i.is_thumbnail,
    );
    expect(thumbs.map((i: { id: number }) => i.id)).toEqual([img.id]);
  });
});
