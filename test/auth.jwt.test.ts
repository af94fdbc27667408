import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encryptToken } from "../worker/auth/token-crypto";
import { payloadClaims, signJwt } from "./support/jwt";
import { testBindings } from "./support/test-env";

const STORE = "jwtstore1";
const claims = () =>
  payloadClaims({
    clientId: testBindings.BC_CLIENT_ID,
    storeHash: STORE,
    userId: 7,
    email: "owner@example.com",
  });
const sign = (
  c: Record<string, unknown>,
  secret = testBindings.BC_CLIENT_SECRET,
  header?: Record<string, unknown>,
) => signJwt(c, secret, header);

async function rowCounts() {
  const tables = ["sessions", "users", "seen_nonces", "stores"];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await env.DB.prepare(`select count(*) as n from ${t}`).first<{ n: number }>();
    out[t] = r?.n ?? 0;
  }
  return out;
}

const load = (jwt: string) =>
  exports.default.fetch(`http://app.test/auth/load?signed_payload_jwt=${encodeURIComponent(jwt)}`, {
    redirect: "manual",
  });

beforeAll(async () => {
  const token = await encryptToken(env, STORE, "raw-token-jwtstore1");
  await env.DB.prepare(
    "insert into stores (hash, status, scope, owner_id, owner_email, token_ciphertext, token_iv, token_key_id, installed_at) values (?, 'installed', 'store_v2_products', 7, 'owner@example.com', ?, ?, ?, ?)",
  )
    .bind(STORE, token.tokenCiphertext, token.tokenIv, token.tokenKeyId, Date.now())
    .run();
});

describe("signed payload JWT of /auth/load", () => {
  it("accepts a valid payload once, starts a session and redirects into the app", async () => {
    const jwt = await sign(claims());
    const res = await load(jwt);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/sb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=None/i);
    expect(cookie).toMatch(/Partitioned/i);
    const session = await exports.default.fetch("http://app.test/api/session", {
      headers: { cookie: cookie.split(";")[0] },
    });
    expect(session.status).toBe(200);
    const body = await session.json<{ store: { hash: string }; user: { email: string; role: string } }>();
    expect(body.store.hash).toBe(STORE);
    expect(body.user).toMatchObject({ email: "owner@example.com", role: "owner" });

    // The same payload a second time is a replay.
    const again = await load(jwt);
    expect(again.status).toBe(401);
    expect(await again.text()).toContain("already used");
  });

  const now = Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["bad signature", () => sign(claims(), "not-the-secret"), /signature/],
    ["wrong aud", () => sign({ ...claims(), aud: "another-app" }), /aud/],
    ["wrong iss", () => sign({ ...claims(), iss: "evil" }), /iss/],
    [
      "expired",
      () => sign({ ...claims(), iat: now - 90_000, nbf: now - 90_000, exp: now - 3_600 }),
      /expired/,
    ],
    ["not yet valid", () => sign({ ...claims(), nbf: now + 3_600 }), /not valid yet/],
    ["unknown store", () => sign({ ...claims(), sub: "stores/nosuchstore" }), /not installed/],
    ["malformed", async () => "not-a-jwt", /malformed/],
    ["garbage segments", async () => "a.b.c", /malformed/],
    [
      "alg none",
      async () => {
        const j = await sign(claims(), testBindings.BC_CLIENT_SECRET, { alg: "none", typ: "JWT" });
        return `${j.split(".").slice(0, 2).join(".")}.`;
      },
      /none is not accepted/,
    ],
    [
      "HS512 swap",
      () => sign(claims(), testBindings.BC_CLIENT_SECRET, { alg: "HS512", typ: "JWT" }),
      /HS512 is not accepted/,
    ],
    ["missing", async () => "", /no signed payload/],
  ];

  it.each(cases)("rejects %s with 401 and writes nothing", async (_name, make, reason) => {
    const before = await rowCounts();
    const res = await load(await make());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(reason);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await rowCounts()).toEqual(before);
  });
});

describe("uninstall and remove-user callbacks", () => {
  it("reject forged payloads and change nothing", async () => {
    const before = await rowCounts();
    for (const path of ["uninstall", "remove-user"]) {
      const res = await exports.default.fetch(
        `http://app.test/auth/${path}?signed_payload_jwt=${await sign(claims(), "forged")}`,
      );
      expect(res.status).toBe(401);
    }
    expect(await rowCounts()).toEqual(before);
    const store = await env.DB.prepare("select status, token_ciphertext from stores where hash = ?")
      .bind(STORE)
      .first();
    expect(store).toMatchObject({ status: "installed" });
    expect(store?.token_ciphertext).toBeTruthy();
  });
});

describe("API sessions", () => {
  it("answers 401 in the error shape without a session, and 403 on a change without the CSRF token", async () => {
    const res = await exports.default.fetch("http://app.test/api/session");
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "session_expired" } });
    const cookie = (await load(await sign(claims()))).headers.get("set-cookie")!.split(";")[0];
    const post = await exports.default.fetch("http://app.test/api/session", {
      method: "POST",
      headers: { cookie },
    });
    expect(post.status).toBe(403);
    expect(await post.json()).toMatchObject({ error: { code: "csrf" } });
  });

  it("sends a CSP that lets only the BigCommerce control panel (and the configured sandbox) frame the app", async () => {
    const res = await exports.default.fetch("http://app.test/api/health");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self' https://*.bigcommerce.com http://sandbox.test");
    expect(csp).not.toMatch(/frame-ancestors[^;]*\*(?!\.bigcommerce)/);
  });
});
