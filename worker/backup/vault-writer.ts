import { deflateSync } from "fflate";
import { newId } from "../lib/ids";
import { canonicalJson, contentHash } from "./canonical";

/** A record as captured: `body` null means BigCommerce no longer has it (a deletion). */
export type CapturedRecord = {
  recordId: string;
  body: unknown | null;
  displayName: string;
  searchText: string;
};

export type CaptureMeta = {
  storeHash: string;
  type: string;
  backupId: string | null;
  source: "backup" | "webhook" | "before_restore" | "restore";
  capturedAt: number;
};

export type StageResult = { versions: number; deleted: number; unchanged: number; bytes: number };

/** A version waiting in the open pack; written to D1 when the pack is flushed. */
type PendingEntry = {
  type: string;
  recordId: string;
  backupId: string | null;
  source: string;
  change: "created" | "updated" | "deleted";
  capturedAt: number;
  displayName: string;
  searchText: string;
  hash: string | null;
  size: number;
  packId: string | null;
  offset: number | null;
  length: number | null;
  body: Uint8Array | null;
};

/** A pack is flushed when it reaches this size or entry count (keeps R2 writes few and D1 batches bounded). */
export const PACK_MAX_BYTES = 4 * 1024 * 1024;
export const PACK_MAX_ENTRIES = 2000;
/** Rows per json_each statement: each statement binds 2-3 parameters, far under D1's 100. */
const ROWS_PER_STATEMENT = 400;

export const packKey = (storeHash: string, packId: string) => `packs/${storeHash}/${packId}`;

/**
 * Writes versions into the vault for one store, from inside its Durable Object.
 *
 * New bodies are compressed (raw DEFLATE, per entry: the format `DecompressionStream("deflate-raw")`
 * reads) and appended to the open pack, which lives in the object's SQLite until it is flushed: so a
 * job that saves its cursor in the same synchronous transaction as `commit()` never loses or repeats
 * a version when the object is evicted. `flush()` puts the pack in R2 under a fixed id, then writes
 * the D1 index (packs, versions, records) in one `batch()`; every statement is idempotent (insert or
 * ignore; records only move forward in time), so a flush interrupted anywhere can simply run again.
 */
