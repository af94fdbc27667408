import { recordIdOf } from "../../worker/bigcommerce/client";
import { type ContentType, contentTypes } from "../../worker/bigcommerce/registry";

export type SandboxExport = Record<string, unknown> & { store?: unknown };
type Row = Record<string, unknown>;

/**
 * The sandbox's export names collections after its resources; where a registry type reads a
 * collection under another name, it is listed here (test-only knowledge of the emulator).
 */
const COLLECTION: Record<string, string[]> = {
  categories: ["categories"],
  inventory: ["inventory_levels"],
  widget_placements: ["placements", "widget_placements"],
  store_settings: [],
};

/** The export's rows for a registry type, or undefined when the sandbox does not serve it (yet). */
export function exportCollection(type: ContentType, exported: SandboxExport): Row[] | undefined {
  for (const name of COLLECTION[type.key] ?? [type.key]) {
    const rows = exported[name];
    if (Array.isArray(rows)) return rows as Row[];
  }
  return undefined;
}

/** Registry types the sandbox export holds records for. */
export function typesInExport(exported: SandboxExport): ContentType[] {
  return (contentTypes as readonly ContentType[]).filter(
    (t) => (exportCollection(t, exported)?.length ?? 0) > 0,
  );
}

/**
 * The record ids a backup should hold for the type, from the export. Per-parent types are compared
 * on their own id (`ownIds`): the export does not always carry the parent's id on the child.
 */
export function expectedIds(type: ContentType, exported: SandboxExport): string[] {
  const rows = exportCollection(type, exported) ?? [];
  const idType = ID_FIELD[type.key] ? { ...type, idField: ID_FIELD[type.key] } : type;
  return [...new Set(rows.map((r) => recordIdOf({ ...idType, parent: undefined }, r)))];
}

/**
 * The export keeps some collections in another endpoint's shape: categories as the legacy endpoint
 * (keyed by `id`), inventory as one row per variant and location (the API groups locations per variant).
 */
const ID_FIELD: Record<string, string> = { categories: "id", inventory: "variant_id" };

/** Vault ids without the parent prefix of per-parent types. */
export function ownIds(type: ContentType, ids: string[]): string[] {
  return type.parent ? ids.map((id) => id.slice(id.indexOf(":") + 1)) : ids;
}
