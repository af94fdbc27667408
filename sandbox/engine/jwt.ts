/** HS256 JWTs with WebCrypto (Node 20 and workerd alike): BigCommerce's signed_payload_jwt. */

const b64url = (bytes: Uint8Array) => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const enc = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

export async function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  const head = b64url(enc.encode(JSON.stringify({ typ: "JWT", alg: "HS256" })));
  const body = b64url(enc.encode(JSON.stringify(claims)));
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(`${head}.${body}`));
  return `${head}.${body}.${b64url(new Uint8Array(sig))}`;
}

/** Verifies the signature only (claims are the caller's business); null when invalid. */
export async function verifyJwt(token: string, secret: string): Promise<Record<string, unknown> | null> {
  const [head, body, sig] = token.split(".");
  if (!head || !body || !sig) return null;
  const ok = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    fromB64url(sig),
    enc.encode(`${head}.${body}`),
  );
  return ok ? JSON.parse(new TextDecoder().decode(fromB64url(body))) : null;
}
