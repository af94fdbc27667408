import { describe, expect, it } from "vitest";
import { catalogStore, createProduct, customerState, productState } from "./support/catalog-fixture";
import { loadAs, sandbox } from "./support/install";
import {
  finishedRestore,
  jobs,
  restoreThrough,
  runBackup,
  versionsOf,
  waitForJob,
} from "./support/vault-fixture";

const CATALOG = ["products", "brands", "categories", "category_trees"];

describe("Restore to this version: products", () => {
  it("brings a product changed in name, price, variants, images and custom fields back to the version, and undo returns to the changed state", async () => {
    const store = await catalogStore(11);
    const { bc } = store;
    const id = await createProduct(store, "Trail Shoe", "TS-1");
    await runBackup(store.storeHash, CATALOG);
    const expected = productState(await bc.export(), id);
    const { versions } = await versionsOf(store, "products", String(id));

    // The merchant's mistakes: renamed, repriced, a variant gone, another added, a price changed, images and fields edited.
    await bc.put(`/v3/catalog/products/${id}`, { name: "Trail Shoe OLD", price: 12.5 });
    const variants = await bc.get<{ id: number; sku: string }[]>(`/v3/catalog/products/${id}/variants`);
    await bc.del(`/v3/catalog/products/${id}/variants/${variants.find((v) => v.sku === "TS-1-M")?.id}`);
    await bc.put(`/v3/catalog/products/${id}/variants/${variants.find((v) => v.sku === "TS-1-L")?.id}`, {
      price: 999,
    });
    const options = await bc.get<{ id: number; option_values: { id: number; label: string }[] }[]>(
      `/v3/catalog/products/${id}/options`,
    );
    const xl = (
      await bc.post<{ id: number }>(`/v3/catalog/products/${id}/options/${options[0].id}/values`, {
        label: "XL",
        sort_order: 3,
      })
    ).data;
    await bc.post(`/v3/catalog/products/${id}/variants`, {
      sku: "TS-1-XL",
      price: 90,
      option_values: [{ id: xl.id, option_id: options[0].id }],
    });
    const images = await bc.get<{ id: number; description: string }[]>(`/v3/catalog/products/${id}/images`);
    await bc.del(`/v3/catalog/products/${id}/images/${images.find((i) => i.description === "Side")?.id}`);
    await bc.put(`/v3/catalog/products/${id}/images/${images.find((i) => i.description === "Front")?.id}`, {
      description: "Blurry",
    });
    await bc.post(`/v3/catalog/products/${id}/images`, { image_url: "https://cdn.example.com/wrong.jpg" });
    const fields = await bc.get<{ id: number; name: string }[]>(`/v3/catalog/products/${id}/custom-fields`);
    await bc.put(
      `/v3/catalog/products/${id}/custom-fields/${fields.find((f) => f.name === "Material")?.id}`,
      { value: "Plastic" },
    );
    await bc.del(`/v3/catalog/products/${id}/custom-fields/${fields.find((f) => f.name === "Origin")?.id}`);
    await bc.post(`/v3/catalog/products/${id}/custom-fields`, { name: "Promo", value: "50% off" });
    const changed = productState(await bc.export(), id);
    expect(changed).not.toEqual(expected);

    const result = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(result.restore.status).toBe("done");
    expect(result.items[0]).toMatchObject({ action: "update", status: "done", newId: null });
    expect(result.items[0].message).not.toMatch(/did not accept/);
    expect(productState(await bc.export(), id)).toEqual(expected);

    // The item page shows the restore, and the state before it was kept as a version.
    const page = await versionsOf(store, "products", String(id));
    // Who, when, which record, from which version, with what result.
    expect(page.history[0]).toMatchObject({
      restoreId: result.restore.id,
      kind: "single",
      status: "done",
      action: "update",
      createdBy: expect.stringContaining("@"),
      createdAt: expect.any(Number),
      fromVersionId: versions[0].id,
      message: expect.stringMatching(/^Restored\./),
    });
    expect(page.versions.map((v) => v.source)).toContain("before_restore");

    const undo = await store.api(`/api/restores/${result.restore.id}/undo`, { method: "POST" });
    expect(undo.status).toBe(202);
    const undone = await finishedRestore(store, (await undo.json<{ restoreId: string }>()).restoreId);
    expect(undone.restore).toMatchObject({ kind: "undo", status: "done" });
    expect(productState(await bc.export(), id)).toEqual(changed);
    const again = await store.api(`/api/restores/${result.restore.id}/undo`, { method: "POST" });
    expect(again.status).toBe(409);
  });

  it("re-creates a deleted product with its variants, options, images and category assignments, under a new id", async () => {
    const store = await catalogStore(12);
    const { bc } = store;
    const id = await createProduct(store, "Rain Jacket", "RJ-1");
    await runBackup(store.storeHash, CATALOG);
    const expected = productState(await bc.export(), id);
    const { versions } = await versionsOf(store, "products", String(id));
    await bc.del(`/v3/catalog/products/${id}`);

    const result = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "create", status: "done" });
    const newId = Number(result.items[0].newId);
    expect(newId).toBeGreaterThan(0);
    expect(newId).not.toBe(id);
    expect(result.items[0].message).toContain(String(newId));
    const ex = await bc.export();
    expect(productState(ex, newId)).toEqual(expected);
    expect([...((ex.products.find((p) => p.id === newId)?.categories as number[]) ?? [])].sort()).toEqual(
      [...store.categoryIds].sort(),
    );

    // The vault follows the record to its new id.
    expect((await versionsOf(store, "products", String(id))).currentId).toBe(String(newId));

    // Undo deletes what the restore re-created.
    const undo = await store.api(`/api/restores/${result.restore.id}/undo`, { method: "POST" });
    const undone = await finishedRestore(store, (await undo.json<{ restoreId: string }>()).restoreId);
    expect(undone.items[0]).toMatchObject({ action: "delete", status: "done" });
    expect((await bc.export()).products.find((p) => p.id === newId)).toBeUndefined();
  });

  it("puts back a product's modifiers (with their values), complex rules and metafields, after a change and after a deletion", async () => {
    const store = await catalogStore(22);
    const { bc } = store;
    const id = await createProduct(store, "Gift Box", "GB-1");
    await bc.post(`/v3/catalog/products/${id}/modifiers`, {
      display_name: "Gift wrap",
      type: "radio_buttons",
      required: false,
      option_values: [
        { label: "Paper", sort_order: 0, is_default: true },
        { label: "Fabric", sort_order: 1 },
      ],
    });
    await bc.post(`/v3/catalog/products/${id}/metafields`, {
      namespace: "shipping",
      key: "fragile",
      value: "yes",
      permission_set: "app_only",
    });
    const [wrap] = await bc.get<{ id: number; option_values: { id: number; label: string }[] }[]>(
      `/v3/catalog/products/${id}/modifiers`,
    );
    await bc.post(`/v3/catalog/products/${id}/complex-rules`, {
      sort_order: 0,
      price_adjuster: { adjuster: "relative", adjuster_value: 4.5 },
      conditions: [
        { modifier_id: wrap.id, modifier_value_id: wrap.option_values.find((v) => v.label === "Fabric")?.id },
      ],
    });
    await runBackup(store.storeHash, CATALOG);
    const expected = productState(await bc.export(), id);
    const modifiers = (ex: Record<string, Record<string, unknown>[]>, pid: number) =>
      (ex.product_modifiers ?? [])
        .filter((m) => m.product_id === pid)
        .map((m) => ({
          display_name: m.display_name,
          type: m.type,
          values: ((m.option_values as { label: string }[]) ?? []).map((v) => v.label).sort(),
        }));
    // A rule as the merchant reads it: which modifier value triggers which price change.
    const rules = (ex: Record<string, Record<string, unknown>[]>, pid: number) =>
      (ex.product_complex_rules ?? [])
        .filter((r) => r.product_id === pid)
        .map((r) => ({
          price_adjuster: r.price_adjuster,
          when: ((r.conditions as { modifier_id: number; modifier_value_id: number }[]) ?? []).map((c) => {
            const m = (ex.product_modifiers ?? []).find((x) => x.id === c.modifier_id) as
              | { display_name: string; option_values: { id: number; label: string }[] }
              | undefined;
            return `${m?.display_name}=${m?.option_values.find((v) => v.id === c.modifier_value_id)?.label}`;
          }),
        }));
    const expectedRules = rules(await bc.export(), id);
    expect(expectedRules).toEqual([
      { price_adjuster: { adjuster: "relative", adjuster_value: 4.5 }, when: ["Gift wrap=Fabric"] },
    ]);
    const expectedModifiers = modifiers(await bc.export(), id);
    expect(expectedModifiers).toEqual([
      { display_name: "Gift wrap", type: "radio_buttons", values: ["Fabric", "Paper"] },
    ]);
    const { versions } = await versionsOf(store, "products", String(id));

    const [modifier] = await bc.get<{ id: number; option_values: { id: number; label: string }[] }[]>(
      `/v3/catalog/products/${id}/modifiers`,
    );
    await bc.del(
      `/v3/catalog/products/${id}/modifiers/${modifier.id}/values/${modifier.option_values.find((v) => v.label === "Fabric")?.id}`,
    );
    const [metafield] = await bc.get<{ id: number }[]>(`/v3/catalog/products/${id}/metafields`);
    await bc.put(`/v3/catalog/products/${id}/metafields/${metafield.id}`, { value: "no" });
    const updated = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(updated.items[0]).toMatchObject({ status: "done", action: "update" });
    expect(updated.items[0].message).not.toMatch(/did not accept/);
    expect(modifiers(await bc.export(), id)).toEqual(expectedModifiers);
    expect(productState(await bc.export(), id)).toEqual(expected);

    await bc.del(`/v3/catalog/products/${id}`);
    const recreated = await restoreThrough(store, "products", String(id), versions[0].id);
    const newId = Number(recreated.items[0].newId);
    expect(recreated.items[0].message).not.toMatch(/did not accept/);
    const ex = await bc.export();
    expect(modifiers(ex, newId)).toEqual(expectedModifiers);
    expect(rules(ex, newId)).toEqual(expectedRules);
    expect(productState(ex, newId)).toEqual(expected);
  });

  it("puts back a product's reviews and variant metafields, after a change and after a deletion", async () => {
    const store = await catalogStore(23);
    const { bc } = store;
    const id = await createProduct(store, "Camp Stove", "CS-1");
    const review = (title: string, rating: number, status: string, email: string) =>
      bc.post(`/v3/catalog/products/${id}/reviews`, {
        title,
        text: `${title}, says ${email}`,
        status,
        rating,
        name: email.split("@")[0],
        email,
        date_reviewed: "2026-10-01T10:00:00+00:00",
      });
    await review("Boils fast", 5, "approved", "ana@example.com");
    await review("Too heavy", 2, "pending", "bo@example.com");
    const variantId = async (pid: number, sku: string) =>
      (await bc.get<{ id: number; sku: string }[]>(`/v3/catalog/products/${pid}/variants`)).find(
        (v) => v.sku === sku,
      )?.id;
    await bc.post(`/v3/catalog/products/${id}/variants/${await variantId(id, "CS-1-M")}/metafields`, {
      namespace: "warehouse",
      key: "bin",
      value: "A-12",
      permission_set: "app_only",
    });
    await runBackup(store.storeHash, CATALOG);
    // What a merchant sees of them: the reviews' words, stars and status; each variant's metafields by SKU.
    const extras = (ex: Record<string, Record<string, unknown>[]>, pid: number) => {
      const skuOf = new Map(
        (ex.product_variants ?? []).filter((v) => v.product_id === pid).map((v) => [v.id, v.sku]),
      );
      return {
        reviews: (ex.product_reviews ?? [])
          .filter((r) => r.product_id === pid)
          .map(({ title, text, status, rating, name, email, date_reviewed }) => ({
            title,
            text,
            status,
            rating,
            name,
            email,
            date_reviewed,
          }))
          .sort((a, b) => String(a.title).localeCompare(String(b.title))),
        variantMetafields: (ex.variant_metafields ?? [])
          .filter((m) => skuOf.has(m.resource_id))
          .map((m) => ({ sku: skuOf.get(m.resource_id), namespace: m.namespace, key: m.key, value: m.value }))
          .sort((a, b) => `${a.sku}${a.key}`.localeCompare(`${b.sku}${b.key}`)),
      };
    };
    const expected = extras(await bc.export(), id);
    expect(expected.reviews.map((r) => [r.title, r.rating, r.status])).toEqual([
      ["Boils fast", 5, "approved"],
      ["Too heavy", 2, "pending"],
    ]);
    expect(expected.variantMetafields).toEqual([
      { sku: "CS-1-M", namespace: "warehouse", key: "bin", value: "A-12" },
    ]);
    const { versions } = await versionsOf(store, "products", String(id));

    // A review removed, another re-rated, spam added; the metafield edited, another added to L.
    const reviews = await bc.get<{ id: number; title: string }[]>(`/v3/catalog/products/${id}/reviews`);
    await bc.del(`/v3/catalog/products/${id}/reviews/${reviews.find((r) => r.title === "Too heavy")?.id}`);
    await bc.put(`/v3/catalog/products/${id}/reviews/${reviews.find((r) => r.title === "Boils fast")?.id}`, {
      rating: 1,
    });
    await review("Buy cheap pills", 5, "approved", "spam@example.com");
    const m = await variantId(id, "CS-1-M");
    const [bin] = await bc.get<{ id: number }[]>(`/v3/catalog/products/${id}/variants/${m}/metafields`);
    await bc.put(`/v3/catalog/products/${id}/variants/${m}/metafields/${bin.id}`, { value: "Z-99" });
    await bc.post(`/v3/catalog/products/${id}/variants/${await variantId(id, "CS-1-L")}/metafields`, {
      namespace: "warehouse",
      key: "bin",
      value: "B-1",
      permission_set: "app_only",
    });
    expect(extras(await bc.export(), id)).not.toEqual(expected);

    const updated = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(updated.items[0]).toMatchObject({ status: "done", action: "update" });
    expect(updated.items[0].message).not.toMatch(/did not accept/);
    expect(extras(await bc.export(), id)).toEqual(expected);

    await bc.del(`/v3/catalog/products/${id}`);
    const recreated = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(recreated.items[0]).toMatchObject({ status: "done", action: "create" });
    expect(recreated.items[0].message).not.toMatch(/did not accept/);
    expect(extras(await bc.export(), Number(recreated.items[0].newId))).toEqual(expected);
  });

  it("re-creates a deleted category and re-links the products that were in it", async () => {
    const store = await catalogStore(13);
    const { bc } = store;
    const [shoes, sale] = store.categoryIds;
    const a = await createProduct(store, "Boot A", "BA-1", [shoes, sale]);
    const b = await createProduct(store, "Boot B", "BB-1", [sale]);
    const c = await createProduct(store, "Boot C", "BC-1", [shoes]);
    await runBackup(store.storeHash, CATALOG);
    const { versions } = await versionsOf(store, "categories", String(sale));
    await bc.del(`/v3/catalog/trees/categories?category_id:in=${sale}`);
    const afterDelete = await bc.export();
    expect(afterDelete.products.find((p) => p.id === a)?.categories).toEqual([shoes]);

    const result = await restoreThrough(store, "categories", String(sale), versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "create", status: "done" });
    const newSale = Number(result.items[0].newId);
    expect(result.items[0].message).toMatch(/2 products point to it again/);
    const ex = await bc.export();
    const category = ex.categories.find((x) => x.id === newSale || x.category_id === newSale);
    expect(category).toMatchObject({ name: "Sale" });
    const cats = (pid: number) =>
      [...((ex.products.find((p) => p.id === pid)?.categories as number[]) ?? [])].sort();
    expect(cats(a)).toEqual([shoes, newSale].sort());
    expect(cats(b)).toEqual([newSale]);
    expect(cats(c)).toEqual([shoes]);
  });

  it("re-creates a deleted subcategory under its re-created parent, and says to restore the parent first", async () => {
    const store = await catalogStore(19);
    const { bc } = store;
    const [parent] = (
      await bc.post<{ category_id: number }[]>("/v3/catalog/trees/categories", [
        { name: "Outdoor", parent_id: 0, tree_id: store.treeId },
      ])
    ).data;
    const [child] = (
      await bc.post<{ category_id: number }[]>("/v3/catalog/trees/categories", [
        { name: "Tents", parent_id: parent.category_id, tree_id: store.treeId },
      ])
    ).data;
    await runBackup(store.storeHash, CATALOG);
    const parentVersion = (await versionsOf(store, "categories", String(parent.category_id))).versions[0];
    const childVersion = (await versionsOf(store, "categories", String(child.category_id))).versions[0];
    // Deleting the parent takes the subcategory along; the next backup records both deletions.
    await bc.del(`/v3/catalog/trees/categories?category_id:in=${parent.category_id}`);
    await runBackup(store.storeHash, CATALOG);

    const first = await restoreThrough(store, "categories", String(child.category_id), childVersion.id);
    expect(first.items[0].status).toBe("error");
    expect(first.items[0].message).toMatch(/"Outdoor".*restore that category first/);

    const parentResult = await restoreThrough(
      store,
      "categories",
      String(parent.category_id),
      parentVersion.id,
    );
    const newParent = Number(parentResult.items[0].newId);
    const childResult = await restoreThrough(store, "categories", String(child.category_id), childVersion.id);
    expect(childResult.items[0]).toMatchObject({ status: "done", action: "create" });
    const ex = await bc.export();
    const tents = ex.categories.find((c) => c.id === Number(childResult.items[0].newId));
    expect(tents).toMatchObject({ name: "Tents", parent_id: newParent });
  });

  it("stops before writing anything when another product now holds the SKU", async () => {
    const store = await catalogStore(14);
    const { bc } = store;
    const id = await createProduct(store, "Sandal", "SD-1");
    await runBackup(store.storeHash, CATALOG);
    const { versions } = await versionsOf(store, "products", String(id));
    await bc.del(`/v3/catalog/products/${id}`);
    // Someone re-entered the product by hand: same variant SKU, different name.
    await createProduct(store, "Sandal (new)", "SD-2");
    const other = (await bc.get<{ id: number; sku: string }[]>("/v3/catalog/variants")).find(
      (v) => v.sku === "SD-2-S",
    );
    await bc.put(`/v3/catalog/variants`, [{ id: other?.id, sku: "SD-1-S" }]);
    const before = await bc.export();

    const result = await restoreThrough(store, "products", String(id), versions[0].id);
    expect(result.restore.status).toBe("fail");
    expect(result.items[0].status).toBe("error");
    expect(result.items[0].message).toMatch(/SKU "SD-1-S"/);
    expect(result.items[0].message).toMatch(/Nothing was changed|restore again/);
    const after = await bc.export();
    for (const table of [
      "products",
      "product_variants",
      "product_options",
      "product_images",
      "product_custom_fields",
    ]) {
      expect(after[table]?.length, table).toBe(before[table]?.length);
    }
    expect(after.products).toEqual(before.products);
  });
});

