/**
 * The first canonical JSON implementation, kept as the reference: every faster one must give its
 * bytes for every input (test/vault.canonical.test.ts, bench/canonical.bench.test.ts), or unchanged
 * records would be stored again as new versions.
 */
export function reference(value: unknown): string {
  return JSON.stringify(sortKeysOnce(value));
}

function sortKeysOnce(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysOnce);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysOnce(v);
    }
    return out;
  }
  return value;
}
