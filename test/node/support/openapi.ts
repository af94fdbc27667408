import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

/**
 * Contract checks against BigCommerce's own OpenAPI specs (bigcommerce/docs, `reference/`): load the specs,
 * inline `$ref`s, find the operation serving a method + path, and validate bodies with ajv.
 * BigCommerce's specs are OpenAPI 3.0 with quirks (nullable, `x-` keys, unknown formats), so ajv runs
 * leniently on keywords and formats but strictly on shapes and types.
 */

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are free-form YAML.
type Json = any;

export const OPENAPI_HINT =
  "BigCommerce's OpenAPI specs are not in this repo. Clone https://github.com/bigcommerce/docs and set " +
  "BIGCOMMERCE_OPENAPI_DIR to its reference/ folder (default: ../shared/bigcommerce/openapi/reference).";

/** The spec folder: BIGCOMMERCE_OPENAPI_DIR, else ../shared/bigcommerce/openapi/reference from the repo root. */
export function openapiDir(): string | null {
  const dir =
    process.env.BIGCOMMERCE_OPENAPI_DIR ?? resolve(process.cwd(), "../shared/bigcommerce/openapi/reference");
  return existsSync(dir) ? dir : null;
}

export interface Operation {
  file: string;
  version: "v2" | "v3";
  template: string;
  method: string;
  op: Json;
  doc: Json;
}

interface SpecDoc {
  file: string;
  doc: Json;
  version: "v2" | "v3";
  paths: { template: string; regex: RegExp; item: Json }[];
}

