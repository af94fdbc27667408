import type { ApiRecord } from "../bigcommerce/client";
import type { JobContext, StepResult } from "../jobs/job-kinds";
import { readBodies } from "../restore/vault-bodies";
import { DOWNLOAD_CONCURRENCY, downloadImage, mapPool } from "./downloader";
import { chunks, indexFiles, putFile, ROWS_PER_STATEMENT } from "./files";
import { imageFields, imageRefsOf, imageTypes } from "./image-fields";

/** Records whose image files one step looks at (one or two packs' worth of bodies, a few hundred downloads). */
const RECORDS_PER_STEP = 250;
/** Downloads that failed without any answer from the CDN (network, 5xx) before a step stops trying. */
const GIVE_UP_AFTER = 12;
/** A step that fails this many times in a row (D1, R2) ends the image phase; the backup itself succeeds. */
const GIVE_UP_STEP_AFTER = 3;

/** One image of a version: its source key (URL + modification date), the file's SHA-256 (null: not downloaded), the image field. */
export type LinkedImage = [key: string, sha256: string | null, field: number];

type PendingRecord = {
  type: string;
  record_id: string;
  hash: string;
  id: number;
  store_hash: string;
  pack_id: string | null;
  offset: number | null;
  length: number | null;
  body_offset: number;
  size: number;
  change: "created" | "updated" | "deleted";
};

function ensureCursorTable(sql: SqlStorage) {
  sql.exec(`create table if not exists image_phase (job_id text primary key, type text not null,
    record_id text not null, failures integer not null default 0)`);
}

/**
 * The image phase at the end of a backup (call it once the backup's types are done; it returns
 * `done: true` when nothing is left). It walks the live records of the backup's image-carrying types
 * whose current version has no complete image links yet (new or changed records, or files that
 * failed to download last time), downloads only files whose URL and modification date the vault has
 * never seen, stores new ones in R2 by SHA-256, and links the version to them. An unchanged catalog
 * finds no such record and downloads nothing. Resumable: the position is kept in the Durable Object's
 * SQLite with the job's state, and every write is idempotent.
 */
export async function captureImagesStep<S extends { types: string[] }>(
  ctx: JobContext,
  state: S,
): Promise<StepResult<S>> {
  const sql = ctx.sql;
  ensureCursorTable(sql);
  const types = state.types.filter((t) => imageTypes.includes(t as never));
  if (types.length === 0) return { state, done: true };
  const at = sql
    .exec("select type, record_id, failures from image_phase where job_id = ?", ctx.jobId)
    .toArray()[0];
  const after = { type: String(at?.type ?? ""), recordId: String(at?.record_id ?? "") };
  let last: PendingRecord | undefined;
  try {
    // Versions this run captured may still be in the open pack: the D1 index must have them.
    await ctx.vault.flush();
    const { results } = await ctx.env.DB.prepare(
      `select r.type, r.record_id, r.current_hash as hash, v.id, v.store_hash, v.pack_id, v."offset", v.length, v.body_offset, v.size, v.change
       from records r
       join versions v on v.store_hash = r.store_hash and v.type = r.type and v.record_id = r.record_id and v.hash = r.current_hash
       where r.store_hash = ?1 and r.type in (select value from json_each(?2)) and r.deleted = 0
         and r.current_hash is not null and (r.type > ?3 or (r.type = ?3 and r.record_id > ?4))
         and not exists (select 1 from version_images l
                         where l.store_hash = r.store_hash and l.version_hash = r.current_hash and l.complete = 1)
       group by r.type, r.record_id order by r.type, r.record_id limit ?5`,
    )
      .bind(ctx.storeHash, JSON.stringify(types), after.type, after.recordId, RECORDS_PER_STEP)
      .all<PendingRecord>();
    if (results.length > 0) await linkImages(ctx.env, ctx.storeHash, results, ctx.now());
    last = results[results.length - 1];
  } catch (err) {
    // The records are backed up already: image files that keep failing wait for the next backup
    // (it finds them by their missing links) rather than failing this one.
    const failures = Number(at?.failures ?? 0) + 1;
    if (failures < GIVE_UP_STEP_AFTER) {
      sql.exec(
        `insert into image_phase (job_id, type, record_id, failures) values (?, ?, ?, ?)
         on conflict (job_id) do update set failures = excluded.failures`,
        ctx.jobId,
        after.type,
        after.recordId,
        failures,
      );
      throw err;
    }
    console.error(`image files of ${ctx.storeHash} left for the next backup:`, err);
  }
  if (!last) return { state, done: true, commit: () => sql.exec("delete from image_phase") };
  const { type, record_id } = last;
  return {
    state,
    commit: () => {
      // Positions of jobs that ended in this phase (cancelled, failed) are dropped here.
      sql.exec("delete from image_phase where job_id != ?", ctx.jobId);
      sql.exec(
        `insert into image_phase (job_id, type, record_id, failures) values (?, ?, ?, 0)
         on conflict (job_id) do update set type = excluded.type, record_id = excluded.record_id, failures = 0`,
        ctx.jobId,
        type,
        record_id,
      );
    },
  };
}

