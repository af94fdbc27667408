import type { Context, Hono } from "hono";
import type { SandboxState } from "./engine/context.ts";
import type { Store } from "./engine/store.ts";
import type { Rec } from "./engine/table.ts";
import { generatedImage } from "./image-files.ts";

const CDN_PREFIX = "/__sandbox/cdn/";
const IMAGE_PATH = /\.(jpe?g|png|gif|webp)$/i;

/** A rendition (`x.standard.jpg`, `.thumbnail`, `.tiny`) shows the same file as the original `x.jpg`. */
export const originalPath = (path: string) => path.replace(/\.(tiny|thumbnail|standard)(\.\w+)$/i, "$2");

/** Whether the store's CDN has a file at `path` (without making it). */
export function cdnHas(store: Store, path: string): boolean {
  const original = originalPath(path);
  if (store.lostFiles.has(original)) return false;
  return store.files.has(path) || store.files.has(original) || IMAGE_PATH.test(path);
}

/**
 * What the store's CDN answers at `path` (`/__sandbox/cdn/{hash}/...`): an uploaded file (its renditions
 * show the uploaded bytes too: the sandbox does not resize), else a generated picture for any image file
 * name; null when the file was lost or is not an image.
 */
export function cdnFile(store: Store, path: string): { bytes: Uint8Array; type: string } | null {
  const original = originalPath(path);
  if (store.lostFiles.has(original)) return null;
  const uploaded = store.files.get(path) ?? store.files.get(original);
  if (uploaded) return uploaded;
  if (!IMAGE_PATH.test(path)) return null;
  // Keyed by the store's hash too, so two stores never serve the same bytes (vaults dedupe by content).
  return generatedImage(store.seed, path.slice(CDN_PREFIX.length));
}

/**
 * `GET /__sandbox/cdn/{hash}/...`: the store's image files. Counted in the store's stats as CDN downloads
 * (with bytes), not as API requests: BigCommerce's CDN does not count against the API quota.
 */
export function mountCdn(app: Hono, state: SandboxState): void {
  const serve = async (c: Context) => {
    const store = state.stores.get(c.req.param("hash") ?? "");
    if (!store) return c.body(null, 404);
    const f = store.faults;
    const r = store.cdnFaultRng;
    if (r.chance(f.cdnSlowRate) && f.cdnSlowMs > 0) await new Promise((ok) => setTimeout(ok, f.cdnSlowMs));
    if (r.chance(f.cdn5xxRate)) {
      store.stats.cdnErrors++;
      return c.body(null, 503);
    }
    const file = cdnFile(store, new URL(c.req.url).pathname);
    if (!file) {
      store.stats.cdnNotFound++;
      return c.body(null, 404);
    }
    store.stats.cdnDownloads++;
    store.stats.cdnBytes += file.bytes.byteLength;
    return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": file.type,
      "content-length": String(file.bytes.byteLength),
      "cache-control": "public, max-age=31536000, immutable",
    });
  };
  app.get("/__sandbox/cdn/:hash/*", serve);
}

/**
 * With the store's `lose_on_delete` policy, the files behind `urls` go with the record that showed them, as
 * BigCommerce's CDN names die with the image: a restore must then upload the bytes it kept.
 */
export function loseWithRecord(store: Store, urls: unknown[]): void {
  if (!store.loseDeletedImages) return;
  for (const url of urls) {
    if (typeof url !== "string" || !url) continue;
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      continue;
    }
    if (path.startsWith(`${CDN_PREFIX}${store.hash}/`)) store.lostFiles.add(originalPath(path));
  }
}

/** Every image URL a product shows: its images' renditions and its variants' pictures. */
function productImageUrls(store: Store, productId: number): string[] {
  const urls: string[] = [];
  for (const i of store.table("product_images").by("product_id", productId))
    urls.push(i.url_zoom, i.url_standard, i.url_thumbnail, i.url_tiny);
  for (const v of store.table("variants").by("product_id", productId)) urls.push(v.image_url);
  return urls.filter(Boolean);
}

/**
 * The CDN paths a lose request names: `url`/`urls` (any rendition), `image_id` (a product image),
 * `product_id` (every image and variant picture of the product), `brand_id`, `category_id`.
 */
export function lostPaths(store: Store, body: Rec): string[] {
  const urls: string[] = [];
  if (typeof body.url === "string") urls.push(body.url);
  if (Array.isArray(body.urls)) urls.push(...body.urls.filter((u: unknown) => typeof u === "string"));
  if (body.image_id !== undefined) {
    const img = store.table("product_images").get(Number(body.image_id));
    if (img) urls.push(img.url_zoom);
  }
  if (body.product_id !== undefined) urls.push(...productImageUrls(store, Number(body.product_id)));
  for (const [field, table] of [
    ["brand_id", "brands"],
    ["category_id", "categories"],
  ] as const) {
    if (body[field] === undefined) continue;
    const url = store.table(table).get(Number(body[field]))?.image_url;
    if (url) urls.push(url);
  }
  const paths = new Set<string>();
  for (const url of urls) {
    const path = new URL(url, "http://sandbox.test").pathname;
    if (path.startsWith(`${CDN_PREFIX}${store.hash}/`)) paths.add(originalPath(path));
  }
  return [...paths];
}
