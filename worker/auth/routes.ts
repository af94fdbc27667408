import { zValidator } from "@hono/zod-validator";
import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { z } from "zod";
import type { AppEnv } from "../api/context";
import { type Db, getDb } from "../db/client";
import { seenNonces, stores, users } from "../db/schema";
import { onStoreInstalled, onStoreUninstalled } from "./lifecycle";
import { messagePage } from "./pages";
import { createSession, revokeSessions, setSessionCookie } from "./sessions";
import { PayloadRejected, type SignedPayload, verifySignedPayload } from "./signed-payload";
import { encryptToken } from "./token-crypto";

/** Days an uninstalled store's vault is kept before the scheduler deletes it (a reinstall keeps everything). */
export const UNINSTALL_GRACE_DAYS = 30;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  scope: z.string(),
  context: z.string().regex(/^stores\/[a-z0-9]+$/i),
  account_uuid: z.string().optional(),
  user: z.object({ id: z.number(), email: z.string(), username: z.string().optional() }),
  owner: z.object({ id: z.number(), email: z.string(), username: z.string().optional() }).optional(),
});

const rejectPage = (title: string, message: string) =>
  messagePage(title, message, "Open Strongbox again from the Apps menu of your BigCommerce control panel.");

export const authRoutes = new Hono<AppEnv>();
const factory = createFactory<AppEnv>();

