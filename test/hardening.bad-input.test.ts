import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AppSession, loadAs } from "./support/install";
import { type ApiRoute, apiRoutes, fillPath, PUBLIC_API } from "./support/routes";
import { installTestStore } from "./support/stores";
import { testBindings } from "./support/test-env";

/**
 * Bad input over every documented `/api` route, generated from /api/openapi.json: each case must get a
 * clear 4xx in the one error shape, write nothing, and log no secret. The figures go to
 * docs/RELIABILITY.md ("cases tried / accepted").
 */
type Case = { route: ApiRoute; name: string; url: string; init: RequestInit };

let S: AppSession;
let rawToken = "";
const logs: string[] = [];
const tried: { name: string; status: number }[] = [];

const PATH_TRICKS = [
  "../../etc/passwd",
  "..%2F..%2Fsecret",
  "x".repeat(3000),
  "-1",
  "1e309",
  "\u0000",
  "' or 1=1 --",
  "😀",
];
const QUERY_TRICKS: Record<string, string[]> = {
  page: ["-1", "0", "99999999999", "abc"],
  pageSize: ["0", "-5", "100000"],
  limit: ["-1", "0", "100000", "abc"],
  from: ["not-a-date", "2026-13-45"],
  to: ["not-a-date", "2026-02-30T99:00"],
  before: ["not-a-date"],
  q: ["q".repeat(3000)],
  sort: ["drop table", "-"],
  deleted: ["maybe"],
};

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

async function bodySchemas(): Promise<Map<string, Schema>> {
  const doc = await (await exports.default.fetch("http://app.test/api/openapi.json")).json<{
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
    >;
    components?: { schemas?: Record<string, Schema> };
  }>();
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? resolve(doc.components?.schemas?.[s.$ref.split("/").at(-1)!]) : s;
  const out = new Map<string, Schema>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = resolve(op.requestBody?.content?.["application/json"]?.schema);
      if (schema)
        out.set(`${method.toUpperCase()} ${path}`, {
          ...schema,
          properties: Object.fromEntries(
            Object.entries(schema.properties ?? {}).map(([k, v]) => [k, resolve(v)!]),
          ),
        });
    }
  }
  return out;
}

/** A value of the wrong kind for a property, chosen from its declared schema. */
function wrongValue(s: Schema): unknown[] {
  const t = s.type ?? s.anyOf?.[0]?.type ?? s.oneOf?.[0]?.type;
  if (s.enum) return ["not-one-of-them", 42];
  if (s.format === "email") return ["not-an-email", 5];
  if (t === "string") return [12345, { nested: true }];
  if (t === "number" || t === "integer") return ["abc", -1e308, 1.5e308];
  if (t === "boolean") return ["yes", 3];
  if (t === "array") {
    const item = s.items;
    return [
      "not-an-array",
      ...(item?.enum ? [["unknown-content-type"]] : []),
      ...(item?.format === "email" ? [["bad@", "bad@"]] : []),
      Array.from({ length: 5000 }, () => "x"),
    ];
  }
  if (t === "object") return ["not-an-object", [1, 2]];
  return [];
}

async function buildCases(): Promise<Case[]> {
  const cases: Case[] = [];
  const schemas = await bodySchemas();
  const routes = (await apiRoutes()).filter((r) => !PUBLIC_API.has(r.path));
  for (const route of routes) {
    const valid = (name: string) => (name === "type" ? "products" : "1");
    for (const param of route.pathParams) {
      const tricks = param === "type" ? ["unknown-type", ...PATH_TRICKS] : PATH_TRICKS;
      for (const trick of tricks) {
        const url = fillPath(route, (p) => (p === param ? trick : valid(p)));
        cases.push({
          route,
          name: `${route.method} ${route.path} ${param}=${JSON.stringify(trick.slice(0, 20))}`,
          url,
          init: {
            method: route.method,
            ...(route.hasBody ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
          },
        });
      }
    }
    for (const param of route.queryParams) {
      for (const trick of QUERY_TRICKS[param] ?? []) {
        const url = `${fillPath(route, valid)}?${new URLSearchParams({ [param]: trick })}`;
        cases.push({
          route,
          name: `${route.method} ${route.path} ?${param}=${trick.slice(0, 20)}`,
          url,
          init: { method: route.method },
        });
      }
    }
    const schema = schemas.get(`${route.method} ${route.path}`);
    if (!schema) continue;
    const url = fillPath(route, valid);
    const json = (body: string, label: string) =>
      cases.push({
        route,
        name: `${route.method} ${route.path} body ${label}`,
        url,
        init: { method: route.method, body, headers: { "content-type": "application/json" } },
      });
    json("{", "malformed JSON");
    json("hello", "not JSON");
    json("[]", "array instead of object");
    json("null", "null");
    json(JSON.stringify({ filler: "x".repeat(300 * 1024) }), "oversized (300 KB)");
    for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
      for (const bad of wrongValue(propSchema))
        json(JSON.stringify({ [prop]: bad }), `${prop}=${JSON.stringify(bad).slice(0, 24)}`);
    }
  }
  return cases;
}

async function tableCounts() {
  const tables = await env.DB.prepare(
    "select name from sqlite_master where type='table' and name not like 'sqlite%' and name not like '\\_%' escape '\\'",
  ).all<{ name: string }>();
  const out: Record<string, number> = {};
  for (const { name } of tables.results) {
    if (name === "seen_nonces") continue;
    out[name] = (await env.DB.prepare(`select count(*) as n from "${name}"`).first<{ n: number }>())!.n;
  }
  return out;
}

beforeAll(async () => {
  // A store installed without the install hooks: no background backup may write while we count rows.
  const store = await installTestStore("demo");
  S = await loadAs(store.storeHash);
  rawToken = store.token;
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(
        args
          .map((a) =>
            a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a),
          )
          .join(" "),
      );
    });
  }
}, 180_000);

afterAll(() => {
  vi.restoreAllMocks();
  const accepted = tried.filter((t) => t.status < 400);
  console.log(`bad input: ${tried.length} cases tried, ${accepted.length} accepted`);
});

describe("bad input on every /api route", () => {
  it("answers every case with a clear 4xx in the error shape, writes nothing and logs no secret", async () => {
    const cases = await buildCases();
    expect(cases.length).toBeGreaterThan(100);
    const before = await tableCounts();
    const failures: string[] = [];
    for (const c of cases) {
      const res = await S.api(c.url, c.init);
      const text = await res.text();
      tried.push({ name: c.name, status: res.status });
      let shape = false;
      try {
        const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        shape = typeof body.error?.code === "string" && typeof body.error?.message === "string";
      } catch {}
      if (res.status < 400 || res.status >= 500 || !shape)
        failures.push(`${res.status} ${c.name}: ${text.slice(0, 120)}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
    expect(await tableCounts()).toEqual(before);
    const secrets = [
      rawToken,
      testBindings.BC_CLIENT_SECRET,
      testBindings.LINK_SIGNING_SECRET,
      S.cookie.split("=")[1],
    ];
    for (const line of logs)
      for (const secret of secrets)
        expect(line.includes(secret), `a log line leaks a secret: ${line.slice(0, 200)}`).toBe(false);
  }, 300_000);
});
