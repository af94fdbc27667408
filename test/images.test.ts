import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { imageFilesSize, listImageFiles } from "../worker/images/catalog";
import type { JobStatus } from "../worker/jobs/store-jobs";
import { catalogStore } from "./support/catalog-fixture";
import { installViaOAuth, sandbox } from "./support/install";
import {
  backupNow,
  installTestStore,
  jobsOf,
  sandboxAdmin,
  waitForJob as waitForJobStatus,
} from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";
import { restoreThrough, runBackup, storeApi, waitForJob } from "./support/vault-fixture";

const CATALOG = ["products", "brands", "categories", "category_trees"];

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the store's CDN serves at `url` now, as a SHA-256 (null when the file is gone). */
async function servedSha(url: string): Promise<string | null> {
  const res = await fetch(url);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  expect(res.status).toBe(200);
  return sha256(await res.arrayBuffer());
}

type Image = { id: number; url_zoom: string; sort_order: number; description: string; is_thumbnail: boolean };
type Variant = { id: number; sku: string; image_url: string };

/** A product as a merchant photographs it: three images (one the thumbnail, alt texts, an order) and a variant with its own picture. */
async function photographedProduct(
  store: Awaited<ReturnType<typeof catalogStore>>,
  name: string,
  sku: string,
) {
  const cdn = `${SANDBOX_URL}/__sandbox/cdn/${store.storeHash}/products/${sku}`;
  const product = (
    await store.bc.post<{ id: number }>("/v3/catalog/products", {
      name,
      sku,
      type: "physical",
      price: 59,
      weight: 1,
      brand_id: store.brandId,
      categories: [store.categoryIds[0]],
      images: [
        { image_url: `${cdn}/side.jpg`, sort_order: 2, description: "Side view", is_thumbnail: false },
        { image_url: `${cdn}/front.jpg`, sort_order: 0, description: "Front view", is_thumbnail: true },
        { image_url: `${cdn}/sole.jpg`, sort_order: 1, description: "", is_thumbnail: false },
      ],
    })
  ).data;
  const option = (
    await store.bc.post<{ id: number; option_values: { id: number; label: string }[] }>(
      `/v3/catalog/products/${product.id}/options`,
      { display_name: "Color", type: "rectangles", option_values: [{ label: "Red", sort_order: 0 }] },
    )
  ).data;
  await store.bc.post(`/v3/catalog/products/${product.id}/variants`, {
    sku: `${sku}-RED`,
    price: 61,
    image_url: `${cdn}/red.jpg`,
    option_values: [{ id: option.option_values[0].id, option_id: option.id }],
  });
  return product.id;
}

async function pictures(store: Awaited<ReturnType<typeof catalogStore>>, productId: number) {
  const images = await store.bc.get<Image[]>(`/v3/catalog/products/${productId}/images`);
  const variants = await store.bc.get<Variant[]>(`/v3/catalog/products/${productId}/variants`);
  const shown = await Promise.all(
    [...images]
      .sort((a, b) => a.sort_order - b.sort_order)
      .map(async (i) => ({
        sha: await servedSha(i.url_zoom),
        sort_order: i.sort_order,
        description: i.description,
        is_thumbnail: i.is_thumbnail,
      })),
  );
  const variantImages = await Promise.all(
    variants.filter((v) => v.image_url).map(async (v) => ({ sku: v.sku, sha: await servedSha(v.image_url) })),
  );
  return {
    images: shown,
    variants: variantImages,
    urls: [...images.map((i) => i.url_zoom), ...variants.map((v) => v.image_url).filter(Boolean)],
  };
}

/** The store's CDN loses the file at `url` (as BigCommerce's does once the image is deleted). */
async function loseFile(url: string) {
  await sandbox("/__sandbox/cdn-lose", { method: "POST", json: { url } });
}

