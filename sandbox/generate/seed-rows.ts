import { type Rec, times } from "../engine/table.ts";
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
  // Lean resources keep their records in response shape, with the times in a side table.
  const lean = g.ctx.state.primary.get(collection)?.lean === true;
  let max = 0;
  for (const row of rows as Rec[]) {
    let created = dates.created ? toMs(row[dates.created]) : g.now;
    if (Number.isNaN(created)) created = g.now;
    let modified = dates.modified ? toMs(row[dates.modified]) : created;
    if (Number.isNaN(modified)) modified = created;
    if (lean) times.set(row, { c: created, m: modified });
    else {
      row._created = created;
      row._modified = modified;
    }
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
