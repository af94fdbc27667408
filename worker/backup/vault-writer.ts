import { newId } from "../lib/ids";
import { type DeflatedBody, deflateBodies } from "./body-deflate";
import { canonicalJson } from "./canonical";

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
  /** Where the body starts in its range's inflated bytes (see body-deflate.ts: frames). */
  bodyOffset: number;
  /** D1 or the staged entries had a records row for it when it was prepared. */
  known: boolean;
  /** New bytes: this body's share of its frame (offset and length are set when the pack places it). */
  body: Uint8Array | null;
  frame: Pick<DeflatedBody, "first" | "last"> | null;
};

/**
 * An entry as staged in the object's SQLite: its index row, the body (if any) in its batch's blob.
 * Entries staged before frames carry no `bodyOffset` (0) and no `known` (true).
 */
type StagedEntry = Omit<PendingEntry, "body" | "frame" | "bodyOffset" | "known"> & {
  own: boolean;
  bodyOffset?: number;
  known?: boolean;
};

/** Where the writer's own time goes (the ingest benchmark reads it; nothing else depends on it). */
export type VaultProfile = {
  records: number;
  newBodies: number;
  currentStateMs: number;
  canonicalMs: number;
  hashMs: number;
  deflateMs: number;
  commitMs: number;
  flushR2Ms: number;
  flushD1Ms: number;
  flushes: number;
  /** D1's own count of rows its flushes wrote, index entries included: what D1 bills. */
  d1RowsWritten: number;
};

/** A pack is flushed when it reaches this size or entry count (keeps R2 writes few and D1 batches bounded). */
export const PACK_MAX_BYTES = 4 * 1024 * 1024;
export const PACK_MAX_ENTRIES = 2000;
/** One staged row holds at most this much body (the object's SQLite caps a row at 2 MB). */
const BATCH_MAX_BYTES = 1024 * 1024;
/** Rows per json_each statement: each statement binds 2 parameters, far under D1's 100. */
const ROWS_PER_STATEMENT = 400;
/** Ids remembered per fresh type (about 16 MB at most); a larger type reads its current state from D1. */
const FRESH_MAX_IDS = 200_000;

/** The records rows of a flush (JSON rows, see flush()), inserted or, for existing records, updated as the caller says. */
const UPSERT_RECORDS = `insert into records (store_hash, type, record_id, display_name, search_text, current_hash, version_count,
    size, deleted, deleted_at, first_seen_at, last_changed_at)
  select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]', j->>'$[5]', j->>'$[6]', j->>'$[7]',
    j->>'$[8]', j->>'$[9]', j->>'$[9]'
  from (select value as j from json_each(?2)) where true
  on conflict (store_hash, type, record_id) do update set`;

export const packKey = (storeHash: string, packId: string) => `packs/${storeHash}/${packId}`;

const now = () => performance.now();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const toHex = (digest: ArrayBuffer) => {
  let out = "";
  for (const b of new Uint8Array(digest)) out += HEX[b];
  return out;
};

/**
 * Writes versions into the vault for one store, from inside its Durable Object.
 *
 * New bodies are compressed (raw DEFLATE in frames of a page's bodies, body-deflate.ts: a version is
 * still one R2 range read) and appended to the open pack, which lives in the
 * object's SQLite until it is flushed: so a job that saves its cursor in the same synchronous
 * transaction as `commit()` never loses or repeats a version when the object is evicted. A commit
 * stages its entries as one row (their index as JSON, their bodies as one blob), not a row per
 * entry: Durable Object SQLite bills every row written. `flush()` puts the pack in R2 under a fixed
 * id, then writes the D1 index (packs, versions, records) in one `batch()`; every statement is
 * idempotent (insert or ignore; records only move forward in time), so a flush interrupted
 * anywhere can simply run again.
 */
