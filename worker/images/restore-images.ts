import { type ApiRecord, BigCommerceError } from "../bigcommerce/client";
import { getType } from "../bigcommerce/registry";
import type { PlannedItem, RestoreContext } from "../restore/engine";
import { imageKey } from "./files";
import { type ImageField, type ImageRef, imageFields, imageRefsOf, sourceKey } from "./image-fields";

/**
 * Restore of image files. BigCommerce's CDN names die with the image they served, so pointing a
 * re-created image at its old URL gives a broken picture (or a refused write). Every image of the
 * version that the live record does not already show is uploaded instead, from the bytes the vault
 * keeps (multipart `image_file`), with its order, alt text, thumbnail flag and variant link as in the
 * version. Images the vault has no file for keep the old behaviour (written by URL).
 *
 *   const uploads = await planImageUploads(ctx, item);        // before the write: takes them out of item.target
 *   notes.push(...(await uploadImages(ctx, item, liveId, uploads)));  // after it: uploads, puts them back
 */

export type ImageUpload = {
  field: ImageField;
  item: ApiRecord;
  url: string;
  sha256: string;
  contentType: string;
};

/** Fields of a product image that name its file; copied from the live image when the version's file is already there. */
const FILE_FIELDS = [
  "id",
  "image_url",
  "image_file",
  "url_zoom",
  "url_standard",
  "url_thumbnail",
  "url_tiny",
];

async function shaByKey(env: Env, storeHash: string, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const { results } = await env.DB.prepare(
    `select s.source_key, s.sha256 from image_sources s
     where s.store_hash = ? and s.source_key in (select value from json_each(?))`,
  )
    .bind(storeHash, JSON.stringify([...new Set(keys)]))
    .all<{ source_key: string; sha256: string }>();
  for (const r of results) out.set(r.source_key, r.sha256);
  return out;
}

async function heldFiles(env: Env, storeHash: string, shas: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (shas.length === 0) return out;
  const { results } = await env.DB.prepare(
    "select sha256, content_type from image_files where store_hash = ? and sha256 in (select value from json_each(?))",
  )
    .bind(storeHash, JSON.stringify([...new Set(shas)]))
    .all<{ sha256: string; content_type: string }>();
  for (const r of results) out.set(r.sha256, r.content_type);
  return out;
}

/**
 * Before a create or update is written: decides which of the version's images are re-created from
 * stored bytes, and takes them out of `item.target` so the generic write does not point at their URLs.
 * A version image the live record already shows (same URL, or a file with the same bytes) is left to
 * the generic write, which then only corrects its order and alt text.
 */
export async function planImageUploads(ctx: RestoreContext, item: PlannedItem): Promise<ImageUpload[]> {
  const fields = imageFields[item.type as keyof typeof imageFields];
  if (!fields || !item.target || (item.action !== "create" && item.action !== "update")) return [];
  const wanted = imageRefsOf(item.type, item.target).filter((r) => r.field.upload);
  if (wanted.length === 0) return [];
  const liveRefs = item.action === "update" ? imageRefsOf(item.type, item.live) : [];
  const sha = await shaByKey(
    ctx.env,
    ctx.storeHash,
    [...wanted, ...liveRefs].map((r) => r.key),
  );
  const files = await heldFiles(
    ctx.env,
    ctx.storeHash,
    wanted.flatMap((r) => (sha.has(r.key) ? [sha.get(r.key) as string] : [])),
  );
  const target: ApiRecord = { ...item.target };
  const uploads: ImageUpload[] = [];
  const taken = new Set<ApiRecord>();
  for (const ref of wanted) {
    const sha256 = sha.get(ref.key);
    const contentType = sha256 ? files.get(sha256) : undefined;
    if (!sha256 || !contentType) continue;
    const shown = liveRefs.find((l) => l.field === ref.field && sameFile(l, ref, sha, ref.field, item));
    // A live image whose file the CDN lost is a broken picture: replaced by an upload like a missing one.
    if (shown && !(await gone(shown.url))) {
      if (ref.field.upload?.creates) repoint(target, ref, shown);
      continue;
    }
    uploads.push({ field: ref.field, item: ref.item, url: ref.url, sha256, contentType });
    taken.add(ref.item);
  }
  for (const field of fields) {
    if (field.list && field.upload?.creates) {
      const list = target[field.list];
      if (Array.isArray(list)) target[field.list] = list.filter((i) => !taken.has(i as ApiRecord));
    } else if (!field.list && taken.has(item.target)) {
      // The record's own image field: written empty, then set by the upload.
      target[field.url] = "";
    }
  }
  item.target = target;
  return uploads;
}

/** Whether the CDN says the file is gone (404/410). Unreachable or slow counts as there: nothing is replaced on a guess. */
async function gone(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.status === 404 || res.status === 410;
  } catch {
    return false;
  }
}

