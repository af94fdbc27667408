import { sha256Hex } from "../lib/ids";

/** Content-addressed: a file used by several records or versions is stored once per store. */
export const imageKey = (storeHash: string, sha256: string) => `images/${storeHash}/${sha256}`;

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Rows per json_each statement (D1 caps a statement at 100 KB). */
const ROWS_PER_STATEMENT = 200;

export type NewFile = { sha256: string; bytes: Uint8Array; contentType: string };

/**
 * Puts the files the store does not hold yet in R2 and returns the D1 statements that index them
 * (run them in the same batch as the links that reference them). Files already held are not written again.
 */
export async function storeFiles(
  env: Env,
  storeHash: string,
  files: NewFile[],
  now: number,
): Promise<{ statements: D1PreparedStatement[]; written: number; bytes: number }> {
  const unique = [...new Map(files.map((f) => [f.sha256, f])).values()];
  const held = new Set<string>();
  for (const chunk of chunks(unique, 500)) {
    const { results } = await env.DB.prepare(
      "select sha256 from image_files where store_hash = ? and sha256 in (select value from json_each(?))",
    )
      .bind(storeHash, JSON.stringify(chunk.map((f) => f.sha256)))
      .all<{ sha256: string }>();
    for (const r of results) held.add(r.sha256);
  }
  const fresh = unique.filter((f) => !held.has(f.sha256));
  for (const f of fresh) {
    await env.VAULT.put(imageKey(storeHash, f.sha256), f.bytes, {
      httpMetadata: { contentType: f.contentType },
      customMetadata: { store: storeHash },
    });
  }
  const statements = chunks(fresh, ROWS_PER_STATEMENT).map((chunk) =>
    env.DB.prepare(
      `insert or ignore into image_files (store_hash, sha256, bytes, content_type, first_seen_at)
       select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', ?2 from (select value as j from json_each(?3))`,
    ).bind(storeHash, now, JSON.stringify(chunk.map((f) => [f.sha256, f.bytes.byteLength, f.contentType]))),
  );
  return { statements, written: fresh.length, bytes: fresh.reduce((n, f) => n + f.bytes.byteLength, 0) };
}

export async function fileOf(bytes: Uint8Array, contentType: string): Promise<NewFile> {
  return { sha256: await sha256Hex(bytes), bytes, contentType };
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export { ROWS_PER_STATEMENT };