const docs = new Map<string, SpecDoc>();

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listYaml(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Loads (once) one spec file. */
export function loadSpec(file: string): SpecDoc {
  const cached = docs.get(file);
  if (cached) return cached;
  const doc = parse(readFileSync(file, "utf8"), { maxAliasCount: -1 });
  const server: string = doc.servers?.[0]?.url ?? doc.basePath ?? "";
  const version = /\/v2\b/.test(server) || /\.v2\./.test(file) ? "v2" : "v3";
  const paths = Object.entries<Json>(doc.paths ?? {}).map(([template, item]) => ({
    template,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    item,
  }));
  const spec = { file, doc, version: version as "v2" | "v3", paths };
  docs.set(file, spec);
  return spec;
}

/** The operation serving `method` on a sandbox path such as `/v3/catalog/products/5/images` (fixed segments win). */
export function findOperation(dir: string, method: string, path: string): Operation | null {
  const m = /^\/(v2|v3)(\/.*)$/.exec(path.split("?")[0]);
  if (!m) return null;
  const [, version, rest] = m;
  const candidates: Operation[] = [];
  for (const file of listYaml(dir)) {
    if (/\.sf\.yml$|\/payments\//.test(file)) continue;
    const spec = loadSpec(file);
    if (spec.version !== version) continue;
    for (const p of spec.paths) {
      const op = p.item[method.toLowerCase()];
      if (op && p.regex.test(rest)) {
        candidates.push({
          file,
          version: spec.version,
          template: p.template,
          method,
          op: { ...op, parameters: [...(p.item.parameters ?? []), ...(op.parameters ?? [])] },
          doc: spec.doc,
        });
      }
    }
  }
  const fixed = (t: string) => t.split("/").filter((s) => s && !s.startsWith("{")).length;
  candidates.sort((a, b) => fixed(b.template) - fixed(a.template));
  return candidates[0] ?? null;
}

function pointer(doc: Json, ref: string): Json {
  if (!ref.startsWith("#/")) throw new Error(`external $ref not supported: ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((o, k) => o?.[k], doc);
}

/**
 * Inlines `$ref`s and turns OpenAPI 3.0 into JSON Schema: `nullable` becomes a null alternative, `oneOf` `anyOf`,
 * `x-*`, `example(s)`, `discriminator`, `xml` and `readOnly`/`writeOnly` are dropped. Recursive refs stop at `{}`.
 */
export function toJsonSchema(
  node: Json,
  doc: Json,
  seen: string[] = [],
  mode: "request" | "response" = "response",
): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, doc, seen, mode));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    if (seen.includes(node.$ref)) return {};
    return toJsonSchema(pointer(doc, node.$ref), doc, [...seen, node.$ref], mode);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries<Json>(node)) {
    if (
      k.startsWith("x-") ||
      [
        "example",
        "examples",
        "discriminator",
        "xml",
        "readOnly",
        "writeOnly",
        "deprecated",
        "nullable",
      ].includes(k)
    ) {
      continue;
    }
    if (k === "properties" || k === "patternProperties") {
      out[k] = Object.fromEntries(
        Object.entries<Json>(v ?? {}).map(([p, s]) => [p, toJsonSchema(s, doc, seen, mode)]),
      );
    } else if (k === "format" && typeof v === "string") {
      out[k] = v;
    } else if (k === "exclusiveMinimum" || k === "exclusiveMaximum") {
      if (typeof v === "number") out[k] = v;
    } else if (k === "required" && !Array.isArray(v)) {
      // Some BigCommerce schemas write `required: true` on a property (OpenAPI 2 style): not JSON Schema.
    } else if (k === "required") {
      // OpenAPI: a readOnly property is not required in a request, a writeOnly one not in a response.
      const skip = mode === "request" ? "readOnly" : "writeOnly";
      const props = node.properties ?? {};
      const kept = v.filter((name: string) => {
        let prop = props[name];
        if (prop?.$ref) prop = pointer(doc, prop.$ref);
        return !prop?.[skip];
      });
      if (kept.length) out[k] = kept;
    } else if (k === "oneOf") {
      // BigCommerce's oneOf branches often overlap (e.g. number | string, or twin objects): any match will do.
      out.anyOf = toJsonSchema(v, doc, seen, mode);
    } else if (k === "enum" && node.nullable) {
      out[k] = [...v, null];
    } else {
      out[k] = toJsonSchema(v, doc, seen, mode);
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") return { ...out, type: [out.type, "null"] };
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

// Each schema is validated against once or twice, so compiling fast beats validating fast: the code
// optimizer took about four fifths of the contract tests' time on BigCommerce's large inlined schemas.
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  validateFormats: false,
  validateSchema: false,
  code: { optimize: false },
});
const compiled = new WeakMap<object, ValidateFunction>();

function validator(schema: Json): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export interface Check {
  ok: boolean;
  /** Human-readable errors (instance path + message), empty when ok. */
  errors: string[];
  /** Why nothing was checked (no schema for this status). */
  skipped?: string;
}

function mediaSchema(content: Json, doc: Json, mode: "request" | "response" = "response"): Json | undefined {
  if (!content) return undefined;
  const media = content["application/json"] ?? Object.values<Json>(content)[0];
  return media?.schema ? toJsonSchema(media.schema, doc, [], mode) : undefined;
}

/** Schema of the response of `op` for `status` (falls back to `default`/`2XX`). */
export function responseSchema(op: Operation, status: number): Json | undefined {
  const responses = op.op.responses ?? {};
  let r = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (r?.$ref) r = pointer(op.doc, r.$ref);
  return mediaSchema(r?.content, op.doc) ?? (r?.schema ? toJsonSchema(r.schema, op.doc) : undefined);
}

export function requestSchema(op: Operation): Json | undefined {
  let body = op.op.requestBody;
  if (body?.$ref) body = pointer(op.doc, body.$ref);
  return mediaSchema(body?.content, op.doc, "request");
}

/**
 * Applies known deviations between BigCommerce's spec and its documented behaviour (e.g. a field the
 * description says is null but the schema types as integer) before validating.
 */
export type SchemaPatch = (schema: Json) => void;

function run(schema: Json | undefined, body: unknown, patch?: SchemaPatch): Check {
  if (!schema) return { ok: true, errors: [], skipped: "no schema" };
  const s = patch ? structuredClone(schema) : schema;
  patch?.(s);
  const v = validator(s);
  const ok = v(body) as boolean;
  return {
    ok,
    errors: ok
      ? []
      : (v.errors ?? [])
          .slice(0, 15)
          .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`),
  };
}

export function validateResponse(op: Operation, status: number, body: unknown, patch?: SchemaPatch): Check {
  const schema = responseSchema(op, status);
  return schema ? run(schema, body, patch) : { ok: true, errors: [], skipped: `no schema for ${status}` };
}

export function validateRequest(op: Operation, body: unknown, patch?: SchemaPatch): Check {
  return run(requestSchema(op), body, patch);
}

/** Walks every object schema (through allOf/anyOf/oneOf/items/properties) and lets `fn` adjust it. */
export function eachSchema(schema: Json, fn: (s: Json) => void, seen = new Set<Json>()): void {
  if (!schema || typeof schema !== "object" || seen.has(schema)) return;
  seen.add(schema);
  fn(schema);
  for (const k of ["allOf", "anyOf", "oneOf"]) for (const s of schema[k] ?? []) eachSchema(s, fn, seen);
  if (schema.items) eachSchema(schema.items, fn, seen);
  for (const s of Object.values<Json>(schema.properties ?? {})) eachSchema(s, fn, seen);
  if (schema.additionalProperties && typeof schema.additionalProperties === "object")
    eachSchema(schema.additionalProperties, fn, seen);
}

/** Patch helper: lets the named properties be null wherever they appear. */
export const allowNull =
  (...names: string[]): SchemaPatch =>
  (schema) =>
    eachSchema(schema, (s) => {
      for (const n of names) {
        const p = s.properties?.[n];
        if (p && !(Array.isArray(p.type) && p.type.includes("null")))
          s.properties[n] = { anyOf: [p, { type: "null" }] };
      }
    });

/** Patch helper: the named properties are not required anywhere (server-assigned ids in request schemas). */
export const notRequired =
  (...names: string[]): SchemaPatch =>
  (schema) =>
    eachSchema(schema, (s) => {
      if (Array.isArray(s.required)) s.required = s.required.filter((r: string) => !names.includes(r));
    });
