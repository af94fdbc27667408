import { and, count, eq, gt, isNull } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { AppEnv } from "../api/context";
import { type Db, getDb } from "../db/client";
import { signins, signinTokens, stores, users } from "../db/schema";
import { base64url, base64urlDecode, randomToken, sha256Hex } from "../lib/ids";
import { isValidEmail, sendEmail } from "../notify/email";
import { messagePage, page } from "./pages";
import { createSession, setSessionCookie } from "./sessions";
import { signinEmail } from "./signin-email";

/**
 * Sign-in at the app's own address, for the days the control panel is out of reach: a one-time link
 * by email (valid 15 minutes), a first-party session. Every answer to a sign-in request is the same
 * whether or not the email is known, so the page reveals no accounts.
 */
export const SIGNIN_LINK_TTL_MS = 15 * 60_000;
export const SIGNIN_LIMITS = {
  perEmail: 3,
  perEmailWindowMs: 15 * 60_000,
  perIp: 10,
  perIpWindowMs: 3600_000,
};
const CHOOSER_COOKIE = "sb_signin";
const CHOOSER_TTL_MS = 10 * 60_000;

export const signinRoutes = new Hono<AppEnv>();

const clientIp = (req: Request) => req.headers.get("cf-connecting-ip") ?? "unknown";
const normalize = (email: string) => email.trim().toLowerCase();

/** Forms post only from our own pages: a cross-site form cannot make us email someone. */
function sameOrigin(c: { req: { header: (n: string) => string | undefined }; env: Env }) {
  const origin = c.req.header("origin");
  return !origin || origin === new URL(c.env.APP_URL).origin;
}

const form = (
  email = "",
) => html`<p>Open your store's backups without the BigCommerce control panel. We will email you a
    sign-in link.</p>
  <form method="post" action="/signin">
    <label for="email">Email of a user of your store</label>
    <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" value="${email}" />
    <button type="submit">Email me a sign-in link</button>
  </form>
  <p class="hint">Or open Strongbox from the Apps menu of your BigCommerce control panel.</p>`;

signinRoutes.get("/", (c) => c.html(page("Sign in", form())));

signinRoutes.post("/", async (c) => {
  if (!sameOrigin(c))
    return c.html(messagePage("Sign in", "This form can only be sent from the Strongbox sign-in page."), 403);
  const body = await c.req.parseBody();
  const email = normalize(typeof body.email === "string" ? body.email : "");
  if (!isValidEmail(email)) {
    return c.html(
      page(
        "Sign in",
        html`<p role="alert">Enter a valid email address, such as name@example.com.</p>${form(email)}`,
      ),
      400,
    );
  }
  const db = getDb(c.env);
  const now = Date.now();
  const ip = clientIp(c.req.raw);
  const [byIp] = await db
    .select({ n: count() })
    .from(signinTokens)
    .where(and(eq(signinTokens.ip, ip), gt(signinTokens.createdAt, now - SIGNIN_LIMITS.perIpWindowMs)));
  if ((byIp?.n ?? 0) >= SIGNIN_LIMITS.perIp) {
    return c.html(
      messagePage(
        "Too many requests",
        "Too many sign-in requests came from your network. Try again in an hour.",
      ),
      429,
    );
  }
  const [byEmail] = await db
    .select({ n: count() })
    .from(signinTokens)
    .where(
      and(eq(signinTokens.email, email), gt(signinTokens.createdAt, now - SIGNIN_LIMITS.perEmailWindowMs)),
    );
  const known = (await storesOf(db, email)).length > 0;
  if (known && (byEmail?.n ?? 0) < SIGNIN_LIMITS.perEmail) {
    const token = randomToken();
    await db.insert(signinTokens).values({
      tokenHash: await sha256Hex(token),
      email,
      ip,
      createdAt: now,
      expiresAt: now + SIGNIN_LINK_TTL_MS,
    });
    const mail = signinEmail({
      link: `${c.env.APP_URL}/signin/verify?token=${token}`,
      minutes: SIGNIN_LINK_TTL_MS / 60_000,
    });
    await sendEmail(c.env, { storeHash: null, kind: "signin", to: [email], ...mail });
  } else {
    // Unknown emails count against the IP limit too, so the page cannot be used to probe addresses quickly.
    await db.insert(signinTokens).values({
      tokenHash: await sha256Hex(randomToken()),
      email,
      ip,
      createdAt: now,
      expiresAt: now,
      usedAt: now,
    });
  }
  return c.html(
    messagePage(
      "Check your email",
      `If ${email} belongs to a user of a store that uses Strongbox, we have sent it a sign-in link. The link works once and expires in 15 minutes.`,
      "Nothing arrived? Check your spam folder, or ask your store owner to open Strongbox from the control panel.",
    ),
  );
});