export type LinkStats = { downloads: number; failed: number; bytes: number };

/** Downloads what the records' current versions reference and the vault lacks, then links each version to its files. */
async function linkImages(
  env: Env,
  storeHash: string,
  records: PendingRecord[],
  now: number,
): Promise<LinkStats> {
  const bodies = await readBodies(
    env,
    records.map((r) => ({
      id: r.id,
      storeHash: r.store_hash,
      packId: r.pack_id,
      offset: r.offset,
      length: r.length,
      bodyOffset: r.body_offset,
      size: r.size,
      change: r.change,
    })),
  );
  const refs = records.map((r) => ({
    r,
    refs: imageRefsOf(r.type, (bodies.get(r.id) as ApiRecord) ?? null),
  }));
  const keys = [...new Set(refs.flatMap((x) => x.refs.map((ref) => ref.key)))];
  const known = new Map<string, string>();
  for (const chunk of chunks(keys, 500)) {
    const { results } = await env.DB.prepare(
      "select source_key, sha256 from image_sources where store_hash = ? and source_key in (select value from json_each(?))",
    )
      .bind(storeHash, JSON.stringify(chunk))
      .all<{ source_key: string; sha256: string }>();
    for (const s of results) known.set(s.source_key, s.sha256);
  }
  const urlOf = new Map(refs.flatMap((x) => x.refs.map((ref) => [ref.key, ref.url] as const)));
  const missing = keys.filter((k) => !known.has(k));
  // A CDN that is down (every attempt a network error or 5xx) is not waited out file by file: the rest
  // of the step's files are left for the next backup.
  let unreachable = 0;
  let reached = 0;
  const got = await mapPool(missing, DOWNLOAD_CONCURRENCY, async (key) => {
    if (unreachable >= GIVE_UP_AFTER && reached === 0) return { key, file: null };
    const res = await downloadImage(urlOf.get(key) as string);
    if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) reached++;
    else unreachable++;
    return { key, file: res.ok ? await putFile(env, storeHash, res.bytes, res.contentType) : null };
  });
  const files = got.flatMap((g) => (g.file ? [g.file] : []));
  for (const g of got) if (g.file) known.set(g.key, g.file.sha256);

  const sources = got.flatMap((g) => (g.file ? [[g.key, g.file.sha256]] : []));
  const links = refs.map(({ r, refs: list }) => {
    const images: LinkedImage[] = list.map((ref) => [
      ref.key,
      known.get(ref.key) ?? null,
      (imageFields[r.type as keyof typeof imageFields] ?? []).indexOf(ref.field),
    ]);
    return [r.hash, r.type, r.record_id, JSON.stringify(images), images.every((i) => i[1] !== null) ? 1 : 0];
  });
  const statements = indexFiles(env, storeHash, files, now);
  for (const chunk of chunks(sources, ROWS_PER_STATEMENT)) {
    statements.push(
      env.DB.prepare(
        `insert into image_sources (store_hash, source_key, sha256, fetched_at)
         select ?1, j->>'$[0]', j->>'$[1]', ?2 from (select value as j from json_each(?3)) where true
         on conflict (store_hash, source_key) do update set sha256 = excluded.sha256, fetched_at = excluded.fetched_at`,
      ).bind(storeHash, now, JSON.stringify(chunk)),
    );
  }
  for (const chunk of chunks(links, 100)) {
    statements.push(
      env.DB.prepare(
        `insert into version_images (store_hash, version_hash, type, record_id, images, complete)
         select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]' from (select value as j from json_each(?2)) where true
         on conflict (store_hash, version_hash) do update set images = excluded.images, complete = excluded.complete`,
      ).bind(storeHash, JSON.stringify(chunk)),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  return {
    downloads: missing.length,
    failed: got.filter((g) => !g.file).length,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
  };
}
