/**
 * Field paths inside record bodies: `a.b` walks objects, `a[]` every element of an array
 * (`variants[].sku`, `categories[]`). Used for references and natural-key checks.
 */

function split(path: string): { key: string; each: boolean }[] {
  return path
    .split(".")
    .map((part) =>
      part.endsWith("[]") ? { key: part.slice(0, -2), each: true } : { key: part, each: false },
    );
}

/** Every value at `path` (arrays flattened where the path says `[]`). */
export function valuesAt(body: unknown, path: string): unknown[] {
  let current: unknown[] = [body];
  for (const { key, each } of split(path)) {
    const next: unknown[] = [];
    for (const node of current) {
      if (!node || typeof node !== "object") continue;
      const v = (node as Record<string, unknown>)[key];
      if (v === undefined || v === null) continue;
      if (each) {
        if (Array.isArray(v)) next.push(...v);
      } else next.push(v);
    }
    current = next;
  }
  return current;
}

/** A copy of `body` with every value at `path` passed through `fn` (structure otherwise shared). */
export function mapAt<T>(body: T, path: string, fn: (value: unknown) => unknown): T {
  const parts = split(path);
  const walk = (node: unknown, i: number): unknown => {
    if (i === parts.length) return fn(node);
    if (!node || typeof node !== "object" || Array.isArray(node)) return node;
    const { key, each } = parts[i];
    const obj = node as Record<string, unknown>;
    if (!(key in obj) || obj[key] === null || obj[key] === undefined) return node;
    const v = obj[key];
    const replaced = each ? (Array.isArray(v) ? v.map((el) => walk(el, i + 1)) : v) : walk(v, i + 1);
    return { ...obj, [key]: replaced };
  };
  return walk(body, 0) as T;
}

/** A copy without the given top-level (or dotted) fields. */
export function omit(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const f of fields) {
    const dot = f.indexOf(".");
    if (dot < 0) {
      delete out[f];
      continue;
    }
    const head = f.slice(0, dot);
    const inner = out[head];
    if (inner && typeof inner === "object" && !Array.isArray(inner))
      out[head] = omit(inner as Record<string, unknown>, [f.slice(dot + 1)]);
  }
  return out;
}
