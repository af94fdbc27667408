import { create } from "jsondiffpatch/with-text-diffs";

/**
 * The compare view's diff: arrays of sub-resources are matched by their natural key first (a variant's
 * SKU, an option's name, an image's URL), then by id, so a re-created record's children pair up and moved
 * items show as moves, not as delete + add; long text (descriptions, page bodies) diffs as text.
 */
const MATCH_KEYS = [
  "sku",
  "display_name",
  "image_url",
  "email",
  "code",
  "from_path",
  "label",
  "key",
  "name",
  "id",
  "uuid",
  "category_id",
];

export const recordDiffer = create({
  objectHash: (item: object, index?: number) => {
    const record = item as Record<string, unknown>;
    for (const key of MATCH_KEYS) {
      const value = record[key];
      if (value !== undefined && value !== null && value !== "") return `${key}:${String(value)}`;
    }
    return `$$index:${index ?? 0}`;
  },
  arrays: { detectMove: true, includeValueOnMove: false },
  textDiff: { minLength: 120 },
  cloneDiffValues: false,
});

export type Delta = ReturnType<typeof recordDiffer.diff>;

/** The delta from `left` (current) to `right` (selected version); undefined when they are equal. */
export function diffRecords(left: unknown, right: unknown): Delta {
  return recordDiffer.diff(left ?? {}, right ?? {});
}

/** Top-level fields that differ between the two records. */
export function changedFields(delta: Delta): Set<string> {
  if (!delta || typeof delta !== "object" || Array.isArray(delta)) return new Set();
  return new Set(Object.keys(delta));
}
