import type { Hono } from "hono";
import type { SandboxAppConfig, SandboxState } from "./engine/context.ts";
import { signJwt } from "./engine/jwt.ts";
import type { Store, StoreUser } from "./engine/store.ts";

/** Scopes an app install grants when the caller names none: every read/modify pair a backup+restore app needs. */
export const DEFAULT_APP_SCOPES = [
  "store_v2_products",
  "store_v2_customers",
  "store_v2_orders",
  "store_v2_content",
  "store_v2_marketing",
  "store_v2_information",
  "store_v2_transactions_read_only",
  "store_channel_settings",
  "store_sites",
  "store_locations",
  "store_inventory",
  "store_themes_manage",
  "store_content_checkout",
  "store_cart",
  "store_metafield_write_all",
];

/** Auth codes live this long (BigCommerce's are short-lived and single-use). */
export const AUTH_CODE_TTL_MS = 10 * 60_000;

export function findApp(state: SandboxState, clientId?: string | null): SandboxAppConfig | undefined {
  return clientId ? state.apps.find((a) => a.clientId === clientId) : state.apps[0];
}

/** A signed_payload_jwt as BigCommerce sends to /load, /uninstall and /remove_user. */
export async function signedPayload(
  state: SandboxState,
  store: Store,
  app: SandboxAppConfig,
  user: StoreUser,
  url = "/",
): Promise<string> {
  const iat = Math.floor(state.now() / 1000);
  return signJwt(
    {
      aud: app.clientId,
      iss: "bc",
      iat,
      nbf: iat,
      exp: iat + 24 * 3600,
      jti: crypto.randomUUID(),
      sub: `stores/${store.hash}`,
      user: { id: user.id, email: user.email, locale: user.locale },
      owner: { id: store.owner.id, email: store.owner.email },
      url,
      channel_id: null,
    },
    app.clientSecret,
  );
}

function tokenFor(store: Store): string {
  const r = store.rng;
  let s = "";
  while (s.length < 31) s += Math.floor(r.next() * 36).toString(36);
  return s;
}

const oauthError = (status: number, error: string, description: string) =>
  new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { "content-type": "application/json" },
  });

/** `POST /oauth2/token`: exchanges a single-use install code for a permanent access token. */
export function mountOAuth(app: Hono, state: SandboxState): void {
  app.post("/oauth2/token", async (c) => {
    const type = c.req.header("content-type") ?? "";
    let body: Record<string, string> = {};
    try {
      if (type.includes("application/x-www-form-urlencoded")) {
        body = Object.fromEntries(new URLSearchParams(await c.req.text()));
      } else {
        body = (await c.req.json()) as Record<string, string>;
      }
    } catch {
      return oauthError(400, "invalid_request", "The request body could not be read");
    }
    for (const f of [
      "client_id",
      "client_secret",
      "code",
      "context",
      "scope",
      "grant_type",
      "redirect_uri",
    ]) {
      if (!body[f]) return oauthError(400, "invalid_request", `Missing parameter: ${f}`);
    }
    if (body.grant_type !== "authorization_code") {
      return oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code");
    }
    const appConfig = findApp(state, body.client_id);
    if (!appConfig || appConfig.clientSecret !== body.client_secret) {
      return oauthError(401, "invalid_client", "Invalid client id or secret");
    }
    const hash = body.context.replace(/^stores\//, "");
    const store = state.stores.get(hash);
    const code = store?.authCodes.get(body.code);
    if (!store || !code || code.clientId !== body.client_id || code.expiresAt < state.now()) {
      return oauthError(
        400,
        "invalid_grant",
        "The provided authorization grant is invalid, expired, or revoked",
      );
    }
    store.authCodes.delete(body.code);
    const expectedRedirect = `${appConfig.appUrl}/auth/callback`;
    if (body.redirect_uri !== expectedRedirect) {
      return oauthError(400, "invalid_grant", "redirect_uri does not match the app's auth callback URL");
    }
    const user = store.users.get(code.userId) ?? store.owner;
    // One token per store + app: a reinstall replaces the previous one.
    for (const [t, g] of store.tokens) if (g.clientId === code.clientId) store.tokens.delete(t);
    const accessToken = tokenFor(store);
    store.tokens.set(accessToken, {
      token: accessToken,
      clientId: code.clientId,
      scopes: new Set(code.scope.split(/\s+/).filter(Boolean)),
      userId: user.id,
    });
    return c.json({
      access_token: accessToken,
      scope: code.scope,
      user: { id: user.id, username: user.username, email: user.email },
      owner: { id: store.owner.id, username: store.owner.username, email: store.owner.email },
      context: `stores/${store.hash}`,
      account_uuid: store.accountUuid,
    });
  });
}
