import type { LinkedImage } from "./capture";
import { imageKey } from "./files";
import { imageFields } from "./image-fields";

/** Records read per query when walking a store's image links. */
const PAGE = 500;

type LinkRow = { type: string; record_id: string; images: string };

/** The image links of the latest versions of the live records of `types`, a page at a time. */
async function* currentLinks(env: Env, storeHash: string, types: string[]): AsyncIterable<LinkRow> {
  let after = { type: "", recordId: "" };
  for (;;) {
    const { results } = await env.DB.prepare(
      `select r.type, r.record_id, l.images from records r
       join version_images l on l.store_hash = r.store_hash and l.version_hash = r.current_hash
       where r.store_hash = ?1 and r.type in (select value from json_each(?2)) and r.deleted = 0
         and (r.type > ?3 or (r.type = ?3 and r.record_id > ?4))
       order by r.type, r.record_id limit ?5`,
    )
      .bind(storeHash, JSON.stringify(types), after.type, after.recordId, PAGE)
      .all<LinkRow>();
    yield* results;
    if (results.length < PAGE) return;
    const last = results[results.length - 1];
    after = { type: last.type, recordId: last.record_id };
  }
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/svg+xml": "svg",
};

/** `images/products/112/2-shoe.jpg`: type, record, position in the record, the file's own name. */
function zipPath(type: string, recordId: string, position: number, key: string, contentType: string): string {
  const url = key.replace(/#[^#]*$/, "");
  const base = (url.split("?")[0].split("/").pop() ?? "")
    .replace(/\.[^.]*$/, "")
    .replace(/[^\w.-]+/g, "_")
    .slice(0, 60);
  const ext = EXTENSIONS[contentType] ?? "bin";
  return `images/${type}/${recordId.replace(/[^\w.-]+/g, "_")}/${position}-${base || "image"}.${ext}`;
}

type FileRow = { sha256: string; bytes: number; content_type: string };

async function filesBySha(env: Env, storeHash: string, shas: string[]): Promise<Map<string, FileRow>> {
  const out = new Map<string, FileRow>();
  for (let i = 0; i < shas.length; i += 500) {
    const { results } = await env.DB.prepare(
      "select sha256, bytes, content_type from image_files where store_hash = ? and sha256 in (select value from json_each(?))",
    )
      .bind(storeHash, JSON.stringify(shas.slice(i, i + 500)))
      .all<FileRow>();
    for (const r of results) out.set(r.sha256, r);
  }
  return out;
}

/**
 * For exports ("Include image files"): every image file the latest versions of the live records of
 * `types` reference, as `{ path, key, size }` (path inside the ZIP under `images/`, R2 key in VAULT).
 * A file shared by two records appears under both. Read the bytes with `env.VAULT.get(key)`.
 */
export async function* listImageFiles(
  env: Env,
  storeHash: string,
  types: string[],
): AsyncIterable<{ path: string; key: string; size: number }> {
  const wanted = types.filter((t) => t in imageFields);
  if (wanted.length === 0) return;
  let batch: LinkRow[] = [];
  const flush = async function* () {
    const parsed = batch.map((row) => ({ row, images: JSON.parse(row.images) as LinkedImage[] }));
    const shas = [...new Set(parsed.flatMap((p) => p.images.flatMap(([, sha]) => (sha ? [sha] : []))))];
    const files = await filesBySha(env, storeHash, shas);
    for (const { row, images } of parsed) {
      let position = 0;
      for (const [key, sha] of images) {
        position++;
        const file = sha ? files.get(sha) : undefined;
        if (!file) continue;
        yield {
          path: zipPath(row.type, row.record_id, position, key, file.content_type),
          key: imageKey(storeHash, file.sha256),
          size: file.bytes,
        };
      }
    }
    batch = [];
  };
  for await (const row of currentLinks(env, storeHash, wanted)) {
    batch.push(row);
    if (batch.length >= PAGE) yield* flush();
  }
  yield* flush();
}

/** What `listImageFiles` yields, counted: shown before an export with image files starts. */
export async function imageFilesSize(
  env: Env,
  storeHash: string,
  types: string[],
): Promise<{ count: number; bytes: number }> {
  const wanted = types.filter((t) => t in imageFields);
  if (wanted.length === 0) return { count: 0, bytes: 0 };
  const row = await env.DB.prepare(
    `select count(*) as count, coalesce(sum(f.bytes), 0) as bytes
     from records r
     join version_images l on l.store_hash = r.store_hash and l.version_hash = r.current_hash
     join json_each(l.images) j
     join image_files f on f.store_hash = r.store_hash and f.sha256 = j.value->>'$[1]'
     where r.store_hash = ?1 and r.type in (select value from json_each(?2)) and r.deleted = 0`,
  )
    .bind(storeHash, JSON.stringify(wanted))
    .first<{ count: number; bytes: number }>();
  return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 };
}

/** Item Storage's image row: every file the store's vault holds, each counted once. */
export async function imageStorage(env: Env, storeHash: string): Promise<{ files: number; bytes: number }> {
  const row = await env.DB.prepare(
    "select count(*) as files, coalesce(sum(bytes), 0) as bytes from image_files where store_hash = ?",
  )
    .bind(storeHash)
    .first<{ files: number; bytes: number }>();
  return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
}

export type VersionImage = {
  sha256: string | null;
  url: string;
  label: string;
  bytes: number | null;
  contentType: string | null;
};

/** The images one version references (by its body hash), in body order; `sha256` null when the file could not be kept. */
export async function imagesOfVersion(
  env: Env,
  storeHash: string,
  type: string,
  versionHash: string | null,
): Promise<VersionImage[]> {
  if (!versionHash) return [];
  const link = await env.DB.prepare(
    "select images from version_images where store_hash = ? and version_hash = ?",
  )
    .bind(storeHash, versionHash)
    .first<{ images: string }>();
  if (!link) return [];
  const images = JSON.parse(link.images) as LinkedImage[];
  const files = await filesBySha(
    env,
    storeHash,
    images.flatMap(([, sha]) => (sha ? [sha] : [])),
  );
  const fields = imageFields[type as keyof typeof imageFields] ?? [];
  return images.map(([key, sha, field]) => {
    const file = sha ? files.get(sha) : undefined;
    return {
      sha256: file ? file.sha256 : null,
      url: key.replace(/#[^#]*$/, ""),
      label: fields[field]?.label ?? "image",
      bytes: file?.bytes ?? null,
      contentType: file?.content_type ?? null,
    };
  });
}
