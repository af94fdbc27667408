import { env } from "cloudflare:workers";
import { strFromU8, unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { installViaOAuth } from "./support/install";
import { jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Session = Awaited<ReturnType<typeof installViaOAuth>>;
type Theme = { uuid: string; name: string; is_private: boolean; variations: { uuid: string }[] };

async function backupThemes(storeHash: string) {
  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  const started = await jobsOf(storeHash).startBackup({ kind: "manual", types: ["themes"] });
  expect(started.started).toBe(true);
  expect((await waitForJob(storeHash)).status).toBe("done");
  const stats = await sandboxAdmin<{ requests: Record<string, number> }>(`/stores/${storeHash}/stats`);
  return Object.entries(stats.requests)
    .filter(([k]) => k.includes("actions/download"))
    .reduce((n, [, v]) => n + v, 0);
}

async function storedZips(storeHash: string) {
  const listed = await env.VAULT.list({ prefix: `theme-files/${storeHash}/` });
  return listed.objects.map((o) => o.key).sort();
}

async function latestVersion(storeHash: string, uuid: string) {
  const row = await env.DB.prepare(
    "select id from versions where store_hash = ? and type = 'themes' and record_id = ? order by id desc limit 1",
  )
    .bind(storeHash, uuid)
    .first<{ id: number }>();
  expect(row).not.toBeNull();
  return row?.id as number;
}

describe("theme files", () => {
  let app: Session;
  let custom: Theme;
  let marketplace: Theme;

  beforeAll(async () => {
    app = await installViaOAuth("demo", 41);
    const res = await fetch(`${SANDBOX_URL}/stores/${app.storeHash}/v3/themes`, {
      headers: { "x-auth-token": app.sandboxToken },
    });
    const themes = (await res.json<{ data: Theme[] }>()).data;
    custom = themes.find((t) => t.is_private) as Theme;
    marketplace = themes.find((t) => !t.is_private) as Theme;
    expect(custom && marketplace).toBeTruthy();
  });

  it("stores a custom theme's zip with its backup, downloadable from the theme's version", async () => {
    expect(await backupThemes(app.storeHash)).toBe(1);
    const zips = await storedZips(app.storeHash);
    expect(zips).toHaveLength(1);
    expect(zips[0]).toContain(`/${custom.uuid}/`);

    const res = await app.api(
      `/api/vault/items/themes/${custom.uuid}/versions/${await latestVersion(app.storeHash, custom.uuid)}/files`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files)).toContain("templates/pages/home.html");
    expect(JSON.parse(strFromU8(files["config.json"])).name).toBe(custom.name);
  });

  it("a marketplace theme has no files to download: the route says so", async () => {
    const res = await app.api(
      `/api/vault/items/themes/${marketplace.uuid}/versions/${await latestVersion(app.storeHash, marketplace.uuid)}/files`,
    );
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/custom themes/);
  });

  it("downloads nothing again while the theme is unchanged, and stores a new zip when its version changes", async () => {
    expect(await backupThemes(app.storeHash)).toBe(0);
    expect(await storedZips(app.storeHash)).toHaveLength(1);

    // Activating the marketplace theme deactivates the custom one: a new version of its record, so
    // its files are stored again (the marketplace theme's new version has none).
    const activate = await fetch(`${SANDBOX_URL}/stores/${app.storeHash}/v3/themes/actions/activate`, {
      method: "POST",
      headers: { "x-auth-token": app.sandboxToken, "content-type": "application/json" },
      body: JSON.stringify({ variation_id: marketplace.variations[0].uuid, which: "original" }),
    });
    expect(activate.status).toBe(204);
    expect(await backupThemes(app.storeHash)).toBe(1);
    const zips = await storedZips(app.storeHash);
    expect(zips).toHaveLength(2);
    expect(zips.every((k) => k.includes(`/${custom.uuid}/`))).toBe(true);
  });

  it("another store's session cannot read the files", async () => {
    const other = await installViaOAuth("demo", 42);
    const res = await other.api(
      `/api/vault/items/themes/${custom.uuid}/versions/${await latestVersion(app.storeHash, custom.uuid)}/files`,
    );
    expect(res.status).toBe(404);
  });
});