/** Does the live image show the version's file: the same image (id and URL), the same URL, or the same bytes? */
function sameFile(
  live: ImageRef,
  want: ImageRef,
  sha: Map<string, string>,
  field: ImageField,
  item: PlannedItem,
): boolean {
  if (field.upload?.itemMatch) {
    const key = field.upload.itemMatch;
    if (live.item[key] !== want.item[key]) return false;
  } else if (!field.list && live.item !== item.live) return false;
  if (live.url === want.url) return true;
  const a = sha.get(live.key);
  return a !== undefined && a === sha.get(want.key);
}

/** The version's image becomes the live one it matched (same bytes, new URL), so the generic write pairs and keeps it. */
function repoint(target: ApiRecord, ref: ImageRef, live: ImageRef) {
  const list = ref.field.list ? target[ref.field.list] : undefined;
  if (!Array.isArray(list)) return;
  const i = list.indexOf(ref.item);
  if (i < 0) return;
  const copy: ApiRecord = { ...ref.item };
  for (const f of FILE_FIELDS) if (f in live.item) copy[f] = live.item[f];
  list[i] = copy;
}

const EXT: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
};

function fileName(url: string, contentType: string): string {
  const base =
    (url.split("?")[0].split("/").pop() ?? "")
      .replace(/\.[^.]*$/, "")
      .replace(/[^\w-]+/g, "_")
      .slice(0, 80) || "image";
  return `${base}.${EXT[contentType] ?? "jpg"}`;
}

/**
 * After the record is written (`liveId` its id now): uploads the planned files and puts what
 * BigCommerce made of them back into `item.target`, so the restore's verification compares them
 * like any other field. Returns a note for the restore's message.
 */
export async function uploadImages(
  ctx: RestoreContext,
  item: PlannedItem,
  liveId: string,
  uploads: ImageUpload[],
): Promise<string[]> {
  if (uploads.length === 0 || !item.target) return [];
  const type = getType(item.type);
  const target = item.target;
  let liveItems: ApiRecord | null = null;
  let uploaded = 0;
  const refused: string[] = [];
  const sources: [string, string][] = [];
  for (const up of uploads) {
    const spec = up.field.upload;
    if (!spec) continue;
    const obj = await ctx.env.VAULT.get(imageKey(ctx.storeHash, up.sha256));
    if (!obj) continue;
    const form = new FormData();
    form.append(
      "image_file",
      new File([await obj.arrayBuffer()], fileName(up.url, up.contentType), { type: up.contentType }),
    );
    for (const f of spec.fields ?? []) {
      const v = up.item[f];
      if (v !== undefined && v !== null) form.append(f, String(v));
    }
    let itemId = "";
    if (spec.itemMatch && up.field.list) {
      liveItems ??= await ctx.client.getRecord(type, liveId);
      const list = (liveItems?.[up.field.list] as ApiRecord[] | undefined) ?? [];
      const match = list.find((i) => i[spec.itemMatch as string] === up.item[spec.itemMatch as string]);
      if (!match) continue;
      itemId = String(match.id);
    }
    const path = spec.path.replace("{id}", encodeURIComponent(liveId)).replace("{item}", itemId);
    let body: { data?: ApiRecord } | null;
    try {
      ({ body } = await ctx.client.request<{ data?: ApiRecord }>("POST", type.api, path, { form }));
    } catch (err) {
      // One refused file (too large, a format the store rejects) does not undo the restored record.
      if (!(err instanceof BigCommerceError) || err.status === 401 || err.status === 0 || err.status >= 500)
        throw err;
      refused.push(`${up.field.label} ${fileName(up.url, up.contentType)} (${err.status})`);
      continue;
    }
    uploaded++;
    const data = body?.data;
    if (!data) continue;
    const url = data[up.field.url];
    // The uploaded file's new URL is known to be these bytes: the next backup links it without downloading.
    if (typeof url === "string" && url)
      sources.push([sourceKey(url, up.field.modified ? data[up.field.modified] : undefined), up.sha256]);
    if (up.field.list && spec.creates) {
      // The new image, with the version's order, alt text and thumbnail flag, stands for the version's.
      const list = Array.isArray(target[up.field.list]) ? (target[up.field.list] as ApiRecord[]) : [];
      target[up.field.list] = [...list, { ...up.item, ...pick(data, FILE_FIELDS) }];
    } else if (!up.field.list && typeof data[up.field.url] === "string") {
      target[up.field.url] = data[up.field.url];
    }
  }
  if (sources.length > 0) {
    await ctx.env.DB.prepare(
      `insert into image_sources (store_hash, source_key, sha256, fetched_at)
       select ?1, j->>'$[0]', j->>'$[1]', ?2 from (select value as j from json_each(?3)) where true
       on conflict (store_hash, source_key) do update set sha256 = excluded.sha256`,
    )
      .bind(ctx.storeHash, ctx.now(), JSON.stringify(sources))
      .run();
  }
  return [
    uploaded > 0 ? `${uploaded} image file${uploaded === 1 ? "" : "s"} uploaded from the vault.` : "",
    refused.length > 0
      ? `BigCommerce refused ${refused.length} image file upload(s): ${refused.join("; ")}.`
      : "",
  ].filter(Boolean);
}

const pick = (o: ApiRecord, keys: string[]): ApiRecord =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
