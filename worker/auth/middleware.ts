import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../api/context";
import { getDb } from "../db/client";
import { HttpError } from "../lib/errors";
import { loadSession } from "./sessions";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every `/api` route runs as the session's store and user. State-changing requests must also carry the
 * session's CSRF token in `X-CSRF-Token`: a cross-site form or fetch cannot read it, so it cannot send it.
 */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const session = await loadSession(getDb(c.env), c);
  if (!session) {
    throw new HttpError(
      401,
      "session_expired",
      "Your session has expired. Open Strongbox again from your BigCommerce control panel.",
    );
  }
  if (!SAFE_METHODS.has(c.req.method) && c.req.header("x-csrf-token") !== session.csrfToken) {
    throw new HttpError(403, "csrf", "This request is missing its CSRF token. Reload the app and try again.");
  }
  c.set("session", session);
  await next();
};
