import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SIGNIN_LIMITS } from "../worker/auth/signin";
import { cookieFrom, installViaOAuth, loadAs, sandbox, sessionFromCookie } from "./support/install";

const APP = "http://app.test";
let ipSeq = 0;
const freshIp = () => `203.0.113.${++ipSeq}`;

function requestLink(email: string, ip = freshIp()) {
  return exports.default.fetch(`${APP}/signin`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: APP, "cf-connecting-ip": ip },
    body: new URLSearchParams({ email }).toString(),
  });
}

async function outboxFor(email: string) {
  const rows = await env.DB.prepare("select * from outbox where kind = 'signin' order by created_at").all<{
    to: string;
    text: string;
  }>();
  return rows.results.filter((r) => JSON.parse(r.to).includes(email));
}

const linkIn = (text: string) => /\/signin\/verify\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

function verify(token: string) {
  return exports.default.fetch(`${APP}/signin/verify`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: APP },
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  });
}

async function ownerEmail(storeHash: string) {
  const row = await env.DB.prepare("select owner_email from stores where hash = ?")
    .bind(storeHash)
    .first<{ owner_email: string }>();
  return row!.owner_email;
}

describe("sign in outside the control panel", () => {
  it("emails a one-time link that opens a first-party session, works once, and is recorded", async () => {
    const s = await installViaOAuth("empty", 21);
    const email = await ownerEmail(s.storeHash);
    const res = await requestLink(email);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Check your email");
    const [mail] = await outboxFor(email);
    const token = linkIn(mail.text)!;
    expect(token).toBeTruthy();

    // Opening the link does not spend it (mail scanners prefetch links); the button does.
    const page = await exports.default.fetch(`${APP}/signin/verify?token=${token}`);
    expect(await page.text()).toContain("Continue to Strongbox");
    const ok = await verify(token);
    expect(ok.status).toBe(302);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Partitioned/i);
    const session = await sessionFromCookie(s.storeHash, cookie.split(";")[0]);
    const me = await (await session.api("/api/session")).json<{ kind: string; store: { hash: string } }>();
    expect(me).toMatchObject({ kind: "external", store: { hash: s.storeHash } });

    expect((await verify(token)).status).toBe(410);
    const log = await (await session.api("/api/signins")).json<{ signins: { email: string }[] }>();
    expect(log.signins.map((x) => x.email)).toContain(email);
  });

  it("refuses an expired link", async () => {
    const s = await installViaOAuth("empty", 22);
    const email = await ownerEmail(s.storeHash);
    await requestLink(email);
    const token = linkIn((await outboxFor(email))[0].text)!;
    await env.DB.prepare("update signin_tokens set expires_at = ? where email = ?")
      .bind(Date.now() - 1, email)
      .run();
    const res = await verify(token);
    expect(res.status).toBe(410);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers an unknown email exactly like a known one, and sends nothing", async () => {
    const s = await installViaOAuth("empty", 23);
    const known = await (await requestLink(await ownerEmail(s.storeHash))).text();
    const unknown = await (await requestLink("nobody@example.org")).text();
    expect(unknown.replace("nobody@example.org", "X")).toBe(
      known.replace(await ownerEmail(s.storeHash), "X"),
    );
    expect(await outboxFor("nobody@example.org")).toHaveLength(0);
  });

  it("no longer signs in a user removed by /auth/remove-user", async () => {
    const s = await installViaOAuth("empty", 24);
    const staff = await sandbox<{ id: number }>(`/__sandbox/stores/${s.storeHash}/users`, {
      method: "POST",
      json: { email: "leaver@example.com" },
    });
    await loadAs(s.storeHash, staff.id);
    const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${s.storeHash}/remove-user`, {
      method: "POST",
      json: { user_id: staff.id },
    });
    await exports.default.fetch(url);
    await requestLink("leaver@example.com");
    expect(await outboxFor("leaver@example.com")).toHaveLength(0);
  });

  it("lets a user of two stores choose, and the session sees only the chosen store", async () => {
    const a = await installViaOAuth("empty", 25);
    const b = await installViaOAuth("empty", 26);
    for (const s of [a, b]) {
      const u = await sandbox<{ id: number }>(`/__sandbox/stores/${s.storeHash}/users`, {
        method: "POST",
        json: { email: "both@example.com" },
      });
      await loadAs(s.storeHash, u.id);
    }
    await requestLink("both@example.com");
    const token = linkIn((await outboxFor("both@example.com"))[0].text)!;
    const chooser = await verify(token);
    expect(chooser.status).toBe(200);
    const html = await chooser.text();
    expect(html).toContain("Choose a store");
    expect(html).toContain(`value="${a.storeHash}"`);
    expect(html).toContain(`value="${b.storeHash}"`);
    const chooserCookie = chooser.headers.get("set-cookie")!.split(";")[0];
    const chosen = await exports.default.fetch(`${APP}/signin/choose`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: APP, cookie: chooserCookie },
      body: new URLSearchParams({ store: a.storeHash }).toString(),
      redirect: "manual",
    });
    expect(chosen.status).toBe(302);
    const session = await sessionFromCookie(a.storeHash, cookieFrom(chosen));
    expect((await (await session.api("/api/session")).json<{ store: { hash: string } }>()).store.hash).toBe(
      a.storeHash,
    );
    // A forged choice of a store the email does not belong to is refused.
    const forged = await exports.default.fetch(`${APP}/signin/choose`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: APP, cookie: chooserCookie },
      body: new URLSearchParams({ store: "someoneelse" }).toString(),
      redirect: "manual",
    });
    expect(forged.status).toBe(410);
  });

  it("limits requests per email and per IP", async () => {
    const s = await installViaOAuth("empty", 27);
    const email = await ownerEmail(s.storeHash);
    for (let i = 0; i < SIGNIN_LIMITS.perEmail + 2; i++) await requestLink(email);
    expect(await outboxFor(email)).toHaveLength(SIGNIN_LIMITS.perEmail);

    const ip = "198.51.100.7";
    const statuses: number[] = [];
    for (let i = 0; i < SIGNIN_LIMITS.perIp + 1; i++)
      statuses.push((await requestLink(`probe${i}@example.org`, ip)).status);
    expect(statuses.slice(0, SIGNIN_LIMITS.perIp).every((x) => x === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("refuses a sign-in form posted from another site", async () => {
    const res = await exports.default.fetch(`${APP}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: "email=owner%40example.com",
    });
    expect(res.status).toBe(403);
  });

  it("sends a top-level visit without a session to the sign-in page, and leaves the iframe to the app", async () => {
    const top = await exports.default.fetch(`${APP}/`, {
      headers: { "sec-fetch-dest": "document" },
      redirect: "manual",
    });
    expect(top.status).toBe(302);
    expect(top.headers.get("location")).toBe("/signin");
    const framed = await exports.default.fetch(`${APP}/`, { headers: { "sec-fetch-dest": "iframe" } });
    expect(framed.status).toBe(200);
    expect(await framed.text()).toContain('<div id="root">');
  });
});