/** Image files the sandbox's CDN has served for the store since its stats were last reset. */
async function cdnDownloads(storeHash: string): Promise<number> {
  const stats = await sandbox<{ cdn: { downloads: number } }>(`/__sandbox/stores/${storeHash}/stats`);
  return stats.cdn.downloads;
}

async function shasInOrder(images: Image[]): Promise<(string | null)[]> {
  const sorted = [...images].sort((a, b) => a.sort_order - b.sort_order);
  return Promise.all(sorted.map((i) => servedSha(i.url_zoom)));
}

describe("Image files in the vault", () => {
  it("serves a version's images from the vault to the store's own session only", async () => {
    const store = await catalogStore(31);
    const id = await photographedProduct(store, "Canvas Tote", "CT-1");
    await runBackup(store.storeHash, CATALOG);
    const original = await pictures(store, id);

    const item = await (await store.api(`/api/vault/items/products/${id}`)).json<{
      versions: { id: number }[];
    }>();
    const res = await store.api(`/api/vault/items/products/${id}/versions/${item.versions[0].id}/images`);
    expect(res.status).toBe(200);
    const { images } = await res.json<{ images: { sha256: string | null; label: string }[] }>();
    expect(images.map((i) => i.label)).toEqual([
      "product image",
      "product image",
      "product image",
      "variant image",
    ]);
    const expected = new Set([...original.images.map((i) => i.sha), ...original.variants.map((v) => v.sha)]);
    expect(new Set(images.map((i) => i.sha256))).toEqual(expected);

    const own = await store.api(`/api/vault/images/${images[0].sha256}`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("image/jpeg");
    expect(await sha256(await own.arrayBuffer())).toBe(images[0].sha256);

    const other = await installViaOAuth("empty", 32);
    const foreign = await other.api(`/api/vault/images/${images[0].sha256}`);
    expect(foreign.status).toBe(404);
    await foreign.body?.cancel();
    const foreignList = await other.api(
      `/api/vault/items/products/${id}/versions/${item.versions[0].id}/images`,
    );
    expect(foreignList.status).toBe(404);
    await foreignList.body?.cancel();

    const storage = await (await store.api("/api/vault/image-storage")).json<{
      files: number;
      bytes: number;
    }>();
    expect(storage.files).toBe(expected.size);
    expect(storage.bytes).toBeGreaterThan(0);

    // What an export with "Include image files" packs: the live product's four files in display order, readable from R2.
    const listed: { path: string; key: string; size: number }[] = [];
    for await (const f of listImageFiles(env, store.storeHash, ["products", "customers"])) listed.push(f);
    expect(listed.map((f) => f.path)).toEqual([
      `images/products/${id}/1-front.jpg`,
      `images/products/${id}/2-sole.jpg`,
      `images/products/${id}/3-side.jpg`,
      `images/products/${id}/4-red.jpg`,
    ]);
    const packed = new Set<string>();
    for (const f of listed) {
      const obj = await env.VAULT.get(f.key);
      const bytes = await (obj as R2ObjectBody).arrayBuffer();
      expect(bytes.byteLength).toBe(f.size);
      packed.add(await sha256(bytes));
    }
    expect(packed).toEqual(expected);
    expect(await imageFilesSize(env, store.storeHash, ["products"])).toEqual({
      count: 4,
      bytes: listed.reduce((n, f) => n + f.size, 0),
    });
  });

  it("re-creates a deleted product with its image files uploaded from the vault: same bytes, order, alt text, thumbnail and variant picture", async () => {
    const store = await catalogStore(33);
    const id = await photographedProduct(store, "Leather Boot", "LB-1");
    await runBackup(store.storeHash, CATALOG);
    const original = await pictures(store, id);
    expect(original.images.every((i) => i.sha !== null)).toBe(true);
    const item = await (await store.api(`/api/vault/items/products/${id}`)).json<{
      versions: { id: number }[];
    }>();

    // Deleted with its images; the CDN no longer has the files.
    await store.bc.del(`/v3/catalog/products/${id}`);
    for (const url of original.urls) await loseFile(url);
    for (const url of original.urls) expect(await servedSha(url)).toBeNull();

    const result = await restoreThrough(store, "products", String(id), item.versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "create", status: "done" });
    expect(result.items[0].message).toMatch(/4 image files uploaded from the vault/);
    expect(result.items[0].message).not.toMatch(/did not accept|refused/);
    const newId = Number(result.items[0].newId);
    const restored = await pictures(store, newId);
    expect(restored.images).toEqual(original.images);
    expect(restored.variants).toEqual(original.variants);
    // Uploaded files, not the dead URLs.
    for (const url of restored.urls) expect(original.urls).not.toContain(url);
    // The vault knows the uploaded files: the next backup downloads none of them again.
    await sandboxAdmin(`/stores/${store.storeHash}/stats`, { method: "DELETE" });
    await runBackup(store.storeHash, CATALOG);
    expect(await cdnDownloads(store.storeHash)).toBe(0);
  });

  it("puts a deleted brand's logo and a deleted category's image back from the vault", async () => {
    const store = await catalogStore(34);
    const cdn = `${SANDBOX_URL}/__sandbox/cdn/${store.storeHash}`;
    const brand = (
      await store.bc.post<{ id: number }>("/v3/catalog/brands", {
        name: "Northwind",
        image_url: `${cdn}/brands/nw/logo.png`,
      })
    ).data;
    const [category] = (
      await store.bc.post<{ category_id: number }[]>("/v3/catalog/trees/categories", [
        { name: "Boots", parent_id: 0, tree_id: store.treeId, image_url: `${cdn}/categories/boots/hero.jpg` },
      ])
    ).data;
    await runBackup(store.storeHash, CATALOG);
    const logo = await servedSha(`${cdn}/brands/nw/logo.png`);
    const hero = await servedSha(`${cdn}/categories/boots/hero.jpg`);
    const versionOf = async (type: string, id: number) =>
      (await (await store.api(`/api/vault/items/${type}/${id}`)).json<{ versions: { id: number }[] }>())
        .versions[0].id;
    const brandVersion = await versionOf("brands", brand.id);
    const categoryVersion = await versionOf("categories", category.category_id);

    await store.bc.del(`/v3/catalog/brands/${brand.id}`);
    await store.bc.del(`/v3/catalog/trees/categories?category_id:in=${category.category_id}`);
    await loseFile(`${cdn}/brands/nw/logo.png`);
    await loseFile(`${cdn}/categories/boots/hero.jpg`);

    const brandResult = await restoreThrough(store, "brands", String(brand.id), brandVersion);
    expect(brandResult.items[0]).toMatchObject({ action: "create", status: "done" });
    const newBrand = await store.bc.get<{ image_url: string }>(
      `/v3/catalog/brands/${brandResult.items[0].newId}`,
    );
    expect(newBrand.image_url).not.toBe(`${cdn}/brands/nw/logo.png`);
    expect(await servedSha(newBrand.image_url)).toBe(logo);

    const categoryResult = await restoreThrough(
      store,
      "categories",
      String(category.category_id),
      categoryVersion,
    );
    expect(categoryResult.items[0]).toMatchObject({ action: "create", status: "done" });
    expect(categoryResult.items[0].message).not.toMatch(/did not accept|refused/);
    const [newCategory] = await store.bc.get<{ image_url: string }[]>(
      `/v3/catalog/trees/categories?category_id:in=${categoryResult.items[0].newId}`,
    );
    expect(await servedSha(newCategory.image_url)).toBe(hero);
  });

  it("downloads an image file once: an unchanged catalog's next backup fetches none, a changed product only its new file", async () => {
    const store = await installViaOAuth("demo", 35);
    await sandbox(`/__sandbox/stores/${store.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const bc = storeApi(store.storeHash, store.sandboxToken);
    await sandboxAdmin(`/stores/${store.storeHash}/stats`, { method: "DELETE" });
    await runBackup(store.storeHash, CATALOG);
    const first = await cdnDownloads(store.storeHash);
    const storage = await (await store.api("/api/vault/image-storage")).json<{
      files: number;
      bytes: number;
    }>();
    expect(first).toBeGreaterThan(50);
    expect(storage.files).toBe(first);

    await sandboxAdmin(`/stores/${store.storeHash}/stats`, { method: "DELETE" });
    await runBackup(store.storeHash, CATALOG);
    expect(await cdnDownloads(store.storeHash)).toBe(0);

    // A price change makes a new version but no new file; a new picture is the one download.
    const [product] = await bc.get<{ id: number; price: number }[]>("/v3/catalog/products?limit=1");
    await bc.put(`/v3/catalog/products/${product.id}`, { price: product.price + 1 });
    const another = (await bc.get<{ id: number }[]>("/v3/catalog/products?limit=2"))[1];
    await bc.post(`/v3/catalog/products/${another.id}/images`, {
      image_url: `${SANDBOX_URL}/__sandbox/cdn/${store.storeHash}/products/${another.id}/new-angle.jpg`,
    });
    await sandboxAdmin(`/stores/${store.storeHash}/stats`, { method: "DELETE" });
    await runBackup(store.storeHash, CATALOG);
    expect(await cdnDownloads(store.storeHash)).toBe(1);
    const after = await (await store.api("/api/vault/image-storage")).json<{
      files: number;
      bytes: number;
    }>();
    expect(after.files).toBe(storage.files + 1);
  });

  it("bulk recovery re-creates deleted products with their pictures from the vault", async () => {
    const store = await installViaOAuth("demo", 36);
    await sandbox(`/__sandbox/stores/${store.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const bc = storeApi(store.storeHash, store.sandboxToken);
    await runBackup(store.storeHash, CATALOG);
    const backup = await env.DB.prepare(
      "select id from backups where store_hash = ? and status = 'done' order by started_at desc limit 1",
    )
      .bind(store.storeHash)
      .first<{ id: string }>();
    const products = (
      await bc.get<{ id: number; sku: string }[]>("/v3/catalog/products?limit=3&include=images")
    ).slice(0, 3);
    const before = new Map<string, (string | null)[]>();
    for (const p of products) {
      const images = await bc.get<Image[]>(`/v3/catalog/products/${p.id}/images`);
      before.set(p.sku, await shasInOrder(images));
      await bc.del(`/v3/catalog/products/${p.id}`);
      for (const i of images) await loseFile(i.url_zoom);
    }
    expect([...before.values()].flat().length).toBeGreaterThan(0);
    await runBackup(store.storeHash, CATALOG);

    const res = await store.api("/api/recovery/restores", {
      method: "POST",
      json: { backupId: backup?.id, types: ["products"] },
    });
    expect(res.status).toBe(202);
    await waitForJob(store.storeHash, 120_000);
    for (const [sku, shas] of before) {
      const [again] = await bc.get<{ id: number }[]>(`/v3/catalog/products?sku=${encodeURIComponent(sku)}`);
      expect(again).toBeDefined();
      const images = await bc.get<Image[]>(`/v3/catalog/products/${again.id}/images`);
      expect(await shasInOrder(images)).toEqual(shas);
    }
  });

  it("bulk recovery puts back a variant picture changed since the version, with the version's bytes", async () => {
    const store = await installViaOAuth("demo", 39);
    await sandbox(`/__sandbox/stores/${store.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const bc = storeApi(store.storeHash, store.sandboxToken);
    const [product] = (
      await bc.get<{ id: number; price: number; variants: Variant[] }[]>(
        "/v3/catalog/products?include=variants&limit=50",
      )
    ).filter((p) => p.variants.length > 1);
    const variant = product.variants[0];
    const cdn = `${SANDBOX_URL}/__sandbox/cdn/${store.storeHash}/products/${product.id}/variants`;
    await bc.put(`/v3/catalog/products/${product.id}/variants/${variant.id}`, {
      image_url: `${cdn}/${variant.id}-original.jpg`,
    });
    const pictureOf = async () =>
      (await bc.get<Variant>(`/v3/catalog/products/${product.id}/variants/${variant.id}`)).image_url;
    const originalUrl = await pictureOf();
    const originalSha = await servedSha(originalUrl);
    expect(originalSha).not.toBeNull();
    await runBackup(store.storeHash, CATALOG);
    const backup = await env.DB.prepare(
      "select id from backups where store_hash = ? and status = 'done' order by started_at desc limit 1",
    )
      .bind(store.storeHash)
      .first<{ id: string }>();

    // A bad import: a new price and another picture; the original file is gone from the CDN.
    await bc.put(`/v3/catalog/products/${product.id}`, { price: product.price + 10 });
    await bc.put(`/v3/catalog/products/${product.id}/variants/${variant.id}`, {
      image_url: `${cdn}/${variant.id}-imported.jpg`,
    });
    await loseFile(originalUrl);
    await runBackup(store.storeHash, CATALOG);

    const res = await store.api("/api/recovery/restores", {
      method: "POST",
      json: { backupId: backup?.id, types: ["products"] },
    });
    expect(res.status).toBe(202);
    await waitForJob(store.storeHash, 120_000);
    const restored = await bc.get<{ price: number }>(`/v3/catalog/products/${product.id}`);
    expect(restored.price).toBe(product.price);
    expect(await servedSha(await pictureOf())).toBe(originalSha);
  });

  it("replaces a live product's pictures whose files the CDN lost when the product is restored to a version", async () => {
    const store = await catalogStore(37);
    const id = await photographedProduct(store, "Wool Scarf", "WS-1");
    await runBackup(store.storeHash, CATALOG);
    const original = await pictures(store, id);
    const item = await (await store.api(`/api/vault/items/products/${id}`)).json<{
      versions: { id: number }[];
    }>();

    // The product is renamed; meanwhile its files vanish from the CDN while it still points at them.
    await store.bc.put(`/v3/catalog/products/${id}`, { name: "Wool Scarf (typo)" });
    for (const url of original.urls) await loseFile(url);

    const result = await restoreThrough(store, "products", String(id), item.versions[0].id);
    expect(result.items[0]).toMatchObject({ action: "update", status: "done" });
    expect(result.items[0].message).toMatch(/4 image files uploaded from the vault/);
    const restored = await pictures(store, id);
    expect(restored.images).toEqual(original.images);
    expect(restored.variants).toEqual(original.variants);
  });

  it("a backup evicted during its image phase resumes and keeps every file once, as an undisturbed one", async () => {
    const calm = await installTestStore("demo", { seed: 38 });
    const rough = await installTestStore("demo", { seed: 38 });
    await backupNow(calm.storeHash, CATALOG);

    const started = await jobsOf(rough.storeHash).startBackup({ kind: "manual", types: CATALOG });
    expect(started.started).toBe(true);
    let interruptions = 0;
    for (let i = 0; i < 600 && interruptions < 4; i++) {
      const status = (await jobsOf(rough.storeHash).status()) as JobStatus;
      if (status.status !== "running") break;
      // The progress names the image stage (the page shows "Backing up image files...") once every
      // type is listed and files are being downloaded.
      if (status.progress.stage !== "images") {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      expect(
        Object.values(status.progress.types).every((p) => p.status !== "pending" && p.status !== "running"),
      ).toBe(true);
      // Kill the object mid-step.
      await new Promise((r) => setTimeout(r, 150));
      await runInDurableObject(jobsOf(rough.storeHash), (_instance, state) =>
        state.abort("evicted by the test"),
      ).catch(() => undefined);
      interruptions++;
    }
    expect(interruptions).toBeGreaterThan(0);
    expect((await waitForJobStatus(rough.storeHash)).status).toBe("done");

    const held = async (storeHash: string) =>
      env.DB.prepare(
        `select (select count(*) from image_files where store_hash = ?1) as files,
                (select count(*) from version_images where store_hash = ?1) as links,
                (select count(*) from version_images where store_hash = ?1 and complete = 0) as incomplete`,
      )
        .bind(storeHash)
        .first<{ files: number; links: number; incomplete: number }>();
    const want = await held(calm.storeHash);
    expect(want?.files).toBeGreaterThan(50);
    expect(await held(rough.storeHash)).toEqual(want);
    const objects = await env.VAULT.list({ prefix: `images/${rough.storeHash}/` });
    expect(objects.objects.length).toBe(want?.files);

    await sandboxAdmin(`/stores/${rough.storeHash}/stats`, { method: "DELETE" });
    await backupNow(rough.storeHash, CATALOG);
    expect(await cdnDownloads(rough.storeHash)).toBe(0);
  });

  it("keeps blog post thumbnails too, shown with the post's version", async () => {
    const store = await installViaOAuth("demo", 39);
    await sandbox(`/__sandbox/stores/${store.storeHash}/quota`, {
      method: "PUT",
      json: { quota: "unlimited" },
    });
    const bc = storeApi(store.storeHash, store.sandboxToken);
    await runBackup(store.storeHash, ["blog_posts"]);
    const posts = await bc.call<{ id: number; thumbnail_path: string }[]>("GET", "/v2/blog/posts?limit=250");
    const post = posts.find((p) => p.thumbnail_path.startsWith("http"));
    expect(post).toBeDefined();
    const item = await (await store.api(`/api/vault/items/blog_posts/${post?.id}`)).json<{
      versions: { id: number }[];
    }>();
    const { images } = await (
      await store.api(`/api/vault/items/blog_posts/${post?.id}/versions/${item.versions[0].id}/images`)
    ).json<{ images: { sha256: string; label: string }[] }>();
    expect(images).toEqual([
      expect.objectContaining({
        label: "blog post thumbnail",
        sha256: await servedSha(String(post?.thumbnail_path)),
      }),
    ]);
  });

  it("retention deletes the image files only pruned versions referenced, and keeps the current ones", async () => {
    const store = await catalogStore(40);
    const id = await photographedProduct(store, "Linen Shirt", "LS-1");
    await runBackup(store.storeHash, CATALOG);
    // The merchant swaps the side view for a back view.
    const images = await store.bc.get<Image[]>(`/v3/catalog/products/${id}/images`);
    const side = images.find((i) => i.description === "Side view") as Image;
    await store.bc.del(`/v3/catalog/products/${id}/images/${side.id}`);
    await store.bc.post(`/v3/catalog/products/${id}/images`, {
      image_url: `${SANDBOX_URL}/__sandbox/cdn/${store.storeHash}/products/LS-1/back.jpg`,
      sort_order: 2,
      description: "Back view",
    });
    await runBackup(store.storeHash, CATALOG);
    const sideSha = (await servedSha(side.url_zoom)) as string;
    const current = await pictures(store, id);
    const storage = () => store.api("/api/vault/image-storage").then((r) => r.json<{ files: number }>());
    expect((await storage()).files).toBe(5);

    await env.DB.prepare("update stores set retention_days = 1 where hash = ?").bind(store.storeHash).run();
    await jobsOf(store.storeHash).pruneVault(Date.now() + 2 * 86_400_000);

    expect((await storage()).files).toBe(4);
    expect(await store.api(`/api/vault/images/${sideSha}`).then((r) => r.status)).toBe(404);
    expect(await env.VAULT.head(`images/${store.storeHash}/${sideSha}`)).toBeNull();
    for (const sha of [...current.images.map((i) => i.sha), ...current.variants.map((v) => v.sha)]) {
      const res = await store.api(`/api/vault/images/${sha}`);
      expect(res.status).toBe(200);
      expect(await sha256(await res.arrayBuffer())).toBe(sha);
    }
  });
});