describe("Restore to this version: customers", () => {
  it("re-creates a deleted customer with addresses and attributes, and makes them choose a new password", async () => {
    const store = await catalogStore(15);
    const { bc } = store;
    const attribute = (
      await bc.post<{ id: number }[]>("/v3/customers/attributes", [{ name: "Shoe size", type: "string" }])
    ).data[0];
    const customer = (
      await bc.post<{ id: number }[]>("/v3/customers", [
        {
          email: "ana@example.com",
          first_name: "Ana",
          last_name: "Silva",
          company: "Trail Co",
          phone: "+351 555 0100",
          addresses: [
            {
              first_name: "Ana",
              last_name: "Silva",
              address1: "Rua A 1",
              city: "Porto",
              state_or_province: "Porto",
              postal_code: "4000",
              country_code: "PT",
              address_type: "residential",
            },
            {
              first_name: "Ana",
              last_name: "Silva",
              address1: "Rua B 2",
              city: "Lisboa",
              state_or_province: "Lisboa",
              postal_code: "1000",
              country_code: "PT",
              address_type: "commercial",
            },
          ],
          attributes: [{ attribute_id: attribute.id, attribute_value: "38" }],
        },
      ])
    ).data[0];
    await runBackup(store.storeHash, ["customers", "customer_attributes", "customer_groups"]);
    const expected = customerState(await bc.export(), customer.id);
    const { versions } = await versionsOf(store, "customers", String(customer.id));
    await bc.del(`/v3/customers?id:in=${customer.id}`);

    const result = await restoreThrough(store, "customers", String(customer.id), versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "create", status: "done" });
    const newId = Number(result.items[0].newId);
    const ex = await bc.export();
    expect(customerState(ex, newId)).toEqual(expected);
    expect(ex.customers.find((c) => c.id === newId)?.authentication).toMatchObject({
      force_password_reset: true,
    });
  });

  it("puts back a customer's changed addresses and attribute values", async () => {
    const store = await catalogStore(16);
    const { bc } = store;
    const attribute = (
      await bc.post<{ id: number }[]>("/v3/customers/attributes", [{ name: "Newsletter", type: "string" }])
    ).data[0];
    const customer = (
      await bc.post<{ id: number }[]>("/v3/customers", [
        {
          email: "bo@example.com",
          first_name: "Bo",
          last_name: "Lind",
          addresses: [
            {
              first_name: "Bo",
              last_name: "Lind",
              address1: "Gata 3",
              city: "Malmo",
              state_or_province: "Skane",
              postal_code: "21100",
              country_code: "SE",
            },
          ],
          attributes: [{ attribute_id: attribute.id, attribute_value: "yes" }],
        },
      ])
    ).data[0];
    await runBackup(store.storeHash, ["customers", "customer_attributes"]);
    const expected = customerState(await bc.export(), customer.id);
    const { versions } = await versionsOf(store, "customers", String(customer.id));
    await bc.put("/v3/customers", [{ id: customer.id, last_name: "Wrong" }]);
    const addresses = await bc.get<{ id: number }[]>(`/v3/customers/addresses?customer_id:in=${customer.id}`);
    await bc.call("DELETE", `/v3/customers/addresses?id:in=${addresses[0].id}`);
    await bc.post("/v3/customers/addresses", [
      {
        customer_id: customer.id,
        first_name: "X",
        last_name: "Y",
        address1: "Elsewhere 9",
        city: "Oslo",
        state_or_province: "Oslo",
        postal_code: "0150",
        country_code: "NO",
      },
    ]);
    await bc.put("/v3/customers/attribute-values", [
      { customer_id: customer.id, attribute_id: attribute.id, value: "no", attribute_value: "no" },
    ]);

    const result = await restoreThrough(store, "customers", String(customer.id), versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "update", status: "done" });
    expect(customerState(await bc.export(), customer.id)).toEqual(expected);
  });
});

