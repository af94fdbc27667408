import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { app } from "../worker/app";
import { webhookSecret } from "../worker/backup/webhooks";
import { type AppSession, loadAs } from "./support/install";
import { payloadClaims, signJwt } from "./support/jwt";
import { type ApiRoute, apiRoutes, fillPath, PUBLIC_API } from "./support/routes";
import { installTestStore } from "./support/stores";
import { APP_URL, testBindings } from "./support/test-env";

/**
 * Bad input over every documented `/api` route, generated from /api/openapi.json: each case must get a
 * clear 4xx in the one error shape, write nothing, and log no secret. The figures go to
 * docs/RELIABILITY.md ("cases tried / accepted").
 */
type Case = { route: ApiRoute; name: string; url: string; init: RequestInit };

let S: AppSession;
let rawToken = "";
const logs: string[] = [];
const tried: { name: string; status: number; entry?: boolean }[] = [];
/** Printed after the console spies are restored (they would swallow it). */
let coverage = "";

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

/**
 * Entry points outside `/api` (no OpenAPI document: each is listed here with hostile requests). A route
 * the app registers that is neither documented in /api/openapi.json nor listed here fails the coverage
 * test below, so a new route cannot go untested.
 */
type EntryCase = {
  name: string;
  url: string;
  init?: RequestInit;
  /** When a 2xx is the designed answer (a page), what makes it safe; otherwise a 4xx is required. */
  safe?: (status: number, text: string) => boolean;
};
const form = (body: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin: APP_URL },
  body: new URLSearchParams(body).toString(),
  redirect: "manual",
});
const webhook = (headers: Record<string, string>, body: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body,
});

const XSS = '"><script>alert(1)</script>';

async function entryCases(storeHash: string): Promise<Record<string, EntryCase[]>> {
  const claims = payloadClaims({
    clientId: testBindings.BC_CLIENT_ID,
    storeHash,
    userId: 1,
    email: "owner@example.com",
  });
  const forged = await signJwt(claims, "not-the-client-secret");
  // alg "none": the header says so and the signature is empty.
  const none = `${(await signJwt(claims, "x", { alg: "none", typ: "JWT" })).split(".").slice(0, 2).join(".")}.`;
  const otherAud = await signJwt({ ...claims, aud: "another-app" }, testBindings.BC_CLIENT_SECRET);
  const expired = await signJwt({ ...claims, exp: 1, iat: 0, nbf: 0 }, testBindings.BC_CLIENT_SECRET);
  const jwts = {
    forged,
    "alg none": none,
    "wrong audience": otherAud,
    expired,
    garbage: "a.b.c",
    missing: "",
  };
  const signed = (path: string) =>
    Object.entries(jwts).map(([name, jwt]) => ({
      name: `GET ${path} ${name} JWT`,
      url: `${path}?signed_payload_jwt=${encodeURIComponent(jwt)}`,
      init: { redirect: "manual" } as RequestInit,
    }));
  const secret = await webhookSecret(testBindings, storeHash);
  const otherSecret = await webhookSecret(testBindings, "someotherstore");
  const delivery = (producer: string) =>
    JSON.stringify({
      scope: "store/product/updated",
      store_id: "1",
      data: { type: "product", id: 1 },
      hash: "f".repeat(40),
      created_at: Math.floor(Date.now() / 1000),
      producer,
    });
  const H = "X-Strongbox-Webhook-Secret";
  return {
    "GET /auth/load": signed("/auth/load"),
    "GET /auth/uninstall": signed("/auth/uninstall"),
    "GET /auth/remove-user": signed("/auth/remove-user"),
    "GET /auth/remove_user": signed("/auth/remove_user"),
    "GET /auth/callback": [
      { name: "GET /auth/callback without a code", url: "/auth/callback", init: { redirect: "manual" } },
      {
        name: "GET /auth/callback with a forged code",
        url: `/auth/callback?code=forged&scope=store_v2_products&context=stores/${storeHash}`,
        init: { redirect: "manual" },
      },
      {
        name: "GET /auth/callback with a path trick in the context",
        url: "/auth/callback?code=forged&scope=x&context=stores/..%2F..%2Fetc",
        init: { redirect: "manual" },
      },
    ],
    "POST /webhooks/bigcommerce": [
      {
        name: "webhook without the secret",
        url: "/webhooks/bigcommerce",
        init: webhook({}, delivery(`stores/${storeHash}`)),
      },
      {
        name: "webhook with a wrong secret",
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: "0".repeat(64) }, delivery(`stores/${storeHash}`)),
      },
      {
        name: "webhook signed for another store",
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: otherSecret }, delivery(`stores/${storeHash}`)),
      },
      {
        name: "webhook with this store's secret naming another store",
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: secret }, delivery("stores/someotherstore")),
      },
      {
        name: "webhook with a path trick as producer",
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: secret }, delivery(`stores/../${storeHash}`)),
      },
      {
        name: "webhook with malformed JSON",
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: secret }, "{"),
      },
      ...["null", "[]", "42", '"stores/x"', '{"producer": 7}'].map((body) => ({
        name: `webhook whose body is JSON ${body}`,
        url: "/webhooks/bigcommerce",
        init: webhook({ [H]: secret }, body),
      })),
    ],
    "GET /downloads/{token}": [
      "garbage",
      "x".repeat(3000),
      "..%2F..%2Fexports",
      "eyJhbGciOiJub25lIn0.eyJzdG9yZSI6InNvbWVvbmUifQ.",
      `${"A".repeat(43)}.${"B".repeat(43)}`,
    ].map((t) => ({ name: `GET /downloads/${t.slice(0, 20)}`, url: `/downloads/${t}` })),
    // The link's page only shows a button that POSTs the token (so mail scanners cannot spend it):
    // any token gets the page, and what is reflected must be inert.
    "GET /signin/verify": [
      { name: "GET /signin/verify with a made-up token", url: "/signin/verify?token=made-up" },
      {
        name: "GET /signin/verify with markup in the token",
        url: `/signin/verify?token=${encodeURIComponent(XSS)}`,
      },
    ].map((c) => ({ ...c, safe: (status, text) => status === 200 && !text.includes(XSS) })),
    "POST /signin/verify": [
      {
        name: "POST /signin/verify with a made-up token",
        url: "/signin/verify",
        init: form({ token: "made-up" }),
      },
      {
        name: "POST /signin/verify with a 3,000-character token",
        url: "/signin/verify",
        init: form({ token: "t".repeat(3000) }),
      },
    ],
    "POST /signin/choose": [
      {
        name: "POST /signin/choose without a chooser cookie",
        url: "/signin/choose",
        init: form({ store: storeHash }),
      },
      {
        name: "POST /signin/choose with a forged chooser cookie",
        url: "/signin/choose",
        init: {
          ...form({ store: storeHash }),
          headers: { ...(form({}).headers as Record<string, string>), cookie: "sb_signin=forged" },
        },
      },
    ],
  };
}