export class VaultWriter {
  private flushing: Promise<void> | null = null;
  /** The staged entries' latest state per record, and the open pack's bodies by hash (rebuilt from SQLite when stale). */
  private cache: {
    lastBatch: string | null;
    records: Map<string, { hash: string | null; deleted: boolean }>;
    openPack: string;
    openHashes: Map<string, { offset: number; length: number; bodyOffset: number }>;
  } | null = null;
  /** Per backup and type: see freshType(). `ok` null once the type outgrew FRESH_MAX_IDS. */
  private fresh = new Map<string, { type: string; ids: Set<string>; ok: Promise<boolean> | null }>();
  readonly profile: VaultProfile = {
    records: 0,
    newBodies: 0,
    currentStateMs: 0,
    canonicalMs: 0,
    hashMs: 0,
    deflateMs: 0,
    commitMs: 0,
    flushR2Ms: 0,
    flushD1Ms: 0,
    flushes: 0,
    d1RowsWritten: 0,
  };

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
  ) {
    sql.exec(
      `create table if not exists open_pack (slot integer primary key check (slot = 1), pack_id text not null)`,
    );
    sql.exec(`create table if not exists staged (
      seq integer primary key, id text not null, pack_id text not null, base integer not null,
      bytes integer not null, n integer not null, entries text not null, body blob)`);
    sql.exec("create table if not exists vault_meta (key text primary key, value text not null)");
    this.migrateRowPerEntry();
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
    const p = this.profile;
    p.records += captured.length;
    // The index lookup (D1) runs while this isolate encodes and hashes the page.
    const currentRead = this.currentState(
      meta.storeHash,
      meta.type,
      captured.map((c) => c.recordId),
      meta.backupId,
    );
    // Awaited below; a throw before then must not leave its rejection unhandled.
    currentRead.catch(() => undefined);

    let t = now();
    const bytes = encodePage(captured.map((c) => (c.body === null ? null : canonicalJson(c.body))));
    p.canonicalMs += now() - t;
    t = now();
    // All digests at once: crypto.subtle runs them off the isolate's thread, one await for the page.
    const hashes = await Promise.all(
      bytes.map((b) => (b === null ? null : crypto.subtle.digest("SHA-256", b).then(toHex))),
    );
    p.hashMs += now() - t;
    t = now();
    const current = await currentRead;
    p.currentStateMs += now() - t;

    const candidates: { i: number; change: PendingEntry["change"] }[] = [];
    captured.forEach((c, i) => {
      const cur = current.get(c.recordId);
      if (c.body === null) {
        if (!cur || cur.deleted) result.unchanged++;
        else candidates.push({ i, change: "deleted" });
        return;
      }
      if (cur && !cur.deleted && cur.hash === hashes[i]) {
        result.unchanged++;
        return;
      }
      candidates.push({ i, change: cur && !cur.deleted ? "updated" : "created" });
    });

    // A record that had versions may return to an earlier content (an undo, a restore): point at that body.
    const known = await this.knownLocations(
      meta.storeHash,
      meta.type,
      candidates
        .filter(({ i }) => bytes[i] !== null && current.has(captured[i].recordId))
        .map(({ i }) => [captured[i].recordId, hashes[i] as string]),
    );
    const entries: PendingEntry[] = [];
    /** Entries whose body is new: compressed together, in one pass over the page. */
    const toDeflate: number[] = [];
    t = now();
    for (const { i, change } of candidates) {
      const c = captured[i];
      const body = bytes[i];
      const hash = hashes[i];
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
        known: current.has(c.recordId),
        frame: null,
      };
      if (body === null || hash === null) {
        entries.push({
          ...base,
          size: 0,
          packId: null,
          offset: null,
          length: null,
          bodyOffset: 0,
          body: null,
        });
        result.deleted++;
        continue;
      }
      const loc = known.get(`${c.recordId}\u0000${hash}`);
      if (loc) {
        entries.push({ ...base, size: body.byteLength, ...loc, body: null });
      } else {
        toDeflate.push(entries.length);
        entries.push({
          ...base,
          size: body.byteLength,
          packId: null,
          offset: null,
          length: null,
          bodyOffset: 0,
          body,
        });
      }
      result.versions++;
    }
    const compressed = deflateBodies(toDeflate.map((e) => entries[e].body as Uint8Array));
    toDeflate.forEach((e, k) => {
      const { bytes, first, last, bodyOffset } = compressed[k];
      Object.assign(entries[e], { body: bytes, frame: { first, last }, bodyOffset });
      result.bytes += bytes.byteLength;
    });
    p.newBodies += toDeflate.length;
    p.deflateMs += now() - t;
    return { entries, result };
  }

  /**
   * Appends prepared entries to the open pack. Synchronous on purpose: call it inside
   * `ctx.storage.transactionSync()` together with the job's cursor.
   */
  commit(entries: PendingEntry[]): void {
    if (entries.length === 0) return;
    const t = now();
    const cache = this.state();
    let packId = cache.openPack;
    let size = this.packSize(packId);
    let batch: { base: number; parts: Uint8Array[]; bytes: number; entries: StagedEntry[] } = {
      base: size,
      parts: [],
      bytes: 0,
      entries: [],
    };
    const writeBatch = () => {
      if (batch.entries.length === 0) return;
      const body = new Uint8Array(batch.bytes);
      let at = 0;
      for (const part of batch.parts) {
        body.set(part, at);
        at += part.byteLength;
      }
      const id = newId();
      this.sql.exec(
        "insert into staged (id, pack_id, base, bytes, n, entries, body) values (?, ?, ?, ?, ?, ?, ?)",
        id,
        packId,
        batch.base,
        batch.bytes,
        batch.entries.length,
        JSON.stringify(batch.entries),
        batch.bytes > 0 ? body : null,
      );
      cache.lastBatch = id;
      batch = { base: size, parts: [], bytes: 0, entries: [] };
    };
    /** Where the frame being laid out starts in the pack: every range of the frame starts there. */
    let frameBase = size;
    try {
      for (const { body, frame, ...e } of entries) {
        cache.records.set(`${e.type}\u0000${e.recordId}`, { hash: e.hash, deleted: e.change === "deleted" });
        if (!body || !e.hash) {
          batch.entries.push({ ...e, own: false });
          continue;
        }
        // Only a body alone in its frame may be left out: later bodies of a frame need the earlier ones' bytes.
        const alone = !frame || (frame.first && frame.last);
        const dup = alone ? cache.openHashes.get(e.hash) : undefined;
        if (dup) {
          batch.entries.push({ ...e, packId, ...dup, own: false });
          continue;
        }
        if (!frame || frame.first) frameBase = size;
        if (batch.bytes + body.byteLength > BATCH_MAX_BYTES) writeBatch();
        const length = size + body.byteLength - frameBase;
        batch.entries.push({ ...e, packId, offset: frameBase, length, own: true });
        batch.parts.push(body);
        batch.bytes += body.byteLength;
        cache.openHashes.set(e.hash, { offset: frameBase, length, bodyOffset: e.bodyOffset });
        size += body.byteLength;
        // A pack closes between frames only: a frame's ranges all start at its first byte.
        if (size >= PACK_MAX_BYTES && (!frame || frame.last)) {
          // Later entries go to a fresh pack; the full one is flushed by the next flush().
          writeBatch();
          packId = this.rotatePack();
          cache.openPack = packId;
          cache.openHashes = new Map();
          size = 0;
          batch.base = 0;
        }
      }
      writeBatch();
    } catch (err) {
      // The cache may hold entries SQLite never got: rebuild it from SQLite next time.
      this.cache = null;
      throw err;
    }
    this.profile.commitMs += now() - t;
  }

  /** Records of a type with versions waiting in the open pack: id → deleted? (the latest entry wins). */
  pendingState(type: string): Map<string, boolean> {
    const out = new Map<string, boolean>();
    const prefix = `${type}\u0000`;
    for (const [key, v] of this.state().records) {
      if (key.startsWith(prefix)) out.set(key.slice(prefix.length), v.deleted);
    }
    return out;
  }

  /** Entries waiting to be flushed. */
  pendingEntries(): number {
    return Number(this.sql.exec("select coalesce(sum(n), 0) as n from staged").one().n);
  }

  shouldFlush(): boolean {
    const row = this.sql
      .exec("select coalesce(sum(n), 0) as n, coalesce(sum(bytes), 0) as bytes from staged")
      .one();
    return Number(row.n) >= PACK_MAX_ENTRIES || Number(row.bytes) >= PACK_MAX_BYTES;
  }

  /**
   * Starts a flush without waiting for it, so a job reads and prepares its next page meanwhile
   * (commits go to a fresh pack). A failed one leaves its packs staged for the next flush.
   */
  flushInBackground(): void {
    if (this.flushing) return;
    this.flush().catch((err) => console.error("vault flush failed; retried by the next flush", err));
  }

  /** Resolves when no flush is running: D1's index and the staged entries then agree without overlap. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
  }

  /** Flushes every pending pack to R2 and D1. Concurrent callers share one flush. */
  async flush(): Promise<{ packs: number; versions: number }> {
    const stats = { packs: 0, versions: 0 };
    await this.idle();
    const run = (async () => {
      const packIds = this.sql
        .exec("select pack_id from staged group by pack_id order by min(seq)")
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
      // Flushed entries left SQLite; the next reader rebuilds the pending state from what is still staged.
      this.cache = null;
    }
    return stats;
  }

  private async flushPack(packId: string): Promise<{ wrote: boolean; versions: number }> {
    if (packId === this.openPackId()) this.rotatePack();
    const batches = this.sql
      .exec("select base, bytes, entries, body from staged where pack_id = ? order by seq", packId)
      .toArray();
    if (batches.length === 0) return { wrote: false, versions: 0 };
    const rows = batches.flatMap((b) => JSON.parse(String(b.entries)) as StagedEntry[]);
    const storeHash = this.storeHash();
    const own = rows.filter((r) => r.own).length;
    let packSize = 0;
    let t = now();
    if (own > 0) {
      packSize = batches.reduce((n, b) => Math.max(n, Number(b.base) + Number(b.bytes)), 0);
      const pack = new Uint8Array(packSize);
      for (const b of batches) {
        if (b.body !== null) pack.set(new Uint8Array(b.body as ArrayBuffer), Number(b.base));
      }
      await this.env.VAULT.put(packKey(storeHash, packId), pack, {
        customMetadata: { store: storeHash, entries: String(own) },
      });
    }
    this.profile.flushR2Ms += now() - t;
    const versionRows = rows.map((r) => [
      r.type,
      r.recordId,
      r.backupId,
      r.source,
      r.change,
      r.capturedAt,
      r.displayName,
      r.hash,
      r.size,
      r.packId,
      r.offset,
      r.length,
      r.bodyOffset ?? 0,
    ]);
    // One records row per record: its latest entry, with how many versions this flush adds, and
    // whether any of them found a records row (else the insert sets the name and search text).
    const latest = new Map<string, { r: StagedEntry; count: number; known: boolean }>();
    for (const r of rows) {
      const key = `${r.type}\u0000${r.recordId}`;
      const was = latest.get(key);
      latest.set(key, { r, count: (was?.count ?? 0) + 1, known: (was?.known ?? false) || (r.known ?? true) });
    }
    const toRow = ({ r, count }: { r: StagedEntry; count: number }) => [
      r.type,
      r.recordId,
      r.displayName,
      r.searchText,
      r.hash,
      count,
      r.size,
      r.change === "deleted" ? 1 : 0,
      r.change === "deleted" ? r.capturedAt : null,
      r.capturedAt,
    ];
    const recordRows = [...latest.values()].map(toRow);
    const knownRows = [...latest.values()].filter((l) => l.known).map(toRow);

    const db = this.env.DB;
    const statements: D1PreparedStatement[] = [];
    if (own > 0) {
      statements.push(
        db
          .prepare(
            "insert or ignore into packs (id, store_hash, key, size, entries, created_at) values (?, ?, ?, ?, ?, ?)",
          )
          .bind(packId, storeHash, packKey(storeHash, packId), packSize, own, Date.now()),
      );
    }
    for (const chunk of chunks(versionRows, ROWS_PER_STATEMENT)) {
      statements.push(
        db
          .prepare(
            `insert or ignore into versions (store_hash, type, record_id, backup_id, source, change, captured_at, display_name,
               hash, size, pack_id, "offset", length, body_offset)
             select ?1, j->>'$[0]', j->>'$[1]', j->>'$[2]', j->>'$[3]', j->>'$[4]', j->>'$[5]', j->>'$[6]', j->>'$[7]',
               j->>'$[8]', j->>'$[9]', j->>'$[10]', j->>'$[11]', j->>'$[12]'
             from (select value as j from json_each(?2))`,
          )
          .bind(storeHash, JSON.stringify(chunk)),
      );
    }
    for (const chunk of chunks(recordRows, ROWS_PER_STATEMENT)) {
      statements.push(
        db
          .prepare(
            `${UPSERT_RECORDS}
               current_hash = excluded.current_hash, version_count = records.version_count + excluded.version_count,
               size = excluded.size, deleted = excluded.deleted, deleted_at = excluded.deleted_at,
               last_changed_at = excluded.last_changed_at
             where records.last_changed_at < excluded.last_changed_at`,
          )
          .bind(storeHash, JSON.stringify(chunk)),
      );
    }
    // D1 bills an index entry for every indexed column an update sets, changed or not: the name and
    // search columns (two indexes) are set apart, only on the rows whose name or search text changed,
    // and only for records that had a row (a new record's insert above set them: a first backup skips this).
    // An upsert again, not UPDATE ... FROM json_each: SQLite would walk the store's records for each row.
    for (const chunk of chunks(knownRows, ROWS_PER_STATEMENT)) {
      statements.push(
        db
          .prepare(
            `${UPSERT_RECORDS}
               display_name = excluded.display_name, search_text = excluded.search_text
             where records.last_changed_at = excluded.last_changed_at and records.current_hash is excluded.current_hash
               and (records.display_name is not excluded.display_name or records.search_text is not excluded.search_text)`,
          )
          .bind(storeHash, JSON.stringify(chunk)),
      );
    }
    t = now();
    const results = await db.batch(statements);
    for (const r of results) this.profile.d1RowsWritten += r.meta.rows_written ?? 0;
    this.rememberFlushed(rows);
    this.profile.flushD1Ms += now() - t;
    this.profile.flushes++;
    this.sql.exec("delete from staged where pack_id = ?", packId);
    return { wrote: own > 0, versions: rows.length };
  }

  /** The record's current hash and deletion state: the latest staged entry, else D1's records row. */
  private async currentState(storeHash: string, type: string, ids: string[], backupId: string | null) {
    const out = new Map<string, { hash: string | null; deleted: boolean }>();
    // Staged entries are read before D1: a flush running meanwhile deletes them from SQLite only
    // after D1 has them, so every entry is seen in one of the two.
    const pending = new Map<string, { hash: string | null; deleted: boolean }>();
    const staged = this.state().records;
    if (staged.size > 0) {
      for (const id of ids) {
        const s = staged.get(`${type}\u0000${id}`);
        if (s) pending.set(id, s);
      }
    }
    const fresh = this.freshType(storeHash, type, backupId);
    // A type D1 had nothing of when this backup began it: only the ids this writer flushed since can be there.
    const lookup = fresh && (await fresh.ok) ? ids.filter((id) => fresh.ids.has(id)) : ids;
    for (const chunk of chunks(lookup, 5000)) {
      const { results } = await this.env.DB.prepare(
        `select record_id, current_hash, deleted from records
         where store_hash = ? and type = ? and record_id in (select value from json_each(?))`,
      )
        .bind(storeHash, type, JSON.stringify(chunk))
        .all<{ record_id: string; current_hash: string | null; deleted: number }>();
      for (const r of results) out.set(r.record_id, { hash: r.current_hash, deleted: Boolean(r.deleted) });
    }
    for (const [id, s] of pending) out.set(id, s);
    return out;
  }

  /**
   * Whether D1 held no record of this type when this backup first stored it (one `limit 1` query
   * per backup and type), and the ids this writer has flushed of it since. A first backup then
   * reads no current state from D1 per page. The id set is made before D1 is asked, so a flush
   * that lands meanwhile is in it; the vault's index is written only by this object's writer.
   */
  private freshType(storeHash: string, type: string, backupId: string | null) {
    if (backupId === null) return null;
    const key = `${backupId}\u0000${type}`;
    let entry = this.fresh.get(key);
    if (entry) return entry;
    // One backup runs at a time: entries of earlier ones are done with.
    for (const k of this.fresh.keys()) if (!k.startsWith(`${backupId}\u0000`)) this.fresh.delete(k);
    const ids = new Set<string>();
    const ok = this.env.DB.prepare("select 1 as found from records where store_hash = ? and type = ? limit 1")
      .bind(storeHash, type)
      .first<{ found: number }>()
      .then(
        (row) => row === null,
        () => false,
      );
    entry = { type, ids, ok };
    this.fresh.set(key, entry);
    return entry;
  }

  /** Flushed records of fresh types are remembered (up to a bound; past it the type reads D1 again). */
  private rememberFlushed(rows: StagedEntry[]) {
    for (const [key, entry] of this.fresh) {
      if (!entry.ok) continue;
      for (const r of rows) if (r.type === entry.type) entry.ids.add(r.recordId);
      if (entry.ids.size > FRESH_MAX_IDS) this.fresh.set(key, { ...entry, ids: new Set(), ok: null });
    }
  }

  /**
   * Where a record's earlier version with the same content lives (record id + hash → location), through
   * the (store, type, record) prefix of `versions_dedupe`. Dedupe is per record: a body carries its
   * record's id, so two records never share content.
   */
  private async knownLocations(storeHash: string, type: string, pairs: [string, string][]) {
    const out = new Map<string, { packId: string; offset: number; length: number; bodyOffset: number }>();
    // Staged bodies of the open pack are found by hash at commit; earlier staged packs by their
    // entries, looked up before D1 for the same reason as in currentState().
    const staged = new Map<string, { packId: string; offset: number; length: number; bodyOffset: number }>();
    for (const [recordId, hash] of pairs) {
      const loc = this.stagedLocation(type, recordId, hash);
      if (loc) staged.set(`${recordId}\u0000${hash}`, loc);
    }
    for (const chunk of chunks(pairs, 2000)) {
      const { results } = await this.env.DB.prepare(
        `select record_id, hash, pack_id, "offset", length, body_offset from versions
         where store_hash = ?1 and type = ?2 and record_id in (select value->>'$[0]' from json_each(?3))
           and hash in (select value->>'$[1]' from json_each(?3)) and pack_id is not null`,
      )
        .bind(storeHash, type, JSON.stringify(chunk))
        .all<{
          record_id: string;
          hash: string;
          pack_id: string;
          offset: number;
          length: number;
          body_offset: number;
        }>();
      for (const r of results)
        out.set(`${r.record_id}\u0000${r.hash}`, {
          packId: r.pack_id,
          offset: r.offset,
          length: r.length,
          bodyOffset: r.body_offset,
        });
    }
    for (const [key, loc] of staged) if (!out.has(key)) out.set(key, loc);
    return out;
  }

  /** A staged body of this record with this hash in a pack other than the open one (rare: a pack rotated mid-job). */
  private stagedLocation(type: string, recordId: string, hash: string) {
    const cache = this.state();
    if (cache.records.get(`${type}\u0000${recordId}`) === undefined) return undefined;
    for (const b of this.sql.exec("select pack_id, entries from staged where pack_id != ?", cache.openPack)) {
      for (const e of JSON.parse(String(b.entries)) as StagedEntry[]) {
        if (e.own && e.type === type && e.recordId === recordId && e.hash === hash)
          return {
            packId: String(b.pack_id),
            offset: e.offset as number,
            length: e.length as number,
            bodyOffset: e.bodyOffset ?? 0,
          };
      }
    }
    return undefined;
  }

  /** The staged state, rebuilt from SQLite when the object restarted or a transaction rolled a commit back. */
  private state() {
    const last = this.sql.exec("select id from staged order by seq desc limit 1").toArray()[0];
    const lastBatch = last ? String(last.id) : null;
    const openPack = this.openPackId();
    if (this.cache && this.cache.lastBatch === lastBatch && this.cache.openPack === openPack)
      return this.cache;
    const records = new Map<string, { hash: string | null; deleted: boolean }>();
    const openHashes = new Map<string, { offset: number; length: number; bodyOffset: number }>();
    for (const b of this.sql.exec("select pack_id, entries from staged order by seq")) {
      for (const e of JSON.parse(String(b.entries)) as StagedEntry[]) {
        records.set(`${e.type}\u0000${e.recordId}`, { hash: e.hash, deleted: e.change === "deleted" });
        if (e.own && e.hash && b.pack_id === openPack)
          openHashes.set(e.hash, {
            offset: e.offset as number,
            length: e.length as number,
            bodyOffset: e.bodyOffset ?? 0,
          });
      }
    }
    this.cache = { lastBatch, records, openPack, openHashes };
    return this.cache;
  }

  private packSize(packId: string): number {
    const row = this.sql
      .exec("select coalesce(max(base + bytes), 0) as size from staged where pack_id = ?", packId)
      .one();
    return Number(row.size);
  }

  private openPackId(): string {
    const row = this.sql.exec("select pack_id from open_pack where slot = 1").toArray()[0];
    if (row) return String(row.pack_id);
    return this.rotatePack();
  }

  private rotatePack(): string {
    const id = newId();
    this.sql.exec(
      "insert into open_pack (slot, pack_id) values (1, ?) on conflict (slot) do update set pack_id = excluded.pack_id",
      id,
    );
    return id;
  }

  /**
   * Objects staged one row per entry (`pack_entries`) before batches: their waiting entries become
   * batches of the same packs (offsets unchanged), so an upgrade mid-job loses nothing.
   */
  private migrateRowPerEntry() {
    const exists = this.sql
      .exec("select 1 from sqlite_master where type = 'table' and name = 'pack_entries'")
      .toArray().length;
    if (!exists) return;
    const byPack = new Map<string, Record<string, SqlStorageValue>[]>();
    for (const r of this.sql.exec("select * from pack_entries order by seq")) {
      const id = String(r.pack_id);
      byPack.set(id, [...(byPack.get(id) ?? []), r]);
    }
    for (const [packId, rows] of byPack) {
      const own = rows.filter((r) => r.body !== null);
      const base = own.reduce((n, r) => Math.min(n, Number(r.offset)), Number.POSITIVE_INFINITY);
      const end = own.reduce((n, r) => Math.max(n, Number(r.offset) + Number(r.length)), 0);
      const body = new Uint8Array(Math.max(end - (own.length ? base : 0), 0));
      for (const r of own) body.set(new Uint8Array(r.body as ArrayBuffer), Number(r.offset) - base);
      const entries: StagedEntry[] = rows.map((r) => ({
        type: String(r.type),
        recordId: String(r.record_id),
        backupId: r.backup_id === null ? null : String(r.backup_id),
        source: String(r.source),
        change: r.change as PendingEntry["change"],
        capturedAt: Number(r.captured_at),
        displayName: String(r.display_name),
        searchText: String(r.search_text),
        hash: r.hash === null ? null : String(r.hash),
        size: Number(r.size),
        packId: r.body !== null ? packId : r.ref_pack_id === null ? null : String(r.ref_pack_id),
        offset: r.offset === null ? null : Number(r.offset),
        length: r.length === null ? null : Number(r.length),
        own: r.body !== null,
      }));
      this.sql.exec(
        "insert into staged (id, pack_id, base, bytes, n, entries, body) values (?, ?, ?, ?, ?, ?, ?)",
        newId(),
        packId,
        own.length ? base : 0,
        body.byteLength,
        entries.length,
        JSON.stringify(entries),
        body.byteLength > 0 ? body : null,
      );
    }
    this.sql.exec("drop table pack_entries");
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

const encoder = new TextEncoder();

/**
 * UTF-8 of a page's texts as views of one buffer: one allocation per page instead of one per
 * record. A text that does not fit (more multi-byte characters than the slack) gets its own.
 */
function encodePage(texts: (string | null)[]): (Uint8Array | null)[] {
  let units = 0;
  for (const t of texts) if (t !== null) units += t.length;
  const buffer = new Uint8Array(units + (units >> 4) + 1024);
  let at = 0;
  return texts.map((t) => {
    if (t === null) return null;
    const { read, written } = encoder.encodeInto(t, buffer.subarray(at));
    if (read !== t.length) return encoder.encode(t);
    const out = buffer.subarray(at, at + written);
    at += written;
    return out;
  });
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
