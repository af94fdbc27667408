import { base64urlDecode } from "../lib/ids";

/** The claims BigCommerce puts in the signed payload JWT of the load, uninstall and remove-user callbacks. */
export type SignedPayload = {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  sub: string;
  user: { id: number; email: string; locale?: string };
  owner: { id: number; email: string };
  url?: string;
  channel_id?: number | null;
  storeHash: string;
};

export class PayloadRejected extends Error {}

const CLOCK_SKEW_S = 60;

/**
 * Verifies a signed_payload_jwt: HS256 only (so `alg: none` and algorithm swaps fail), signature with the
 * client secret, aud = client id, iss = "bc", within nbf/exp, and sub = "stores/{hash}".
 */
export async function verifySignedPayload(
  env: Pick<Env, "BC_CLIENT_ID" | "BC_CLIENT_SECRET">,
  jwt: string | undefined,
  nowMs = Date.now(),
): Promise<SignedPayload> {
  if (!jwt) throw new PayloadRejected("The request carries no signed payload.");
  const parts = jwt.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new PayloadRejected("The signed payload is malformed.");
  }
  let header: { alg?: string; typ?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(base64urlDecode(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(base64urlDecode(parts[1])));
  } catch {
    throw new PayloadRejected("The signed payload is malformed.");
  }
  if (header.alg !== "HS256")
    throw new PayloadRejected(`Signing algorithm ${header.alg ?? "none"} is not accepted.`);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(env.BC_CLIENT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    base64urlDecode(parts[2]),
    new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
  );
  if (!valid) throw new PayloadRejected("The signature does not match this app's client secret.");
  if (claims.aud !== env.BC_CLIENT_ID)
    throw new PayloadRejected("The payload was issued for another app (aud).");
  if (claims.iss !== "bc") throw new PayloadRejected("The payload was not issued by BigCommerce (iss).");
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_S < now)
    throw new PayloadRejected("The payload has expired.");
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_S > now)
    throw new PayloadRejected("The payload is not valid yet.");
  if (typeof claims.jti !== "string" || !claims.jti)
    throw new PayloadRejected("The payload has no id (jti).");
  const sub = typeof claims.sub === "string" ? /^stores\/([a-z0-9]+)$/i.exec(claims.sub) : null;
  if (!sub) throw new PayloadRejected("The payload names no store (sub).");
  const user = claims.user as SignedPayload["user"] | undefined;
  if (!user || typeof user.id !== "number" || typeof user.email !== "string") {
    throw new PayloadRejected("The payload names no user.");
  }
  return { ...(claims as Omit<SignedPayload, "storeHash">), storeHash: sub[1] };
}
