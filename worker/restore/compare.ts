import type { ApiRecord } from "../bigcommerce/client";
import type { ChildWrite, MatchKey } from "../bigcommerce/write-spec";
import { omit, valuesAt } from "./body-paths";

/**
 * Does the live value carry everything the wanted value says? Objects compare on the wanted keys
 * that the live side has at all (BigCommerce leaves out write-only inputs such as `image_url`);
 * arrays compare element by element; numbers as numbers ("10.5" from v2 equals 10.5).
 */
export function carries(want: unknown, live: unknown): boolean {
  if (want === live) return true;
  if (want === null || want === undefined) return live === null || live === undefined || live === "";
  if (typeof want === "number" || typeof live === "number") {
    const a = Number(want);
    const b = Number(live);
    return (
      !Number.isNaN(a) &&
      !Number.isNaN(b) &&
      a === b &&
      String(want).trim() !== "" &&
      String(live).trim() !== ""
    );
  }
  if (Array.isArray(want)) {
    return Array.isArray(live) && want.length === live.length && want.every((w, i) => carries(w, live[i]));
  }
  if (typeof want === "object") {
    if (!live || typeof live !== "object" || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => !(k in l) || carries(v, l[k]));
  }
  return false;
}

/** The keys of `want` whose values the live record does not carry. */
export function differingFields(want: Record<string, unknown>, live: Record<string, unknown>): string[] {
  return Object.keys(want).filter((k) => k in live && !carries(want[k], live[k]));
}

const keyValue = (child: ApiRecord, key: MatchKey): string | null => {
  const fields = typeof key === "string" ? [key] : key;
  const parts = fields.map((f) => valuesAt(child, f)[0]);
  if (parts.some((p) => p === undefined || p === null || p === "")) return null;
  return JSON.stringify(parts);
};

export type ChildPairing = { pairs: [ApiRecord, ApiRecord][]; missing: ApiRecord[]; extra: ApiRecord[] };

/**
 * Pairs the version's sub-resources with the live ones: by id (unless the record was re-created,
 * when ids mean nothing), then by each natural key in turn, then the permanent ones together.
 */
export function pairChildren(
  spec: ChildWrite,
  want: ApiRecord[],
  live: ApiRecord[],
  byId: boolean,
): ChildPairing {
  const used = new Set<ApiRecord>();
  const pairOf = new Map<ApiRecord, ApiRecord>();
  const take = (w: ApiRecord, pick: (l: ApiRecord) => boolean) => {
    const l = live.find((x) => !used.has(x) && pick(x));
    if (l) {
      used.add(l);
      pairOf.set(w, l);
    }
  };
  if (byId) {
    for (const w of want) {
      const id = w[spec.idField];
      if (id !== undefined && id !== null) take(w, (l) => String(l[spec.idField]) === String(id));
    }
  }
  for (const key of spec.match) {
    for (const w of want) {
      if (pairOf.has(w)) continue;
      const v = keyValue(w, key);
      if (v !== null) take(w, (l) => keyValue(l, key) === v);
    }
  }
  if (spec.permanent) {
    for (const w of want)
      if (!pairOf.has(w) && spec.permanent(w)) take(w, (l) => spec.permanent?.(l) ?? false);
  }
  return {
    pairs: want.filter((w) => pairOf.has(w)).map((w) => [w, pairOf.get(w) as ApiRecord]),
    missing: want.filter((w) => !pairOf.has(w)),
    extra: live.filter((l) => !used.has(l)),
  };
}

/** A sub-resource as written: no server-assigned fields, no id, no nested list (synced on its own). */
export function childForWrite(spec: ChildWrite, child: ApiRecord): ApiRecord {
  const stripped = omit(child, [...spec.readOnly, spec.idField, ...(spec.nested ? [spec.nested.field] : [])]);
  if (spec.parentField) delete stripped[spec.parentField];
  return stripped;
}

export const childrenOf = (record: ApiRecord | null | undefined, field: string): ApiRecord[] =>
  Array.isArray(record?.[field]) ? (record[field] as ApiRecord[]) : [];

/** A short label for a sub-resource in messages ("variants SKU-1", "custom_fields color"). */
export function childLabel(spec: ChildWrite, child: ApiRecord): string {
  for (const key of spec.match) {
    const v = keyValue(child, key);
    if (v !== null) return `${spec.field} ${(JSON.parse(v) as unknown[]).join(" ")}`;
  }
  return `${spec.field} #${String(child[spec.idField] ?? "?")}`;
}
