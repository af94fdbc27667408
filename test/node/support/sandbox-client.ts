import { createSandbox, type SandboxOptions } from "../../../sandbox/app.ts";

/** A sandbox in this process plus a store, with small helpers speaking to it as a BigCommerce client would. */
export async function sandboxStore(
  profile: "demo" | "rs-10k" | "empty" = "demo",
  options: SandboxOptions = {},
  seed = 1,
) {
  const sandbox = createSandbox(options);
  const base = "http://sandbox.test";
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await sandbox.fetch(
      new Request(`${base}/__sandbox${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  const created = await admin("POST", "/stores", { profile, seed });
  const { store_hash: hash, access_token: token } = created.body as {
    store_hash: string;
    access_token: string;
  };
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await sandbox.fetch(
      new Request(`${base}/stores/${hash}${path}`, {
        method,
        headers: {
          "x-auth-token": token,
          accept: "application/json",
          "content-type": "application/json",
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the tests.
    const json: any = text ? JSON.parse(text) : null;
    return { status: res.status, headers: res.headers, body: json, text };
  };
  return { sandbox, base, hash, token, admin, api };
}
