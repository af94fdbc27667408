import { env, exports } from "cloudflare:workers";
import { encryptToken } from "../worker/auth/token-crypto";
import { payloadClaims, signJwt } from "./support/jwt";
import { APP_URL, testBindings } from "./support/test-env";

/** A signed-in API client for one store: installs the store row, loads the app with a signed JWT. */
export type Client = {
  storeHash: string;
  get: (path: string) => Promise<Response>;
  send: (method: string, path: string, body?: unknown) => Promise<Response>;
};

export async function installStore(
  storeHash: string,
  plan: "free" | "standard" | "pro" = "standard",
  ownerId = 1,
) {
  const token = await encryptToken(env, storeHash, `token-${storeHash}`);
  await env.DB.prepare(
    "insert into stores (hash, status, scope, owner_id, owner_email, token_ciphertext, token_iv, token_key_id, installed_at, plan) values (?, 'installed', 'store_v2_products', ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      storeHash,
      ownerId,
      `owner@${storeHash}.test`,
      token.tokenCiphertext,
      token.tokenIv,
      token.tokenKeyId,
      Date.now(),
      plan,
    )
    .run();
}

export async function signIn(
  storeHash: string,
  user: { id: number; email: string; ownerId?: number },
): Promise<Client> {
  const jwt = await signJwt(
    payloadClaims({
      clientId: testBindings.BC_CLIENT_ID,
      storeHash,
      userId: user.id,
      email: user.email,
      ownerId: user.ownerId,
    }),
    testBindings.BC_CLIENT_SECRET,
  );
  const res = await exports.default.fetch(
    `${APP_URL}/auth/load?signed_payload_jwt=${encodeURIComponent(jwt)}`,
    {
      redirect: "manual",
    },
  );
  if (res.status !== 302) throw new Error(`load failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const session = await exports.default.fetch(`${APP_URL}/api/session`, { headers: { cookie } });
  const { csrfToken } = await session.json<{ csrfToken: string }>();
  return {
    storeHash,
    get: (path) => exports.default.fetch(`${APP_URL}${path}`, { headers: { cookie } }),
    send: (method, path, body) =>
      exports.default.fetch(`${APP_URL}${path}`, {
        method,
        headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

export async function installAndSignIn(storeHash: string, plan: "free" | "standard" | "pro" = "standard") {
  await installStore(storeHash, plan);
  return signIn(storeHash, { id: 1, email: `owner@${storeHash}.test` });
}
