import { sha256Hex } from "../lib/ids";

/** Content-addressed: a file used by several records or versions is stored once per store. */
export const imageKey = (storeHash: string, sha256: string) => `images/${storeHash}/${sha256}`;

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Rows per json_each statement (D1 caps a statement at 100 KB). */
const ROWS_PER_STATEMENT = 200;

export type StoredFile = { sha256: string; bytes: number; contentType: string };

/**
 * Puts one downloaded file in R2 under its SHA-256 and returns what to index. Written straight away so a
 * step holds at most the files being downloaded in memory; the same bytes under the same key is a no-op
 * in effect (content-addressed), so a file the store already holds costs one put, never a second copy.
 */
export async function putFile(
  env: Env,
  storeHash: string,
  bytes: Uint8Array,
  contentType: string,
): Promise<StoredFile> {
  const sha256 = await sha256Hex(bytes);
  await env.VAULT.put(imageKey(storeHash, sha256), bytes, {
    httpMetadata: { contentType },
    customMetadata: { store: storeHash },
  });
  return { sha256, bytes: bytes.byteLength, contentType };
}

/** The D1 statements indexing stored files (run them in the batch that links versions to them). */
export function indexFiles(
  env: Env,
  storeHash: string,
  files: StoredFile[],
  now: number,
): D1PreparedStatement[] {
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  return chunks(unique, ROWS_PER_STATEMENT).map((chunk) =>
    env.DB.prepare(
      `insert or ignore into image_files (store_hash, sha256, bytes, content_type, first_seen_at)
       select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', ?2 from (select value as j from json_each(?3))`,
    ).bind(storeHash, now, JSON.stringify(chunk.map((f) => [f.sha256, f.bytes, f.contentType]))),
  );
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export { ROWS_PER_STATEMENT };