/**
 * Entry points that answer without a session by design and take no input to refuse (pages and the
 * sign-in form, which answers the same for any email), with the suite that covers their behaviour.
 */
const COVERED_ELSEWHERE: Record<string, string> = {
  "GET /": "test/browser/shell.test.ts (signs in first outside the control panel)",
  "GET /signin": "test/auth.signin.test.ts (the page)",
  "POST /signin":
    "test/auth.signin.test.ts (same answer for unknown emails, rate limits, cross-site form refused)",
  "GET /__dev/outbox": "test/notify.email.test.ts (DEV_PAGES only, never in production)",
  "GET /__dev/outbox.json": "test/notify.email.test.ts (DEV_PAGES only, never in production)",
  "GET /api/health": "public by design",
  "GET /api/openapi.json": "public by design",
};

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
  if (coverage) console.log(coverage);
  const entry = tried.filter((t) => t.entry).length;
  console.log(
    `bad input: ${tried.length} cases tried (${tried.length - entry} on /api routes, ${entry} on other entry points), ${accepted.length} accepted`,
  );
});

/** Every route the app registers, as `METHOD /path/{param}` (middleware left out). */
const registeredRoutes = () => [
  ...new Set(
    app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
  ),
];

describe("every entry point is covered", () => {
  it("finds each registered route in /api/openapi.json (the generated suites) or in the entry-point table", async () => {
    const documented = new Set((await apiRoutes()).map((r) => `${r.method} ${r.path}`));
    const listed = new Set([...Object.keys(await entryCases("x")), ...Object.keys(COVERED_ELSEWHERE)]);
    const registered = registeredRoutes();
    expect(registered.length).toBeGreaterThan(documented.size);
    const uncovered = registered.filter((r) => !documented.has(r) && !listed.has(r));
    expect(uncovered, "routes no bad-input or isolation case reaches").toEqual([]);
    // And the table names no route that no longer exists.
    expect([...listed].filter((r) => !registered.includes(r))).toEqual([]);
    coverage = `routes: ${registered.length} registered, ${documented.size} documented in /api/openapi.json, ${listed.size} in the entry-point tables`;
  });
});

describe("bad input on the entry points outside /api", () => {
  it("answers every hostile request with a 4xx, writes nothing and logs no secret", async () => {
    const cases = Object.values(await entryCases(S.storeHash)).flat();
    const before = await tableCounts();
    const failures: string[] = [];
    for (const c of cases) {
      const res = await exports.default.fetch(`${APP_URL}${c.url}`, c.init);
      const text = await res.text();
      const ok = c.safe ? c.safe(res.status, text) : res.status >= 400 && res.status < 500;
      // A designed page (safe) counts as refused: it grants nothing.
      tried.push({ name: c.name, status: ok && res.status < 400 ? 400 : res.status, entry: true });
      if (!ok) failures.push(`${res.status} ${c.name}: ${text.slice(0, 120)}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
    expect(await tableCounts()).toEqual(before);
    expectNoSecretLogged();
  }, 120_000);
});

function expectNoSecretLogged() {
  const secrets = [
    rawToken,
    testBindings.BC_CLIENT_SECRET,
    testBindings.LINK_SIGNING_SECRET,
    S.cookie.split("=")[1],
  ];
  for (const line of logs)
    for (const secret of secrets)
      expect(line.includes(secret), `a log line leaks a secret: ${line.slice(0, 200)}`).toBe(false);
}

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
    expectNoSecretLogged();
  }, 300_000);
});
