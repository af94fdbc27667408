import { readPath } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";

/** JSON with object keys sorted at every level: equal content gives equal bytes, whatever the API's key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The name a merchant recognises: the first non-empty display field. */
export function displayNameOf(
  type: ContentType,
  record: Record<string, unknown>,
  fallbackId: string,
): string {
  for (const field of type.display.name) {
    const v = readPath(record, field);
    if (v !== undefined && v !== null && String(v).trim() !== "") return String(v).slice(0, 300);
  }
  return fallbackId;
}

/** Lower-cased search fields plus the id: what the item search matches. */
export function searchTextOf(type: ContentType, record: Record<string, unknown>, id: string): string {
  const parts = new Set<string>([id.toLowerCase()]);
  for (const field of type.display.search) {
    const v = readPath(record, field);
    if (v !== undefined && v !== null && typeof v !== "object") parts.add(String(v).toLowerCase());
  }
  return [...parts].join(" ").slice(0, 1000);
}
