import { bodiesFrom } from "../backup/body-deflate";
import { packKey } from "../backup/vault-writer";
import { sha256Hex } from "../lib/ids";

export type VaultProblem = {
  kind:
    | "pack_missing"
    | "pack_size"
    | "pack_row_missing"
    | "location_missing"
    | "range_outside_pack"
    | "unreadable"
    | "hash_mismatch"
    | "deletion_with_body"
    | "record_out_of_date";
  detail: string;
  versionId?: number;
  type?: string;
  recordId?: string;
};

export type VaultReport = {
  storeHash: string;
  versions: number;
  bodiesChecked: number;
  packs: number;
  problems: VaultProblem[];
};

type VersionRow = {
  id: number;
  type: string;
  record_id: string;
  change: string;
  hash: string | null;
  pack_id: string | null;
  offset: number | null;
  length: number | null;
  body_offset: number;
  size: number;
};
type PackRow = { id: string; size: number };
type Where = { versionId: number; type: string; recordId: string };
/** A body to check, and the page's other versions that share it. */
type Check = { v: VersionRow; at: Where; key: string; others: Where[] };

const PAGE = 1000;

/**
 * Re-reads every version body of a store and checks it against the index: each body's SHA-256 equals
 * the hash the version claims, every location lies inside an existing pack, deletions carry no body,
 * and each record's current hash is its latest version's. Holds one pack in memory at a time.
 */
export async function checkVault(env: Pick<Env, "DB" | "VAULT">, storeHash: string): Promise<VaultReport> {
  const problems: VaultProblem[] = [];
  const packRows = (
    await env.DB.prepare("select id, size from packs where store_hash = ?").bind(storeHash).all<PackRow>()
  ).results;
  const packs = new Map(packRows.map((p) => [p.id, p]));
  let current: { id: string; bytes: Uint8Array | null } | null = null;
  const seenPacks = new Set<string>();
  const verified = new Map<string, boolean>();

  async function pack(id: string): Promise<Uint8Array | null> {
    if (current?.id !== id) {
      const obj = await env.VAULT.get(packKey(storeHash, id));
      const bytes = obj ? new Uint8Array(await obj.arrayBuffer()) : null;
      if (!seenPacks.has(id)) {
        seenPacks.add(id);
        if (!bytes) problems.push({ kind: "pack_missing", detail: `pack ${id} is indexed but not in R2` });
        else if (packs.get(id) && bytes.length !== packs.get(id)!.size) {
          problems.push({
            kind: "pack_size",
            detail: `pack ${id} holds ${bytes.length} bytes, the index says ${packs.get(id)!.size}`,
          });
        }
      }
      current = { id, bytes };
    }
    return current.bytes;
  }

  let versions = 0;
  let bodiesChecked = 0;
  for (let lastId = 0; ; ) {
    const rows = (
      await env.DB.prepare(
        `select id, type, record_id, change, hash, pack_id, "offset", length, body_offset, size from versions
         where store_hash = ? and id > ? order by id limit ${PAGE}`,
      )
        .bind(storeHash, lastId)
        .all<VersionRow>()
    ).results;
    if (rows.length === 0) break;
    lastId = rows[rows.length - 1].id;
    versions += rows.length;
    const toCheck = new Map<string, Check>();
    for (const v of rows) {
      const at = { versionId: v.id, type: v.type, recordId: v.record_id };
      if (v.change === "deleted") {
        if (v.pack_id || v.hash)
          problems.push({ ...at, kind: "deletion_with_body", detail: "a deletion points at a body" });
        continue;
      }
      if (!v.hash || !v.pack_id || v.offset === null || v.length === null) {
        problems.push({
          ...at,
          kind: "location_missing",
          detail: "the version has no hash or no pack location",
        });
        continue;
      }
      const row = packs.get(v.pack_id);
      if (!row) {
        problems.push({
          ...at,
          kind: "pack_row_missing",
          detail: `pack ${v.pack_id} is not in the packs table`,
        });
      } else if (v.offset < 0 || v.length <= 0 || v.offset + v.length > row.size) {
        problems.push({
          ...at,
          kind: "range_outside_pack",
          detail: `bytes ${v.offset}+${v.length} fall outside pack ${v.pack_id} (${row.size} bytes)`,
        });
        continue;
      }
      const key = `${v.pack_id}:${v.offset}:${v.length}:${v.hash}`;
      if (!verified.has(key)) {
        if (!toCheck.has(key)) toCheck.set(key, { v, at, key, others: [] });
        else toCheck.get(key)?.others.push(at);
      } else if (!verified.get(key)) {
        problems.push({ ...at, kind: "hash_mismatch", detail: "shares a body that failed its check" });
      }
    }
    // The page's bodies are read per pack and per frame: a frame's ranges all start at its first
    // byte, so it is inflated once for all its versions (body-deflate.ts) instead of once each.
    const byPack = new Map<string, Check[]>();
    for (const c of toCheck.values()) {
      const id = c.v.pack_id as string;
      byPack.set(id, [...(byPack.get(id) ?? []), c]);
    }
    for (const [id, checks] of byPack) {
      const bytes = await pack(id);
      if (!bytes) {
        for (const c of checks) verified.set(c.key, false);
        continue;
      }
      const place = (v: VersionRow) => ({
        offset: v.offset as number,
        length: v.length as number,
        bodyOffset: v.body_offset,
        size: v.size,
      });
      let bodies: (Uint8Array | null)[];
      try {
        bodies = bodiesFrom(
          bytes,
          0,
          checks.map((c) => place(c.v)),
        );
      } catch {
        // A damaged frame: each version alone, so the readable ones still pass.
        bodies = checks.map((c) => {
          try {
            return bodiesFrom(bytes, 0, [place(c.v)])[0];
          } catch {
            return null;
          }
        });
      }
      for (const [i, c] of checks.entries()) {
        const body = bodies[i];
        const ok = body !== null && (await sha256Hex(body)) === c.v.hash;
        if (body === null)
          problems.push({ ...c.at, kind: "unreadable", detail: "the body does not decompress" });
        else if (!ok)
          problems.push({
            ...c.at,
            kind: "hash_mismatch",
            detail: "the body read back does not match the version's SHA-256",
          });
        if (!ok)
          for (const other of c.others)
            problems.push({ ...other, kind: "hash_mismatch", detail: "shares a body that failed its check" });
        bodiesChecked++;
        verified.set(c.key, ok);
      }
    }
  }

  const records = await env.DB.prepare(
    `select r.type, r.record_id, r.current_hash, r.deleted,
       (select v.hash from versions v where v.store_hash = r.store_hash and v.type = r.type and v.record_id = r.record_id
        order by v.captured_at desc, v.id desc limit 1) as latest_hash,
       (select v.change from versions v where v.store_hash = r.store_hash and v.type = r.type and v.record_id = r.record_id
        order by v.captured_at desc, v.id desc limit 1) as latest_change
     from records r where r.store_hash = ?`,
  )
    .bind(storeHash)
    .all<{
      type: string;
      record_id: string;
      current_hash: string | null;
      deleted: number;
      latest_hash: string | null;
      latest_change: string | null;
    }>();
  for (const r of records.results) {
    if (r.latest_change === null) continue;
    const deleted = r.latest_change === "deleted";
    if (Boolean(r.deleted) !== deleted || (!deleted && r.current_hash !== r.latest_hash)) {
      problems.push({
        kind: "record_out_of_date",
        type: r.type,
        recordId: r.record_id,
        detail: "the item list disagrees with the record's latest version",
      });
    }
  }
  return { storeHash, versions, bodiesChecked, packs: packs.size, problems };
}
