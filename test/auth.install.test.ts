import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptToken } from "../worker/auth/token-crypto";
import { installViaOAuth, loadAs, sandbox } from "./support/install";
import { SANDBOX_URL } from "./support/test-env";

async function storeRow(hash: string) {
  return env.DB.prepare("select * from stores where hash = ?")
    .bind(hash)
    .first<Record<string, string | number | null>>();
}

/** Every text value of every table, to prove a secret is stored nowhere in clear. */
async function allD1Text(): Promise<string> {
  const tables = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like '\\_%' escape '\\' and name not like 'sqlite%'",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`select * from "${name}"`).all();
    parts.push(JSON.stringify(rows.results));
  }
  return parts.join("\n");
}

describe("single-click install against the sandbox store", () => {
  it("exchanges the code, stores the token encrypted, and opens a working session", async () => {
    const s = await installViaOAuth("demo", 11);
    const row = await storeRow(s.storeHash);
    expect(row).toMatchObject({
      status: "installed",
      owner_email: expect.stringContaining("@"),
      token_key_id: "k1",
    });
    expect(String(row?.scope)).toContain("store_v2_products");

    const token = await decryptToken(env, {
      hash: s.storeHash,
      tokenCiphertext: row!.token_ciphertext as string,
      tokenIv: row!.token_iv as string,
      tokenKeyId: row!.token_key_id as string,
    });
    // The decrypted token is the one BigCommerce (the sandbox) issued: it works against the API...
    const info = await fetch(`${SANDBOX_URL}/stores/${s.storeHash}/v2/store`, {
      headers: { "x-auth-token": token, accept: "application/json" },
    });
    expect(info.status).toBe(200);
    expect(row?.name).toBe((await info.json<{ name: string }>()).name);
    // ...and it appears nowhere in D1 in clear.
    expect(token.length).toBeGreaterThan(10);
    expect(await allD1Text()).not.toContain(token);

    const me = await (await s.api("/api/session")).json<{
      store: { hash: string };
      user: { role: string };
    }>();
    expect(me.store.hash).toBe(s.storeHash);
    expect(me.user.role).toBe("owner");
  });

  it("accepts the control panel's load JWT and records the user", async () => {
    const s = await installViaOAuth("empty", 12);
    const staff = await sandbox<{ id: number; email: string }>(`/__sandbox/stores/${s.storeHash}/users`, {
      method: "POST",
      json: { email: "staff@example.com" },
    });
    const session = await loadAs(s.storeHash, staff.id);
    const me = await (await session.api("/api/session")).json<{ user: { email: string; role: string } }>();
    expect(me.user).toEqual(expect.objectContaining({ email: "staff@example.com", role: "user" }));
  });

  it("refuses an install code that BigCommerce did not issue, and writes nothing", async () => {
    const before = await env.DB.prepare("select count(*) as n from stores").first<{ n: number }>();
    const res = await exports.default.fetch(
      "http://app.test/auth/callback?code=forged&scope=store_v2_products&context=stores/abc123",
      { redirect: "manual" },
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("did not accept the install code");
    expect(await env.DB.prepare("select count(*) as n from stores").first<{ n: number }>()).toEqual(before);
  });
});

describe("remove-user and uninstall callbacks", () => {
  it("remove-user ends that user's sessions at once and leaves the others", async () => {
    const owner = await installViaOAuth("empty", 13);
    const staff = await sandbox<{ id: number }>(`/__sandbox/stores/${owner.storeHash}/users`, {
      method: "POST",
      json: {},
    });
    const staffSession = await loadAs(owner.storeHash, staff.id);
    expect((await staffSession.api("/api/session")).status).toBe(200);

    const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${owner.storeHash}/remove-user`, {
      method: "POST",
      json: { user_id: staff.id },
    });
    const res = await exports.default.fetch(url);
    expect(res.status).toBe(200);
    expect((await staffSession.api("/api/session")).status).toBe(401);
    expect((await owner.api("/api/session")).status).toBe(200);
    // The same callback replayed is refused.
    expect((await exports.default.fetch(url)).status).toBe(401);
  });

  it("uninstall forgets the token, ends every session, keeps the vault for the grace period, and a reinstall works", async () => {
    const s = await installViaOAuth("empty", 14);
    const { url } = await sandbox<{ url: string }>(`/__sandbox/stores/${s.storeHash}/uninstall`, {
      method: "POST",
      json: {},
    });
    expect((await exports.default.fetch(url)).status).toBe(200);
    const row = await storeRow(s.storeHash);
    expect(row).toMatchObject({ status: "uninstalled", token_ciphertext: null, token_iv: null });
    expect(Number(row?.delete_after)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await s.api("/api/session")).status).toBe(401);

    // The control panel cannot open an uninstalled app.
    const { url: loadUrl } = await sandbox<{ url: string }>(`/__sandbox/stores/${s.storeHash}/load-url`);
    const load = await exports.default.fetch(loadUrl, { redirect: "manual" });
    expect(load.status).toBe(401);
    expect(await load.text()).toContain("not installed");

    // Installing again brings the same store back.
    const { callback_url } = await sandbox<{ callback_url: string }>(
      `/__sandbox/stores/${s.storeHash}/install`,
      { method: "POST", json: {} },
    );
    expect((await exports.default.fetch(callback_url, { redirect: "manual" })).status).toBe(302);
    expect(await storeRow(s.storeHash)).toMatchObject({ status: "installed", delete_after: null });
  });
});