authRoutes.get(
  "/callback",
  zValidator(
    "query",
    z.object({
      code: z.string().min(1).max(512),
      scope: z.string().max(4096),
      context: z.string().regex(/^stores\/[a-z0-9]+$/i),
      account_uuid: z.string().max(64).optional(),
    }),
    (result, c) => {
      if (!result.success)
        return c.html(
          rejectPage("Install failed", "The install request from BigCommerce is incomplete."),
          400,
        );
    },
  ),
  async (c) => {
    const { code, scope, context } = c.req.valid("query");
    const env = c.env;
    const res = await fetch(`${env.BC_LOGIN_URL}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        client_id: env.BC_CLIENT_ID,
        client_secret: env.BC_CLIENT_SECRET,
        code,
        context,
        scope,
        grant_type: "authorization_code",
        redirect_uri: `${env.APP_URL}/auth/callback`,
      }),
    });
    const parsed = res.ok ? tokenResponse.safeParse(await res.json().catch(() => null)) : null;
    if (!parsed?.success) {
      return c.html(
        rejectPage("Install failed", "BigCommerce did not accept the install code. Try installing again."),
        401,
      );
    }
    const grant = parsed.data;
    const storeHash = grant.context.slice("stores/".length);
    const owner = grant.owner ?? grant.user;
    const now = Date.now();
    const db = getDb(env);
    const info = await fetchStoreInfo(env, storeHash, grant.access_token);
    const token = await encryptToken(env, storeHash, grant.access_token);
    await db
      .insert(stores)
      .values({
        hash: storeHash,
        status: "installed",
        name: info?.name ?? storeHash,
        domain: info?.domain ?? null,
        timezone: info?.timezone ?? "UTC",
        scope: grant.scope,
        accountUuid: grant.account_uuid ?? null,
        ownerId: owner.id,
        ownerEmail: owner.email,
        ...token,
        notificationEmails: [owner.email],
        installedAt: now,
      })
      .onConflictDoUpdate({
        target: stores.hash,
        // A reinstall keeps the vault, plan and settings; only the grant changes.
        set: {
          status: "installed",
          scope: grant.scope,
          accountUuid: grant.account_uuid ?? null,
          ownerId: owner.id,
          ownerEmail: owner.email,
          ...token,
          ...(info ? { name: info.name, domain: info.domain, timezone: info.timezone } : {}),
          uninstalledAt: null,
          deleteAfter: null,
        },
      });
    await upsertUser(db, storeHash, owner.id, owner.email, "owner");
    if (grant.user.id !== owner.id) await upsertUser(db, storeHash, grant.user.id, grant.user.email, "user");
    const session = await createSession(db, { storeHash, userId: grant.user.id, kind: "embedded" });
    setSessionCookie(c, session.token, "embedded", session.expiresAt);
    c.executionCtx.waitUntil(onStoreInstalled(env, storeHash));
    return c.redirect("/", 302);
  },
);

async function fetchStoreInfo(env: Env, storeHash: string, accessToken: string) {
  try {
    const res = await fetch(`${env.BC_API_URL}/stores/${storeHash}/v2/store`, {
      headers: { "x-auth-token": accessToken, accept: "application/json" },
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { name?: string; domain?: string; timezone?: { name?: string } };
    return {
      name: body.name ?? storeHash,
      domain: body.domain ?? null,
      timezone: body.timezone?.name ?? "UTC",
    };
  } catch {
    return null;
  }
}

async function upsertUser(
  db: Db,
  storeHash: string,
  userId: number,
  email: string,
  role: "owner" | "user",
  locale?: string,
) {
  const now = Date.now();
  await db
    .insert(users)
    .values({ storeHash, userId, email, role, locale: locale ?? null, lastSeenAt: now })
    .onConflictDoUpdate({
      target: [users.storeHash, users.userId],
      set: { email, role, removedAt: null, lastSeenAt: now, ...(locale ? { locale } : {}) },
    });
}

/**
 * Verifies the payload, checks its store is installed, then spends its jti so a captured URL cannot be
 * replayed. Nothing is written for a payload that fails any check.
 */
async function acceptPayload(env: Env, jwt: string | undefined): Promise<SignedPayload> {
  const payload = await verifySignedPayload(env, jwt);
  const db = getDb(env);
  await installedStore(db, payload.storeHash);
  const inserted = await db
    .insert(seenNonces)
    .values({ nonce: `jwt:${payload.jti}`, storeHash: payload.storeHash, expiresAt: payload.exp * 1000 })
    .onConflictDoNothing()
    .returning({ nonce: seenNonces.nonce });
  if (inserted.length === 0) throw new PayloadRejected("This signed payload was already used.");
  return payload;
}

async function installedStore(db: Db, storeHash: string) {
  const [store] = await db.select().from(stores).where(eq(stores.hash, storeHash)).limit(1);
  if (!store || store.status !== "installed")
    throw new PayloadRejected("Strongbox is not installed on this store.");
  return store;
}

const jwtQuery = z.object({ signed_payload_jwt: z.string().max(8192).optional() });

authRoutes.get("/load", zValidator("query", jwtQuery), async (c) => {
  try {
    const db = getDb(c.env);
    const payload = await acceptPayload(c.env, c.req.valid("query").signed_payload_jwt);
    const role = payload.owner?.id === payload.user.id ? "owner" : "user";
    await upsertUser(db, payload.storeHash, payload.user.id, payload.user.email, role, payload.user.locale);
    const session = await createSession(db, {
      storeHash: payload.storeHash,
      userId: payload.user.id,
      kind: "embedded",
    });
    setSessionCookie(c, session.token, "embedded", session.expiresAt);
    // BigCommerce passes a deep link in `url`; only follow app-relative paths.
    const target = payload.url && /^\/[a-z0-9/_-]*$/i.test(payload.url) ? payload.url : "/";
    return c.redirect(target, 302);
  } catch (err) {
    if (err instanceof PayloadRejected) return c.html(rejectPage("Access denied", err.message), 401);
    throw err;
  }
});

authRoutes.get("/uninstall", zValidator("query", jwtQuery), async (c) => {
  try {
    const payload = await acceptPayload(c.env, c.req.valid("query").signed_payload_jwt);
    const db = getDb(c.env);
    const now = Date.now();
    await db
      .update(stores)
      .set({
        status: "uninstalled",
        // BigCommerce revokes the token on uninstall; we forget it too.
        tokenCiphertext: null,
        tokenIv: null,
        tokenKeyId: null,
        uninstalledAt: now,
        deleteAfter: now + UNINSTALL_GRACE_DAYS * 86_400_000,
      })
      .where(eq(stores.hash, payload.storeHash));
    await revokeSessions(db, payload.storeHash);
    c.executionCtx.waitUntil(onStoreUninstalled(c.env, payload.storeHash));
    return c.text("uninstalled", 200);
  } catch (err) {
    if (err instanceof PayloadRejected) return c.text(err.message, 401);
    throw err;
  }
});

const removeUser = factory.createHandlers(zValidator("query", jwtQuery), async (c) => {
  try {
    const payload = await acceptPayload(c.env, c.req.valid("query").signed_payload_jwt);
    const db = getDb(c.env);
    await db
      .update(users)
      .set({ removedAt: Date.now() })
      .where(and(eq(users.storeHash, payload.storeHash), eq(users.userId, payload.user.id)));
    await revokeSessions(db, payload.storeHash, payload.user.id);
    return c.text("removed", 200);
  } catch (err) {
    if (err instanceof PayloadRejected) return c.text(err.message, 401);
    throw err;
  }
});

// BigCommerce's docs name this callback both ways; answer both spellings.
authRoutes.get("/remove-user", ...removeUser);
authRoutes.get("/remove_user", ...removeUser);

/** Expired jti and webhook-hash rows are pruned by the scheduler. */
export async function pruneNonces(db: Db, now = Date.now()) {
  await db.delete(seenNonces).where(sql`${seenNonces.expiresAt} < ${now}`);
}
