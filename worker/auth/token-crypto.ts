import { base64url, base64urlDecode } from "../lib/ids";

/**
 * Store API tokens are encrypted at rest with AES-256-GCM. `TOKEN_ENCRYPTION_KEY` is `keyId:base64key`
 * (the key new tokens are written with); `TOKEN_ENCRYPTION_KEYS` may list older `keyId:base64key` pairs,
 * comma-separated, that can still decrypt, so keys rotate without a flag day. The store hash is bound
 * as additional data: a ciphertext copied onto another store's row does not decrypt.
 */
type KeyEnv = { TOKEN_ENCRYPTION_KEY: string; TOKEN_ENCRYPTION_KEYS?: string };

export type EncryptedToken = { tokenCiphertext: string; tokenIv: string; tokenKeyId: string };

function parseKey(spec: string): { id: string; raw: Uint8Array } {
  const at = spec.indexOf(":");
  if (at < 1) throw new Error("TOKEN_ENCRYPTION_KEY must look like keyId:base64key");
  const raw = Uint8Array.from(atob(spec.slice(at + 1).trim()), (c) => c.charCodeAt(0));
  if (raw.length !== 32) throw new Error("TOKEN_ENCRYPTION_KEY must hold 32 bytes (base64)");
  return { id: spec.slice(0, at).trim(), raw };
}

function keyring(env: KeyEnv) {
  const current = parseKey(env.TOKEN_ENCRYPTION_KEY);
  const all = new Map([[current.id, current.raw]]);
  for (const spec of (env.TOKEN_ENCRYPTION_KEYS ?? "").split(",").filter((s) => s.trim())) {
    const k = parseKey(spec);
    if (!all.has(k.id)) all.set(k.id, k.raw);
  }
  return { current, all };
}

const importKey = (raw: Uint8Array) =>
  crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);

export async function encryptToken(env: KeyEnv, storeHash: string, token: string): Promise<EncryptedToken> {
  const { current } = keyring(env);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(storeHash) },
    await importKey(current.raw),
    new TextEncoder().encode(token),
  );
  return { tokenCiphertext: base64url(ciphertext), tokenIv: base64url(iv), tokenKeyId: current.id };
}

export class TokenUnavailableError extends Error {}

export async function decryptToken(
  env: KeyEnv,
  store: { hash: string; tokenCiphertext: string | null; tokenIv: string | null; tokenKeyId: string | null },
): Promise<string> {
  if (!store.tokenCiphertext || !store.tokenIv || !store.tokenKeyId) {
    throw new TokenUnavailableError("This store's BigCommerce token was revoked (the app was uninstalled).");
  }
  const raw = keyring(env).all.get(store.tokenKeyId);
  if (!raw) throw new TokenUnavailableError(`Encryption key ${store.tokenKeyId} is not configured.`);
  const plain = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: base64urlDecode(store.tokenIv),
      additionalData: new TextEncoder().encode(store.hash),
    },
    await importKey(raw),
    base64urlDecode(store.tokenCiphertext),
  );
  return new TextDecoder().decode(plain);
}

/** Whether a token was written with an older key and should be re-encrypted with the current one. */
export function needsRotation(env: KeyEnv, tokenKeyId: string | null): boolean {
  return tokenKeyId !== null && tokenKeyId !== keyring(env).current.id;
}
