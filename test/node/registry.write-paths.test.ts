import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ContentType, contentTypes } from "../../worker/bigcommerce/registry.ts";
import { type RestoreCall, restoreCalls } from "../../worker/bigcommerce/write-spec.ts";
import { loadSpec, OPENAPI_HINT, openapiDir } from "./support/openapi.ts";

/**
 * Every call restore can make (registry `restore` paths, sub-resources, natural-key lookups, the
 * DELETE fallbacks) exists in BigCommerce's own OpenAPI specs with that method, and the query
 * parameter a batch DELETE or lookup filters by is one the operation declares. A path that only the
 * sandbox serves would fail on a real store in the middle of a restore.
 */

const dir = openapiDir();

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are free-form YAML.
type Json = any;

function yamlFiles(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) && !/\.sf\.yml$/.test(name) ? [p] : [];
  });
}

/** Segments with every `{param}` the same, so `/pricelists/{parent}/records` meets `/pricelists/{price_list_id}/records`. */
const shape = (path: string) => path.replace(/\{[^}]+\}/g, "{}");

/** The spec operation for a call: a literal segment must be literal in the spec, a placeholder a parameter. */
function operationFor(call: RestoreCall): { template: string; op: Json; item: Json } | null {
  const explicit = /^\/(v2|v3)(\/.*)$/.exec(call.path);
  const [version, path] = explicit ? [explicit[1], explicit[2]] : [call.api, call.path];
  for (const file of yamlFiles(dir as string)) {
    const spec = loadSpec(file);
    if (spec.version !== version) continue;
    for (const p of spec.paths) {
      if (shape(p.template) !== shape(path)) continue;
      const op = p.item[call.method.toLowerCase()];
      if (op) return { template: p.template, op, item: p.item };
    }
  }
  return null;
}

/** Names of the operation's query parameters ($refs resolved in its own document). */
function queryParams(found: { op: Json; item: Json }, file: Json): string[] {
  const resolve = (p: Json): Json => {
    if (!p?.$ref) return p;
    const parts = String(p.$ref).replace(/^#\//, "").split("/");
    return parts.reduce((o: Json, k: string) => o?.[k], file);
  };
  return [...(found.item.parameters ?? []), ...(found.op.parameters ?? [])]
    .map(resolve)
    .filter((p: Json) => p?.in === "query")
    .map((p: Json) => String(p.name));
}

function docOf(call: RestoreCall, template: string): Json {
  const version = /^\/(v2|v3)\//.exec(call.path)?.[1] ?? call.api;
  for (const file of yamlFiles(dir as string)) {
    const spec = loadSpec(file);
    if (spec.version === version && spec.paths.some((p) => p.template === template)) return spec.doc;
  }
  return null;
}

const restorable = (contentTypes as readonly ContentType[]).filter((t) => t.restore.mode === "automatic");

describe.skipIf(!dir)(
  `restore's BigCommerce calls are in BigCommerce's specs${dir ? "" : ` (${OPENAPI_HINT})`}`,
  () => {
    it.each(restorable.map((t) => [t.key, t] as const))("%s", (_key, type) => {
      const calls = restoreCalls(type);
      expect(calls.length).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const call of calls) {
        const found = operationFor(call);
        if (!found) {
          missing.push(`${call.what}: ${call.method} /${call.api}${call.path} is not in the specs`);
          continue;
        }
        if (call.param) {
          const params = queryParams(found, docOf(call, found.template));
          if (!params.includes(call.param))
            missing.push(
              `${call.what}: ${call.method} ${found.template} takes no "${call.param}" (it takes ${params.join(", ") || "none"})`,
            );
        }
      }
      expect(missing).toEqual([]);
    });

    it("refuses nothing it should know: a path the specs lack is reported", () => {
      const bogus: RestoreCall = {
        method: "PUT",
        api: "v3",
        path: "/promotions/{parent}/codes",
        what: "update",
      };
      expect(operationFor(bogus)).toBeNull();
      expect(operationFor({ ...bogus, method: "POST" })).not.toBeNull();
      expect(
        operationFor({ method: "PUT", api: "v3", path: "/pricelists/assignments", what: "update" }),
      ).toBeNull();
    });
  },
);
