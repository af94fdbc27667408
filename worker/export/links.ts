import { base64url, base64urlDecode } from "../lib/ids";

/** Download links work for one week; the files are deleted after that. */
export const LINK_TTL_MS = 7 * 24 * 3600_000;

/** What a download token names: one file of one export of one store, until `exp` (epoch ms). */
export type LinkClaims = { e: string; f: number; s: string; exp: number };

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: "tampered" | "expired" };

const enc = new TextEncoder();

async function hmacKey(secret: string) {
  return crypto.subtle.importKey(
    "raw",
    enc.encode(`download-link:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/**
 * `{payload}.{mac}`: base64url JSON claims and an HMAC-SHA-256 over them. The export id inside is
 * itself 80 random bits, and the MAC makes the token unforgeable, so neither guessing nor editing a
 * link reaches another file, export or store.
 */
export async function signDownloadToken(secret: string, claims: LinkClaims): Promise<string> {
  const payload = base64url(enc.encode(JSON.stringify(claims)));
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(payload));
  return `${payload}.${base64url(mac)}`;
}

/** Signature first (a tampered token learns nothing, not even whether it expired), then expiry. */
export async function verifyDownloadToken(
  secret: string,
  token: string,
  now = Date.now(),
): Promise<LinkCheck> {
  const parts = token.split(".");
  if (parts.length !== 2 || token.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(parts[0] + parts[1]))
    return { ok: false, reason: "tampered" };
  let valid = false;
  try {
    valid = await crypto.subtle.verify(
      "HMAC",
      await hmacKey(secret),
      base64urlDecode(parts[1]),
      enc.encode(parts[0]),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "tampered" };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(new TextDecoder().decode(base64urlDecode(parts[0])));
  } catch {
    return { ok: false, reason: "tampered" };
  }
  if (
    typeof claims.e !== "string" ||
    typeof claims.s !== "string" ||
    typeof claims.f !== "number" ||
    typeof claims.exp !== "number"
  ) {
    return { ok: false, reason: "tampered" };
  }
  if (now >= claims.exp) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

export function downloadUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, "")}/downloads/${token}`;
}