describe("One job at a time", () => {
  it("refuses to restore while a backup of the store runs, and leaves no trace of the refused restore", async () => {
    const store = await catalogStore(20);
    const id = await createProduct(store, "Hiking Pole", "HP-1");
    await runBackup(store.storeHash, CATALOG);
    const { versions } = await versionsOf(store, "products", String(id));
    await sandbox(`/__sandbox/stores/${store.storeHash}/faults`, {
      method: "PUT",
      json: { slowMs: 300, slowRate: 1 },
    });
    await jobs(store.storeHash).startBackup({ kind: "manual", types: CATALOG });
    const res = await store.api(`/api/vault/items/products/${id}/restore`, {
      method: "POST",
      json: { versionId: versions[0].id },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      error: { code: "job_running", message: expect.stringMatching(/already running/) },
    });
    await sandbox(`/__sandbox/stores/${store.storeHash}/faults`, {
      method: "PUT",
      json: { slowMs: 0, slowRate: 0 },
    });
    await waitForJob(store.storeHash);
    expect((await versionsOf(store, "products", String(id))).history).toEqual([]);
  });
});

describe("Store isolation", () => {
  it("gives a user of another store nothing: no items, versions, live record, restore or undo", async () => {
    const store = await catalogStore(17);
    const id = await createProduct(store, "Secret Shoe", "SEC-1");
    await runBackup(store.storeHash, CATALOG);
    const { versions } = await versionsOf(store, "products", String(id));
    const mine = await restoreThrough(store, "products", String(id), versions[0].id);

    const other = await catalogStore(18);
    const stranger = await loadAs(other.storeHash);
    expect(stranger.storeHash).not.toBe(store.storeHash);
    const list = await stranger.api("/api/vault/types/products/items?q=secret");
    expect((await list.json<{ total: number }>()).total).toBe(0);
    const search = await stranger.api("/api/vault/search?q=SEC-1");
    expect((await search.json<{ items: unknown[] }>()).items).toEqual([]);
    for (const path of [
      `/api/vault/items/products/${id}`,
      `/api/vault/items/products/${id}/live`,
      `/api/vault/items/products/${id}/versions/${versions[0].id}`,
      `/api/restores/${mine.restore.id}`,
    ]) {
      expect((await stranger.api(path)).status, path).toBe(404);
    }
    // The other store has its own product with the same id; the first store's version ids still do not reach it.
    await createProduct(other, "Own Shoe", "OWN-1");
    await runBackup(other.storeHash, CATALOG);
    expect((await stranger.api(`/api/vault/items/products/${id}/versions/${versions[0].id}`)).status).toBe(
      404,
    );
    const restore = await stranger.api(`/api/vault/items/products/${id}/restore`, {
      method: "POST",
      json: { versionId: versions[0].id },
    });
    expect(restore.status).toBe(404);
    expect((await stranger.api(`/api/restores/${mine.restore.id}/undo`, { method: "POST" })).status).toBe(
      404,
    );
  });
});
