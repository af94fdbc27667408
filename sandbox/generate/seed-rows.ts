import type { Rec } from "../engine/table.ts";
import type { Rand } from "./content-kit.ts";
import type { GenContext } from "./context.ts";

/**
 * Bulk seeding for the large non-catalog collections (25,000 customers, 50,000 orders with 150,000 lines):
 * the generators already build complete BigCommerce-shaped rows, so they go straight into the tables
 * with their hidden `_created`/`_modified` times, and the id counters move past them. Small collections
 * go through `g.create` like any POST.
 */
export function insertRows(
  g: GenContext,
  collection: string,
  rows: readonly object[],
  dates: { created?: string; modified?: string } = {},
  key = "id",
): void {
  const table = g.ctx.store.table(collection, key);
  let max = 0;
  for (const row of rows as Rec[]) {
    const created = dates.created ? toMs(row[dates.created]) : g.now;
    row._created = Number.isNaN(created) ? g.now : created;
    const modified = dates.modified ? toMs(row[dates.modified]) : row._created;
    row._modified = Number.isNaN(modified) ? row._created : modified;
    table.insert(row);
    if (typeof row[key] === "number" && row[key] > max) max = row[key];
  }
  if (max) g.ctx.store.bumpId(collection, max);
}

/** ISO 8601, RFC 2822 or unix-seconds strings (banners) to ms. */
function toMs(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

/** The generator's PRNG as the plain `() => number` the pure generators take. */
export function randOf(g: GenContext): Rand {
  return () => g.rng.next();
}