// Opening the link shows a button: mail scanners that prefetch links cannot spend the token.
signinRoutes.get("/verify", (c) => {
  const token = c.req.query("token") ?? "";
  return c.html(
    page(
      "Sign in to Strongbox",
      html`<form method="post" action="/signin/verify">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">Continue to Strongbox</button>
      </form>`,
    ),
  );
});

signinRoutes.post("/verify", async (c) => {
  if (!sameOrigin(c))
    return c.html(messagePage("Sign in", "This form can only be sent from Strongbox."), 403);
  const body = await c.req.parseBody();
  const token = typeof body.token === "string" ? body.token : "";
  const db = getDb(c.env);
  const now = Date.now();
  const [spent] = token
    ? await db
        .update(signinTokens)
        .set({ usedAt: now })
        .where(
          and(
            eq(signinTokens.tokenHash, await sha256Hex(token)),
            isNull(signinTokens.usedAt),
            gt(signinTokens.expiresAt, now),
          ),
        )
        .returning({ email: signinTokens.email })
    : [];
  const expired = () =>
    c.html(
      messagePage(
        "Link expired",
        "This sign-in link has expired or was already used.",
        "Ask for a new one at /signin.",
      ),
      410,
    );
  if (!spent) return expired();
  const choices = await storesOf(db, spent.email);
  if (choices.length === 0) return expired();
  if (choices.length === 1) return startExternalSession(c, db, choices[0], spent.email);
  setCookie(c, CHOOSER_COOKIE, await signChooser(c.env, spent.email, now + CHOOSER_TTL_MS), {
    path: "/signin",
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    maxAge: CHOOSER_TTL_MS / 1000,
  });
  return c.html(
    page(
      "Choose a store",
      html`<p>${spent.email} is a user of several stores. Which one do you want to open?</p>
        <ul class="stores">
          ${choices.map(
            (s) => html`<li>
              <form method="post" action="/signin/choose">
                <input type="hidden" name="store" value="${s.storeHash}" /><button type="submit">${s.name}</button>
              </form>
            </li>`,
          )}
        </ul>`,
    ),
  );
});

signinRoutes.post("/choose", async (c) => {
  if (!sameOrigin(c))
    return c.html(messagePage("Sign in", "This form can only be sent from Strongbox."), 403);
  const email = await verifyChooser(c.env, getCookie(c, CHOOSER_COOKIE));
  const body = await c.req.parseBody();
  const choice = email
    ? (await storesOf(getDb(c.env), email)).find((s) => s.storeHash === body.store)
    : undefined;
  if (!email || !choice)
    return c.html(messagePage("Link expired", "Your sign-in expired. Ask for a new link at /signin."), 410);
  deleteCookie(c, CHOOSER_COOKIE, { path: "/signin", secure: true });
  return startExternalSession(c, getDb(c.env), choice, email);
});

type StoreChoice = { storeHash: string; userId: number; name: string };

/** The installed stores where this email is a current user. */
async function storesOf(db: Db, email: string): Promise<StoreChoice[]> {
  const rows = await db
    .select({ storeHash: users.storeHash, userId: users.userId, name: stores.name, email: users.email })
    .from(users)
    .innerJoin(stores, eq(stores.hash, users.storeHash))
    .where(and(isNull(users.removedAt), eq(stores.status, "installed")));
  return rows
    .filter((r) => normalize(r.email) === email)
    .map((r) => ({ storeHash: r.storeHash, userId: r.userId, name: r.name ?? r.storeHash }));
}

async function startExternalSession(c: Context<AppEnv>, db: Db, choice: StoreChoice, email: string) {
  const session = await createSession(db, {
    storeHash: choice.storeHash,
    userId: choice.userId,
    kind: "external",
  });
  await db.insert(signins).values({
    storeHash: choice.storeHash,
    userId: choice.userId,
    email,
    ip: clientIp(c.req.raw),
    userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null,
    at: Date.now(),
  });
  setSessionCookie(c, session.token, "external", session.expiresAt);
  return c.redirect("/", 302);
}

async function hmac(env: Env, data: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(env.LINK_SIGNING_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return base64url(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`signin-chooser:${data}`)));
}

async function signChooser(env: Env, email: string, expiresAt: number) {
  const data = base64url(new TextEncoder().encode(JSON.stringify({ email, expiresAt })));
  return `${data}.${await hmac(env, data)}`;
}

async function verifyChooser(env: Env, value: string | undefined): Promise<string | null> {
  const [data, sig] = (value ?? "").split(".");
  if (!data || !sig || sig !== (await hmac(env, data))) return null;
  const parsed = JSON.parse(new TextDecoder().decode(base64urlDecode(data))) as {
    email: string;
    expiresAt: number;
  };
  return parsed.expiresAt > Date.now() ? parsed.email : null;
}
