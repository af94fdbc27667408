import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { findOperation, openapiDir, validateResponse } from "./support/openapi.ts";
import { sandboxStore } from "./support/sandbox-client.ts";

type Store = Awaited<ReturnType<typeof sandboxStore>>;

async function download(store: Store, url: string) {
  const res = await store.sandbox.fetch(new Request(url));
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array) => {
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** Walks a PNG's chunks: checks every CRC and inflates the pixel data (what an image viewer does first). */
function readPng(bytes: Uint8Array) {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: string[] = [];
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + len);
    expect(view.getUint32(at + 8 + len), `CRC of ${type}`).toBe(crc32(bytes.subarray(at + 4, at + 8 + len)));
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
    }
    if (type === "IDAT") idat.push(data);
    chunks.push(type);
    at += 12 + len;
  }
  const pixels = inflateSync(Buffer.concat(idat));
  expect(pixels.length).toBe(height * (1 + width * 3));
  return { chunks, width, height };
}

/** A JPEG's frame size from its SOF0 segment, after checking the marker structure up to the scan. */
function readJpeg(bytes: Uint8Array) {
  expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  expect([bytes[bytes.length - 2], bytes[bytes.length - 1]]).toEqual([0xff, 0xd9]);
  const markers: number[] = [];
  let size = 0;
  for (let at = 2; bytes[at] === 0xff && bytes[at + 1] !== 0xda; ) {
    const marker = bytes[at + 1];
    const len = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker === 0xc0) size = (bytes[at + 5] << 8) | bytes[at + 6];
    markers.push(marker);
    at += 2 + len;
  }
  expect(markers).toEqual(expect.arrayContaining([0xdb, 0xc0, 0xc4]));
  return { size };
}

const sha = async (b: Uint8Array) => Buffer.from(await crypto.subtle.digest("SHA-256", b)).toString("hex");