export class VaultWriter {
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
  ) {
    sql.exec(
      `create table if not exists open_pack (slot integer primary key check (slot = 1), pack_id text not null)`,
    );
    sql.exec(`create table if not exists pack_entries (
      seq integer primary key autoincrement, pack_id text not null, type text not null, record_id text not null,
      backup_id text, source text not null, change text not null, captured_at integer not null,
      display_name text not null, search_text text not null, hash text, size integer not null,
      ref_pack_id text, "offset" integer, length integer, body blob)`);
    sql.exec("create table if not exists vault_meta (key text primary key, value text not null)");
    sql.exec(`create index if not exists pack_entries_record on pack_entries (type, record_id)`);
    sql.exec(`create index if not exists pack_entries_hash on pack_entries (hash)`);
  }

  /**
   * Compares captured records with the vault and prepares versions for the changed ones (async:
   * reads D1, hashes, compresses). Nothing is stored until `commit()` runs the result.
   */
  async prepare(
    meta: CaptureMeta,
    captured: CapturedRecord[],
  ): Promise<{ entries: PendingEntry[]; result: StageResult }> {
    const result: StageResult = { versions: 0, deleted: 0, unchanged: 0, bytes: 0 };
    if (captured.length === 0) return { entries: [], result };
    const current = await this.currentState(
      meta.storeHash,
      meta.type,
      captured.map((c) => c.recordId),
    );

    const candidates: {
      c: CapturedRecord;
      json: string | null;
      hash: string | null;
      change: PendingEntry["change"];
    }[] = [];
    for (const c of captured) {
      const cur = current.get(c.recordId);
      if (c.body === null) {
        if (!cur || cur.deleted) {
          result.unchanged++;
          continue;
        }
        candidates.push({ c, json: null, hash: null, change: "deleted" });
        continue;
      }
      const json = canonicalJson(c.body);
      const hash = await contentHash(json);
      if (cur && !cur.deleted && cur.hash === hash) {
        result.unchanged++;
        continue;
      }
      candidates.push({ c, json, hash, change: cur && !cur.deleted ? "updated" : "created" });
    }

    const known = await this.knownLocations(
      meta.storeHash,
      candidates.map((x) => x.hash).filter((h): h is string => h !== null),
    );
    const entries: PendingEntry[] = [];
    for (const { c, json, hash, change } of candidates) {
      const base = {
        type: meta.type,
        recordId: c.recordId,
        backupId: meta.backupId,
        source: meta.source,
        change,
        capturedAt: meta.capturedAt,
        displayName: c.displayName,
        searchText: c.searchText,
        hash,
      };
      if (json === null || hash === null) {
        entries.push({ ...base, size: 0, packId: null, offset: null, length: null, body: null });
        result.deleted++;
        continue;
      }
      const size = new TextEncoder().encode(json).byteLength;
      const loc = known.get(hash);
      if (loc) {
        entries.push({
          ...base,
          size,
          packId: loc.packId,
          offset: loc.offset,
          length: loc.length,
          body: null,
        });
      } else {
        const body = deflateSync(new TextEncoder().encode(json), { level: 6 });
        entries.push({ ...base, size, packId: null, offset: null, length: body.byteLength, body });
        result.bytes += body.byteLength;
      }
      result.versions++;
    }
    return { entries, result };
  }

  /**
   * Appends prepared entries to the open pack. Synchronous on purpose: call it inside
   * `ctx.storage.transactionSync()` together with the job's cursor.
   */
  commit(entries: PendingEntry[]): void {
    if (entries.length === 0) return;
    let packId = this.openPackId();
    let size = this.openPackSize();
    const hashInPack = new Map<string, { offset: number; length: number }>();
    for (const e of entries) {
      if (e.body && e.hash) {
        const dup = hashInPack.get(e.hash) ?? this.findInOpenPack(packId, e.hash);
        if (dup) {
          this.insertEntry(packId, { ...e, packId, offset: dup.offset, length: dup.length, body: null });
          continue;
        }
        this.insertEntry(packId, { ...e, packId: null, offset: size, length: e.body.byteLength });
        hashInPack.set(e.hash, { offset: size, length: e.body.byteLength });
        size += e.body.byteLength;
      } else {
        this.insertEntry(packId, e);
      }
      if (size >= PACK_MAX_BYTES) {
        // Later entries go to a fresh pack; the full one is flushed by the next flush().
        packId = this.rotatePack();
        size = 0;
        hashInPack.clear();
      }
    }
  }

  /** Records of a type with versions waiting in the open pack: id → deleted? (the latest entry wins). */
  pendingState(type: string): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const r of this.sql.exec(
      "select record_id, change from pack_entries where type = ? order by seq",
      type,
    )) {
      out.set(String(r.record_id), r.change === "deleted");
    }
    return out;
  }

  /** Entries waiting to be flushed. */
  pendingEntries(): number {
    return Number(this.sql.exec("select count(*) as n from pack_entries").one().n);
  }

  shouldFlush(): boolean {
    // `length` is the stored entry's size column: summing it never reads the bodies.
    const row = this.sql
      .exec(
        "select count(*) as n, coalesce(sum(case when body is null then 0 else length end), 0) as bytes from pack_entries",
      )
      .one();
    return Number(row.n) >= PACK_MAX_ENTRIES || Number(row.bytes) >= PACK_MAX_BYTES;
  }

  /** Flushes every pending pack to R2 and D1. Concurrent callers share one flush. */
  async flush(): Promise<{ packs: number; versions: number }> {
    const stats = { packs: 0, versions: 0 };
    while (this.flushing) await this.flushing;
    const run = (async () => {
      const packIds = this.sql
        .exec("select distinct pack_id from pack_entries order by seq")
        .toArray()
        .map((r) => String(r.pack_id));
      for (const packId of packIds) {
        const n = await this.flushPack(packId);
        if (n.wrote) stats.packs++;
        stats.versions += n.versions;
      }
    })();
    this.flushing = run;
    try {
      await run;
    } finally {
      this.flushing = null;
    }
    return stats;
  }

  private async flushPack(packId: string): Promise<{ wrote: boolean; versions: number }> {
    if (packId === this.openPackId()) this.rotatePack();
    const rows = this.sql
      .exec(
        `select type, record_id, backup_id, source, change, captured_at, display_name, search_text, hash, size,
                ref_pack_id, "offset", length, body from pack_entries where pack_id = ? order by seq`,
        packId,
      )
      .toArray();
    if (rows.length === 0) return { wrote: false, versions: 0 };
    const storeHash = this.storeHash();
    const bodies = rows.filter((r) => r.body !== null);
    let packSize = 0;
    if (bodies.length > 0) {
      packSize = bodies.reduce((n, r) => Math.max(n, Number(r.offset) + Number(r.length)), 0);
      const pack = new Uint8Array(packSize);
      for (const r of bodies) pack.set(new Uint8Array(r.body as ArrayBuffer), Number(r.offset));
      await this.env.VAULT.put(packKey(storeHash, packId), pack, {
        customMetadata: { store: storeHash, entries: String(bodies.length) },
      });
    }
    const versionRows = rows.map((r) => [
      r.type,
      r.record_id,
      r.backup_id,
      r.source,
      r.change,
      r.captured_at,
      r.display_name,
      r.hash,
      r.size,
      r.body !== null ? packId : r.ref_pack_id,
      r.offset,
      r.length,
    ]);
    // One records row per record: its latest entry, with how many versions this flush adds.
    const latest = new Map<string, { r: Record<string, SqlStorageValue>; count: number }>();
    for (const r of rows) {
      const key = `${r.type}\u0000${r.record_id}`;
      latest.set(key, { r, count: (latest.get(key)?.count ?? 0) + 1 });
    }
    const recordRows = [...latest.values()].map(({ r, count }) => [
      r.type,
      r.record_id,
      r.display_name,
      r.search_text,
      r.hash,
      count,
      r.size,
      r.change === "deleted" ? 1 : 0,
      r.change === "deleted" ? r.captured_at : null,
      r.captured_at,
    ]);

    const db = this.env.DB;
    const statements: D1PreparedStatement[] = [];
    if (bodies.length > 0) {
      statements.push(
        db
          .prepare(
            "insert or ignore into packs (id, store_hash, key, size, entries, created_at) values (?, ?, ?, ?, ?, ?)",
          )
          .bind(packId, storeHash, packKey(storeHash, packId), packSize, bodies.length, Date.now()),
      );
    }
    for (const chunk of chunks(versionRows, ROWS_PER_STATEMENT)) {
      statements.push(
        db
          .prepare(
            `insert or ignore into versions (store_hash, type, record_id, backup_id, source, change, captured_at, display_name,
               hash, size, pack_id, "offset", length)
             select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]', j->>'$[5]', j->>'$[6]', j->>'$[7]',
               j->>'$[8]', j->>'$[9]', j->>'$[10]', j->>'$[11]'
             from (select value as j from json_each(?2))`,
          )
          .bind(storeHash, JSON.stringify(chunk)),
      );
    }
    for (const chunk of chunks(recordRows, ROWS_PER_STATEMENT)) {
      statements.push(
        db
          .prepare(
            `insert into records (store_hash, type, record_id, display_name, search_text, current_hash, version_count, size,
               deleted, deleted_at, first_seen_at, last_changed_at)
             select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]', j->>'$[5]', j->>'$[6]', j->>'$[7]',
               j->>'$[8]', j->>'$[9]', j->>'$[9]'
             from (select value as j from json_each(?2)) where true
             on conflict (store_hash, type, record_id) do update set
               display_name = excluded.display_name, search_text = excluded.search_text,
               current_hash = excluded.current_hash, version_count = records.version_count + excluded.version_count,
               size = excluded.size, deleted = excluded.deleted, deleted_at = excluded.deleted_at,
               last_changed_at = excluded.last_changed_at
             where records.last_changed_at < excluded.last_changed_at`,
          )
          .bind(storeHash, JSON.stringify(chunk)),
      );
    }
    await db.batch(statements);
    this.sql.exec("delete from pack_entries where pack_id = ?", packId);
    return { wrote: bodies.length > 0, versions: rows.length };
  }

  /** The record's current hash and deletion state: the latest pending entry, else D1's records row. */
  private async currentState(storeHash: string, type: string, ids: string[]) {
    const out = new Map<string, { hash: string | null; deleted: boolean }>();
    for (const chunk of chunks(ids, 5000)) {
      const { results } = await this.env.DB.prepare(
        `select record_id, current_hash, deleted from records
         where store_hash = ? and type = ? and record_id in (select value from json_each(?))`,
      )
        .bind(storeHash, type, JSON.stringify(chunk))
        .all<{ record_id: string; current_hash: string | null; deleted: number }>();
      for (const r of results) out.set(r.record_id, { hash: r.current_hash, deleted: Boolean(r.deleted) });
    }
    for (const chunk of chunks(ids, 5000)) {
      const pending = this.sql
        .exec(
          `select record_id, hash, change from pack_entries
           where type = ? and record_id in (select value from json_each(?)) order by seq`,
          type,
          JSON.stringify(chunk),
        )
        .toArray();
      for (const r of pending)
        out.set(String(r.record_id), { hash: r.hash as string | null, deleted: r.change === "deleted" });
    }
    return out;
  }

  /** Where identical content already lives (content-addressed dedupe across records and time). */
  private async knownLocations(storeHash: string, hashes: string[]) {
    const out = new Map<string, { packId: string; offset: number; length: number }>();
    const unique = [...new Set(hashes)];
    for (const chunk of chunks(unique, 2000)) {
      const { results } = await this.env.DB.prepare(
        `select hash, pack_id, "offset", length from versions
         where store_hash = ? and hash in (select value from json_each(?)) and pack_id is not null group by hash`,
      )
        .bind(storeHash, JSON.stringify(chunk))
        .all<{ hash: string; pack_id: string; offset: number; length: number }>();
      for (const r of results) out.set(r.hash, { packId: r.pack_id, offset: r.offset, length: r.length });
    }
    return out;
  }

  private findInOpenPack(packId: string, hash: string) {
    const row = this.sql
      .exec(
        'select "offset", length from pack_entries where pack_id = ? and hash = ? and body is not null limit 1',
        packId,
        hash,
      )
      .toArray()[0];
    return row ? { offset: Number(row.offset), length: Number(row.length) } : undefined;
  }

  private insertEntry(packId: string, e: PendingEntry) {
    this.sql.exec(
      `insert into pack_entries (pack_id, type, record_id, backup_id, source, change, captured_at, display_name, search_text,
         hash, size, ref_pack_id, "offset", length, body) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      packId,
      e.type,
      e.recordId,
      e.backupId,
      e.source,
      e.change,
      e.capturedAt,
      e.displayName,
      e.searchText,
      e.hash,
      e.size,
      e.body ? null : e.packId,
      e.offset,
      e.length,
      e.body,
    );
  }

  private openPackId(): string {
    const row = this.sql.exec("select pack_id from open_pack where slot = 1").toArray()[0];
    if (row) return String(row.pack_id);
    return this.rotatePack();
  }

  private openPackSize(): number {
    const row = this.sql
      .exec(
        'select coalesce(max("offset" + length), 0) as size from pack_entries where pack_id = ? and body is not null',
        this.openPackId(),
      )
      .one();
    return Number(row.size);
  }

  private rotatePack(): string {
    const id = newId();
    this.sql.exec(
      "insert into open_pack (slot, pack_id) values (1, ?) on conflict (slot) do update set pack_id = excluded.pack_id",
      id,
    );
    return id;
  }

  private storeHash(): string {
    const row = this.sql.exec("select value from vault_meta where key = 'store_hash'").toArray()[0];
    if (!row) throw new Error("vault store hash not set");
    return String(row.value);
  }

  /** The Durable Object is one store's: its hash is recorded once so flushes never need it passed in. */
  bindStore(storeHash: string) {
    this.sql.exec("insert or ignore into vault_meta (key, value) values ('store_hash', ?)", storeHash);
  }
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
