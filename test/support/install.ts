import { exports } from "cloudflare:workers";
import { SANDBOX_URL } from "./test-env";

/** A browser-like session on the app: the cookie from the auth flow and the CSRF token from /api/session. */
export type AppSession = {
  storeHash: string;
  cookie: string;
  csrfToken: string;
  /** fetch an app path as this session (JSON bodies, CSRF header on changes). */
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
};

export async function sandbox<T = unknown>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${SANDBOX_URL}${path}`, {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers ?? {}) },
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The `sb_session=...` pair from a response that started a session. */
export function cookieFrom(res: Response): string {
  const raw = res.headers.getSetCookie().find((c) => c.startsWith("sb_session="));
  if (!raw) throw new Error(`no session cookie (status ${res.status}): ${res.headers.get("location")}`);
  return raw.split(";")[0];
}

export async function sessionFromCookie(storeHash: string, cookie: string): Promise<AppSession> {
  const info = await exports.default.fetch("http://app.test/api/session", { headers: { cookie } });
  if (info.status !== 200) throw new Error(`session rejected: ${info.status} ${await info.text()}`);
  const { csrfToken } = await info.json<{ csrfToken: string }>();
  const api: AppSession["api"] = (path, init = {}) =>
    exports.default.fetch(`http://app.test${path}`, {
      ...init,
      headers: {
        cookie,
        "x-csrf-token": csrfToken,
        ...(init.json === undefined ? {} : { "content-type": "application/json" }),
        ...(init.headers ?? {}),
      },
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
    });
  return { storeHash, cookie, csrfToken, api };
}

/**
 * Creates a sandbox store and installs the app into it through the real single-click flow: the sandbox
 * issues an auth code, the app's /auth/callback exchanges it at the sandbox's /oauth2/token.
 */
export async function installViaOAuth(profile: "demo" | "empty" | "rs-10k" = "demo", seed = 1) {
  const store = await sandbox<{ store_hash: string; access_token: string }>("/__sandbox/stores", {
    method: "POST",
    json: { profile, seed },
  });
  const { callback_url } = await sandbox<{ callback_url: string }>(
    `/__sandbox/stores/${store.store_hash}/install`,
    {
      method: "POST",
      json: {},
    },
  );
  const res = await exports.default.fetch(callback_url, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`install failed: ${res.status} ${await res.text()}`);
  const session = await sessionFromCookie(store.store_hash, cookieFrom(res));
  return { ...session, sandboxToken: store.access_token };
}

/** Opens the app as a user of the store, the way the control panel does (a freshly signed load URL). */
export async function loadAs(storeHash: string, userId?: number): Promise<AppSession> {
  const q = userId === undefined ? "" : `?user_id=${userId}`;
  const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${storeHash}/load-url${q}`);
  const res = await exports.default.fetch(url, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`load failed: ${res.status} ${await res.text()}`);
  return sessionFromCookie(storeHash, cookieFrom(res));
}