function multipart(fields: Record<string, string | File>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

async function send(store: Store, method: string, path: string, body: FormData) {
  const res = await store.sandbox.fetch(
    new Request(`${store.base}/stores/${store.hash}${path}`, {
      method,
      headers: { "x-auth-token": store.token, accept: "application/json" },
      body,
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A real little PNG to upload (taken from another sandbox store, so it differs from this store's files). */
async function somePng(name: string): Promise<Uint8Array> {
  const other = await sandboxStore("demo", {}, 99);
  const brand = (await other.api("GET", "/v3/catalog/brands?limit=250")).body.data.find(
    (b: { image_url: string }) => b.image_url,
  );
  return (await download(other, `${brand.image_url.replace(/logo\.png$/, name)}`)).bytes;
}

describe("sandbox images: generated files behind every image URL", () => {
  it("serves product image renditions, brand logos and category images as valid, distinct, repeatable files", async () => {
    const store = await sandboxStore("demo");
    const product = (await store.api("GET", "/v3/catalog/products?limit=50&include=images")).body.data.find(
      (p: { images: unknown[] }) => p.images.length >= 2,
    );
    const [first, second] = product.images;
    const sizes: Record<string, number> = { url_zoom: 64, url_standard: 48, url_thumbnail: 32, url_tiny: 16 };
    for (const [field, size] of Object.entries(sizes)) {
      const file = await download(store, first[field]);
      expect(file.status, field).toBe(200);
      expect(file.type).toBe("image/jpeg");
      expect(readJpeg(file.bytes).size).toBe(size);
      expect(file.bytes.length).toBeGreaterThan(200);
      expect(file.bytes.length).toBeLessThan(8192);
    }
    const a = await download(store, first.url_zoom);
    const b = await download(store, second.url_zoom);
    expect(await sha(a.bytes)).not.toBe(await sha(b.bytes));
    expect(await sha((await download(store, first.url_zoom)).bytes)).toBe(await sha(a.bytes));

    // Another store of the same profile and seed, in the same sandbox, has its own files.
    const sibling = (await store.admin("POST", "/stores", { profile: "demo", seed: 1 })).body.store_hash;
    const theirs = await download(store, first.url_zoom.replace(`/cdn/${store.hash}/`, `/cdn/${sibling}/`));
    expect(theirs.status).toBe(200);
    expect(await sha(theirs.bytes)).not.toBe(await sha(a.bytes));

    // Another sandbox process with the same seed serves the same bytes at the same path.
    const twin = await sandboxStore("demo");
    const twinFirst = (await twin.api("GET", `/v3/catalog/products/${product.id}/images/${first.id}`)).body
      .data;
    expect(await sha((await download(twin, twinFirst.url_zoom)).bytes)).toBe(await sha(a.bytes));

    const brand = (await store.api("GET", "/v3/catalog/brands?limit=250")).body.data.find(
      (x: { image_url: string }) => x.image_url,
    );
    const logo = await download(store, brand.image_url);
    expect(logo.type).toBe("image/png");
    expect(readPng(logo.bytes)).toMatchObject({
      width: 64,
      height: 64,
      chunks: ["IHDR", "tEXt", "IDAT", "IEND"],
    });

    const category = (await store.api("GET", "/v3/catalog/categories?limit=250")).body.data.find(
      (x: { image_url: string }) => x.image_url,
    );
    expect(category, "some generated categories have an image").toBeDefined();
    expect((await download(store, category.image_url)).status).toBe(200);

    const variant = (await store.api("GET", "/v3/catalog/variants?limit=250")).body.data.find(
      (x: { image_url: string }) => x.image_url,
    );
    expect(variant, "some generated variants have their own picture").toBeDefined();
    expect((await download(store, variant.image_url)).status).toBe(200);
  });
});

describe("sandbox images: uploads", () => {
  it("keeps multipart uploads of product, variant, brand and category images and serves them back byte for byte", async () => {
    const store = await sandboxStore("demo");
    const png = await somePng("upload-a.png");
    const created = await send(
      store,
      "POST",
      "/v3/catalog/products/2/images",
      multipart({
        image_file: new File([png], "front.png", { type: "image/png" }),
        description: "Front",
        sort_order: "7",
      }),
    );
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ product_id: 2, description: "Front", sort_order: 7 });
    for (const field of ["url_zoom", "url_standard", "url_thumbnail", "url_tiny"]) {
      const served = await download(store, created.body.data[field]);
      expect(served.type).toBe("image/png");
      expect(await sha(served.bytes), field).toBe(await sha(png));
    }

    // PUT replaces the file of an existing image: same id, new bytes, new URL, date_modified moves.
    const replacement = await somePng("upload-b.png");
    const oldUrl = created.body.data.url_zoom;
    const updated = await send(
      store,
      "PUT",
      `/v3/catalog/products/2/images/${created.body.data.id}`,
      multipart({
        image_file: new File([replacement], "front-2.png", { type: "image/png" }),
        is_thumbnail: "true",
      }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      id: created.body.data.id,
      is_thumbnail: true,
      description: "Front",
    });
    expect(updated.body.data.url_zoom).not.toBe(oldUrl);
    expect(await sha((await download(store, updated.body.data.url_zoom)).bytes)).toBe(await sha(replacement));

    const variant = (await store.api("GET", "/v3/catalog/products/2/variants")).body.data[0];
    const variantImage = await send(
      store,
      "POST",
      `/v3/catalog/products/2/variants/${variant.id}/image`,
      multipart({ image_file: new File([png], "red.png", { type: "image/png" }) }),
    );
    expect(variantImage.status).toBe(200);
    const variantNow = (await store.api("GET", `/v3/catalog/products/2/variants/${variant.id}`)).body.data;
    expect(variantNow.image_url).toBe(variantImage.body.data.image_url);
    expect(await sha((await download(store, variantNow.image_url)).bytes)).toBe(await sha(png));

    for (const [kind, id] of [
      ["brands", 1],
      ["categories", 1],
    ] as const) {
      const res = await send(
        store,
        "POST",
        `/v3/catalog/${kind}/${id}/image`,
        multipart({ image_file: new File([replacement], "hero.png", { type: "image/png" }) }),
      );
      expect(res.status, kind).toBe(200);
      const rec = (await store.api("GET", `/v3/catalog/${kind}/${id}`)).body.data;
      expect(rec.image_url).toBe(res.body.data.image_url);
      expect(await sha((await download(store, rec.image_url)).bytes)).toBe(await sha(replacement));
    }

    // A modifier value's picture (multipart only) lands in its adjusters.
    const modifier = (
      await store.api("POST", "/v3/catalog/products/2/modifiers", {
        display_name: "Wrapping",
        type: "radio_buttons",
        required: false,
        option_values: [{ label: "Gift paper", sort_order: 0, is_default: false }],
      })
    ).body.data;
    const value = modifier.option_values[0];
    const modifierImage = await send(
      store,
      "POST",
      `/v3/catalog/products/${modifier.product_id}/modifiers/${modifier.id}/values/${value.id}/image`,
      multipart({ image_file: new File([png], "swatch.png", { type: "image/png" }) }),
    );
    expect(modifierImage.status).toBe(200);
    const valueNow = (
      await store.api(
        "GET",
        `/v3/catalog/products/${modifier.product_id}/modifiers/${modifier.id}/values/${value.id}`,
      )
    ).body.data;
    expect(valueNow.adjusters.image_url).toBe(modifierImage.body.data.image_url);
    expect(await sha((await download(store, valueNow.adjusters.image_url)).bytes)).toBe(await sha(png));

    // BigCommerce checks the file itself, and variant images above 1 MB are refused.
    const text = await send(
      store,
      "POST",
      "/v3/catalog/products/2/images",
      multipart({ image_file: new File(["not a picture"], "notes.jpg", { type: "image/jpeg" }) }),
    );
    expect(text.status).toBe(422);
    const big = new Uint8Array(1024 * 1024 + 1);
    big.set(png);
    const tooBig = await send(
      store,
      "POST",
      `/v3/catalog/products/2/variants/${variant.id}/image`,
      multipart({ image_file: new File([big], "huge.png", { type: "image/png" }) }),
    );
    expect(tooBig.status).toBe(413);
  });

  const dir = openapiDir();
  it.skipIf(!dir)("answers multipart uploads in the response shapes of BigCommerce's specs", async () => {
    const store = await sandboxStore("demo");
    const png = await somePng("contract.png");
    const file = () => new File([png], "contract.png", { type: "image/png" });
    const variant = (await store.api("GET", "/v3/catalog/products/3/variants")).body.data[0];
    const created = await send(
      store,
      "POST",
      "/v3/catalog/products/3/images",
      multipart({ image_file: file() }),
    );
    const modifier = (
      await store.api("POST", "/v3/catalog/products/3/modifiers", {
        display_name: "Engraving",
        type: "radio_buttons",
        required: false,
        option_values: [{ label: "Initials", sort_order: 0, is_default: false }],
      })
    ).body.data;
    const valueImage = `/v3/catalog/products/3/modifiers/${modifier.id}/values/${modifier.option_values[0].id}/image`;
    const cases: [string, string, FormData][] = [
      ["PUT", `/v3/catalog/products/3/images/${created.body.data.id}`, multipart({ image_file: file() })],
      ["POST", valueImage, multipart({ image_file: file() })],
      ["POST", `/v3/catalog/products/3/variants/${variant.id}/image`, multipart({ image_file: file() })],
      ["POST", "/v3/catalog/brands/1/image", multipart({ image_file: file() })],
      ["POST", "/v3/catalog/categories/1/image", multipart({ image_file: file() })],
    ];
    const first = findOperation(dir as string, "POST", "/v3/catalog/products/3/images");
    expect(validateResponse(first as NonNullable<typeof first>, 200, created.body).errors).toEqual([]);
    for (const [method, path, body] of cases) {
      const op = findOperation(dir as string, method, path);
      expect(op, `${method} ${path} is in the specs`).not.toBeNull();
      const res = await send(store, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(200);
      expect(validateResponse(op as NonNullable<typeof op>, res.status, res.body).errors, path).toEqual([]);
    }
  });
});

describe("sandbox images: lost files and CDN stats", () => {
  it("loses a file on request (every rendition answers 404) and counts CDN downloads apart from API calls", async () => {
    const store = await sandboxStore("demo");
    const product = (await store.api("GET", "/v3/catalog/products?limit=50&include=images")).body.data.find(
      (p: { images: unknown[] }) => p.images.length >= 2,
    );
    const images = product.images;
    await store.admin("DELETE", `/stores/${store.hash}/stats`);

    const kept = await download(store, images[0].url_zoom);
    expect(kept.status).toBe(200);
    const lost = await store.admin("POST", `/stores/${store.hash}/images/lose`, {
      url: images[0].url_standard,
    });
    expect(lost.status).toBe(200);
    for (const field of ["url_zoom", "url_standard", "url_thumbnail", "url_tiny"])
      expect((await download(store, images[0][field])).status, field).toBe(404);
    const sibling = await download(store, images[1].url_zoom);
    expect(sibling.status).toBe(200);

    // By image id, and by URL alone (the store is the one the URL names).
    const uploaded = await send(
      store,
      "POST",
      `/v3/catalog/products/${product.id}/images`,
      multipart({ image_file: new File([await somePng("gone.png")], "gone.png", { type: "image/png" }) }),
    );
    expect(
      (await store.admin("POST", `/stores/${store.hash}/images/lose`, { image_id: uploaded.body.data.id }))
        .status,
    ).toBe(200);
    expect((await download(store, uploaded.body.data.url_zoom)).status).toBe(404);
    const brand = (await store.api("GET", "/v3/catalog/brands?limit=250")).body.data.find(
      (b: { image_url: string }) => b.image_url,
    );
    expect((await store.admin("POST", "/cdn-lose", { url: brand.image_url })).status).toBe(200);
    expect((await download(store, brand.image_url)).status).toBe(404);
    expect(
      (
        await store.admin("POST", `/stores/${store.hash}/images/lose`, {
          url: "https://elsewhere.example/x.jpg",
        })
      ).status,
    ).toBe(400);

    const stats = (await store.admin("GET", `/stores/${store.hash}/stats`)).body;
    // Two API calls (the upload and the brand list); the eight CDN requests are counted apart.
    expect(stats.total_requests).toBe(2);
    expect(stats.cdn).toEqual({
      downloads: 2,
      bytes: kept.bytes.length + sibling.bytes.length,
      not_found: 6,
      errors_5xx: 0,
    });
  });

  it("fails a share of CDN downloads on demand (503), repeatably for a seed, without touching API faults", async () => {
    const store = await sandboxStore("demo");
    const images = (await store.api("GET", "/v3/catalog/products?limit=20&include=images")).body.data.flatMap(
      (p: { images: { url_zoom: string }[] }) => p.images.map((i) => i.url_zoom),
    );
    const run = async () => {
      await store.admin("PUT", `/stores/${store.hash}/faults`, { cdn5xxRate: 0.5, seed: 7 });
      const out: number[] = [];
      for (const url of images) out.push((await download(store, url)).status);
      return out;
    };
    await store.admin("DELETE", `/stores/${store.hash}/stats`);
    const first = await run();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(images.length / 4);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(images.length / 4);
    expect(await run()).toEqual(first);
    expect((await store.api("GET", "/v3/catalog/products?limit=1")).status).toBe(200);
    const stats = (await store.admin("GET", `/stores/${store.hash}/stats`)).body;
    expect(stats.cdn.errors_5xx).toBe(2 * first.filter((s) => s === 503).length);
    expect(stats.errors_5xx).toBe(0);
  });

  it("with lose_on_delete, deleting a product, image, brand or category takes its files off the CDN", async () => {
    const store = await sandboxStore("demo");
    const products = (await store.api("GET", "/v3/catalog/products?limit=50&include=images,variants")).body
      .data;
    const [a, b] = products.filter((p: { images: unknown[] }) => p.images.length >= 2);
    const status = async (url: string) => (await download(store, url)).status;

    // Off by default: the files outlive their records.
    await store.api("DELETE", `/v3/catalog/products/${a.id}/images/${a.images[1].id}`);
    expect(await status(a.images[1].url_zoom)).toBe(200);

    const policy = await store.admin("PUT", `/stores/${store.hash}/images/policy`, { lose_on_delete: true });
    expect(policy.body).toEqual({ lose_on_delete: true });
    await store.api("DELETE", `/v3/catalog/products/${a.id}/images/${a.images[0].id}`);
    expect(await status(a.images[0].url_thumbnail)).toBe(404);
    const variantWithPicture = (await store.api("GET", "/v3/catalog/variants?limit=250")).body.data.find(
      (v: { image_url: string; product_id: number }) => v.image_url && v.product_id !== b.id,
    );
    await store.api("DELETE", `/v3/catalog/products/${b.id}`);
    for (const i of b.images) expect(await status(i.url_zoom)).toBe(404);
    await store.api("DELETE", `/v3/catalog/products/${variantWithPicture.product_id}`);
    expect(await status(variantWithPicture.image_url)).toBe(404);
    // Other products keep theirs.
    const other = products.find(
      (p: { id: number; images: unknown[] }) =>
        ![a.id, b.id, variantWithPicture.product_id].includes(p.id) && p.images.length,
    );
    expect(await status(other.images[0].url_zoom)).toBe(200);

    const brand = (await store.api("GET", "/v3/catalog/brands?limit=250")).body.data.find(
      (x: { image_url: string }) => x.image_url,
    );
    await store.api("DELETE", `/v3/catalog/brands/${brand.id}`);
    expect(await status(brand.image_url)).toBe(404);
    const category = (await store.api("GET", "/v3/catalog/categories?limit=250")).body.data.find(
      (x: { image_url: string; id: number }) => x.image_url && x.id !== 1,
    );
    await store.api("DELETE", `/v3/catalog/products/category-assignments?category_id:in=${category.id}`);
    const gone = await store.api("DELETE", `/v3/catalog/categories/${category.id}`);
    expect(gone.status).toBe(204);
    expect(await status(category.image_url)).toBe(404);
  });

  it("refuses to create an image from a lost file's URL (400), as BigCommerce cannot download it", async () => {
    const store = await sandboxStore("demo");
    const product = (
      await store.api("GET", "/v3/catalog/products?limit=50&include=images,variants")
    ).body.data.find((p: { images: unknown[] }) => p.images.length >= 1);
    const dead = product.images[0].url_zoom;
    await store.admin("POST", `/stores/${store.hash}/images/lose`, { url: dead });
    const again = await store.api("POST", `/v3/catalog/products/${product.id}/images`, { image_url: dead });
    expect(again.status).toBe(400);
    const variant = product.variants[0];
    const onVariant = await store.api(
      "POST",
      `/v3/catalog/products/${product.id}/variants/${variant.id}/image`,
      {
        image_url: dead,
      },
    );
    expect(onVariant.status).toBe(400);
    const embedded = await store.api("POST", "/v3/catalog/products", {
      name: "Dead picture",
      type: "physical",
      weight: 1,
      price: 5,
      images: [{ image_url: dead, is_thumbnail: true }],
    });
    expect(embedded.status).toBe(400);
    expect((await store.api("GET", "/v3/catalog/products?name=Dead%20picture")).body.data).toEqual([]);
    // A file still on the CDN, or any other host, is accepted.
    const alive = await store.api("POST", `/v3/catalog/products/${product.id}/images`, {
      image_url: dead.replace(/\/(\d+)\.jpg$/, "/$1-copy.jpg"),
    });
    expect(alive.status).toBe(200);
    expect(
      (
        await store.api("POST", `/v3/catalog/products/${product.id}/images`, {
          image_url: "https://cdn.example.com/x.jpg",
        })
      ).status,
    ).toBe(200);
  });
});
