import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { SessionContext } from "../api/context";
import type { Db } from "../db/client";
import { sessions, stores, users } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/ids";

export const SESSION_COOKIE = "sb_session";

/**
 * Embedded sessions live in the control-panel iframe (a third-party context), so their cookie is
 * `SameSite=None; Secure; Partitioned` (CHIPS): the browser keys it to the control panel's site, and
 * no other site embedding the app can use it. External sessions (signed in at the app's own address)
 * are first-party `SameSite=Lax` and shorter.
 */
export const SESSION_TTL_MS = { embedded: 12 * 3600_000, external: 2 * 3600_000 } as const;

export async function createSession(
  db: Db,
  input: { storeHash: string; userId: number; kind: "embedded" | "external" },
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken();
  const expiresAt = now + SESSION_TTL_MS[input.kind];
  await db.insert(sessions).values({
    idHash: await sha256Hex(token),
    storeHash: input.storeHash,
    userId: input.userId,
    kind: input.kind,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

export function setSessionCookie(
  c: Context,
  token: string,
  kind: "embedded" | "external",
  expiresAt: number,
) {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    secure: true,
    sameSite: kind === "embedded" ? "None" : "Lax",
    partitioned: kind === "embedded",
    expires: new Date(expiresAt),
  });
}

/** Resolves the request's session; null when absent, expired, revoked, or its store/user lost access. */
export async function loadSession(db: Db, c: Context, now = Date.now()): Promise<SessionContext | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || token.length > 200) return null;
  const rows = await db
    .select({ session: sessions, user: users, storeStatus: stores.status })
    .from(sessions)
    .innerJoin(users, and(eq(users.storeHash, sessions.storeHash), eq(users.userId, sessions.userId)))
    .innerJoin(stores, eq(stores.hash, sessions.storeHash))
    .where(and(eq(sessions.idHash, await sha256Hex(token)), isNull(sessions.revokedAt)))
    .limit(1);
  const row = rows[0];
  if (!row || row.session.expiresAt <= now || row.user.removedAt || row.storeStatus !== "installed")
    return null;
  return {
    storeHash: row.session.storeHash,
    userId: row.session.userId,
    email: row.user.email,
    role: row.user.role,
    kind: row.session.kind,
    csrfToken: row.session.csrfToken,
  };
}

export async function revokeSessions(db: Db, storeHash: string, userId?: number, now = Date.now()) {
  const where =
    userId === undefined
      ? eq(sessions.storeHash, storeHash)
      : and(eq(sessions.storeHash, storeHash), eq(sessions.userId, userId));
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(where, isNull(sessions.revokedAt)));
}
