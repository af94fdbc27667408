/** Signs BigCommerce-style payload JWTs for tests, including deliberately broken ones. */
const b64url = (data: Uint8Array | string) => {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

export async function signJwt(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: "HS256", typ: "JWT" },
) {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(head)));
  return `${head}.${b64url(sig)}`;
}

export function payloadClaims(input: {
  clientId: string;
  storeHash: string;
  userId: number;
  email: string;
  ownerId?: number;
  now?: number;
}) {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    aud: input.clientId,
    iss: "bc",
    iat,
    nbf: iat,
    exp: iat + 86_400,
    jti: crypto.randomUUID(),
    sub: `stores/${input.storeHash}`,
    user: { id: input.userId, email: input.email, locale: "en-US" },
    owner: { id: input.ownerId ?? input.userId, email: input.email },
    url: "/",
    channel_id: null,
  };
}
