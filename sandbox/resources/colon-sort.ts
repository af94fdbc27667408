import type { Ctx } from "../engine/context.ts";

/**
 * BigCommerce's `sort=field:direction` (v2 orders, v3 customers) in the engine's `sort=field&direction=`
 * form. `fields` maps each public sort name to the stored field to compare (dates compare by their hidden
 * millisecond times, `_created`/`_modified`, not by their formatted strings).
 */
export function colonSort(ctx: Ctx, fields: Record<string, string>): void {
  const raw = ctx.query.get("sort");
  if (!raw) return;
  const [name, direction] = raw.split(":");
  const field = fields[name ?? ""];
  if (!field) return;
  const query = new URLSearchParams(ctx.query);
  query.set("sort", field);
  if (direction) query.set("direction", direction.toLowerCase());
  ctx.query = query;
}
