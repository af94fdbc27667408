import type { LinkedImage } from "./capture";
import { chunks, imageKey } from "./files";

const PAGE = 2000;

/**
 * Retention for image files (after versions are pruned): the links of versions no longer in the vault
 * go, then the files no remaining link references (R2 object, `image_files` row) and the source URLs
 * that pointed at them, so a later backup downloads such a URL again instead of linking a deleted file.
 * A file is kept while any kept version of any record references it.
 */
export async function pruneImageFiles(
  env: Env,
  storeHash: string,
): Promise<{ files: number; bytes: number }> {
  await env.DB.prepare(
    `delete from version_images where store_hash = ?1 and not exists (
       select 1 from versions v where v.store_hash = ?1 and v.type = version_images.type
         and v.record_id = version_images.record_id and v.hash = version_images.version_hash)`,
  )
    .bind(storeHash)
    .run();

  const referenced = new Set<string>();
  for (let after = ""; ; ) {
    const { results } = await env.DB.prepare(
      "select version_hash, images from version_images where store_hash = ? and version_hash > ? order by version_hash limit ?",
    )
      .bind(storeHash, after, PAGE)
      .all<{ version_hash: string; images: string }>();
    for (const r of results)
      for (const [, sha] of JSON.parse(r.images) as LinkedImage[]) if (sha) referenced.add(sha);
    if (results.length < PAGE) break;
    after = results[results.length - 1].version_hash;
  }

  const unreferenced: { sha256: string; bytes: number }[] = [];
  for (let after = ""; ; ) {
    const { results } = await env.DB.prepare(
      "select sha256, bytes from image_files where store_hash = ? and sha256 > ? order by sha256 limit ?",
    )
      .bind(storeHash, after, PAGE)
      .all<{ sha256: string; bytes: number }>();
    for (const f of results) if (!referenced.has(f.sha256)) unreferenced.push(f);
    if (results.length < PAGE) break;
    after = results[results.length - 1].sha256;
  }

  for (const chunk of chunks(unreferenced, 500)) {
    const shas = JSON.stringify(chunk.map((f) => f.sha256));
    // Index rows first: a file is never listed without its object (an orphan object is only wasted bytes).
    await env.DB.batch([
      env.DB.prepare(
        "delete from image_sources where store_hash = ? and sha256 in (select value from json_each(?))",
      ).bind(storeHash, shas),
      env.DB.prepare(
        "delete from image_files where store_hash = ? and sha256 in (select value from json_each(?))",
      ).bind(storeHash, shas),
    ]);
    await env.VAULT.delete(chunk.map((f) => imageKey(storeHash, f.sha256)));
  }
  return { files: unreferenced.length, bytes: unreferenced.reduce((n, f) => n + f.bytes, 0) };
}
