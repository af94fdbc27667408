import { env, exports } from "cloudflare:workers";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { onStoreUninstalled } from "../worker/auth/lifecycle";
import { readVersionBody, stateAt } from "../worker/backup/vault-read";
import { getType } from "../worker/bigcommerce/registry";
import { type ExportMessage, enqueueDueExports, handleExportMessages } from "../worker/export/cron";
import type { Manifest } from "../worker/export/package";
import {
  csvObjects,
  type ExportDetail,
  sandboxExport,
  sandboxStore,
  sha256,
  waitForExport,
} from "./export.support";
import type { Client } from "./plans.support";
import { installViaOAuth, sandbox } from "./support/install";
import { backupNow } from "./support/stores";
import "../worker/maintenance/cleanup";
import { APP_URL, SANDBOX_URL, testBindings } from "./support/test-env";

const TYPES = ["products", "brands", "categories", "customers", "orders"];
const idOf = (type: string) => getType(type).idField as string;
const dec = new TextDecoder();
const download = (url: string) =>
  exports.default.fetch(url.replace(testBindings.APP_URL ?? APP_URL, APP_URL));
const lines = (bytes: Uint8Array) =>
  dec
    .decode(bytes)
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Every record the vault holds now for a type (latest version, deletions left out), by record id. */
async function vaultBodies(storeHash: string, type: string) {
  const out = new Map<string, unknown>();
  for (let page = 1; ; page++) {
    const { versions, hasMore } = await stateAt(env.DB, storeHash, type, Date.now(), { page, pageSize: 500 });
    for (const v of versions) out.set(v.recordId, await readVersionBody(env, v));
    if (!hasMore) return out;
  }
}

async function zipOf(done: ExportDetail) {
  expect(done.links).toHaveLength(1);
  const res = await download(done.links[0].url);
  expect(res.status).toBe(200);
  return unzipSync(new Uint8Array(await res.arrayBuffer()));
}

describe("export when BigCommerce has revoked the store's token", () => {
  let client: Client;
  let storeHash: string;
  let email: string;
  let token: string;
  let before: Record<string, Record<string, unknown>[]>;
  let backedUpAt: number;
  let done: ExportDetail;
  let zip: Record<string, Uint8Array>;

  beforeAll(async () => {
    // Installed through OAuth: the sandbox revokes the token it granted the app.
    const s = await installViaOAuth("demo", 41);
    storeHash = s.storeHash;
    token = s.sandboxToken;
    email = "ops@example.com";
    client = {
      storeHash,
      get: (path) => s.api(path),
      send: (method, path, body) => s.api(path, { method, json: body }),
    };
    await backupNow(storeHash, TYPES);
    backedUpAt = Date.now();
    before = await sandboxExport(storeHash);
    // Changed in the store after the backup: the vault export shows the backed-up name.
    const product = before.products[0];
    const renamed = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3/catalog/products/${product.id}`, {
      method: "PUT",
      headers: { "x-auth-token": token, "content-type": "application/json" },
      body: JSON.stringify({ name: "Renamed after the backup" }),
    });
    expect(renamed.status).toBe(200);
    // BigCommerce revokes the token; its uninstall callback has not reached the app (yet).
    await sandbox(`/__sandbox/stores/${storeHash}/uninstall`, { method: "POST", json: {} });
  });

  it("Quick Export says the token is refused and offers the export from the latest backup", async () => {
    const res = await client.get("/api/export-options");
    expect(res.status).toBe(200);
    const options = await res.json<{ tokenRevoked: boolean; lastBackupAt: number | null }>();
    expect(options.tokenRevoked).toBe(true);
    expect(options.lastBackupAt).toBeGreaterThan(0);
    expect(options.lastBackupAt).toBeLessThanOrEqual(backedUpAt);
  });

  it("accepts the export (no 409) and builds it from the vault: every record of each type, as backed up", async () => {
    const res = await client.send("POST", "/api/exports", { types: TYPES, emails: [email] });
    expect(res.status).toBe(202);
    const started = await res.json<{ id: string; source: string }>();
    expect(started.source).toBe("vault");
    done = await waitForExport(client, started.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe("done");
    expect(done.source).toBe("vault");
    zip = await zipOf(done);

    for (const type of TYPES) {
      const got = lines(zip[`${type}.jsonl`]);
      // The same records as the store had when it was backed up...
      expect(got.map((r) => r[idOf(type)]).sort(), type).toEqual(before[type].map((r) => r.id).sort());
      expect(done.counts[type]).toBe(before[type].length);
      // ...each one exactly as the vault holds it.
      const vault = await vaultBodies(storeHash, type);
      expect(got).toHaveLength(vault.size);
      expect(new Set(got.map((r) => JSON.stringify(r)))).toEqual(
        new Set([...vault.values()].map((b) => JSON.stringify(b))),
      );
      // And one CSV row per record.
      expect(csvObjects(dec.decode(zip[`${type}.csv`])), type).toHaveLength(before[type].length);
    }
    const product = lines(zip["products.jsonl"]).find((p) => p.id === before.products[0].id);
    expect(product?.name).toBe(before.products[0].name);
    expect(product?.name).not.toBe("Renamed after the backup");
  });

  it("the manifest says the source and its checksums match", async () => {
    const manifest = JSON.parse(dec.decode(zip["manifest.json"])) as Manifest;
    const lastCapture = (await env.DB.prepare(
      `select max(captured_at) as at from versions where store_hash = ? and type in (${TYPES.map(() => "?").join(",")})`,
    )
      .bind(storeHash, ...TYPES)
      .first<{ at: number }>())!.at;
    expect(manifest.source).toBe(`vault, as of ${new Date(lastCapture).toISOString()}`);
    expect(done.asOf).toBe(lastCapture);
    for (const f of manifest.files) expect(await sha256(zip[f.name]), f.name).toBe(f.sha256);
  });

  it("History says the export was built from the latest backup, and as of when", async () => {
    const res = await client.get("/api/exports");
    expect(res.status).toBe(200);
    const { exports: rows } = await res.json<{
      exports: { id: string; source: string; asOf: number | null }[];
    }>();
    const row = rows.find((r) => r.id === done.id);
    expect(row?.source).toBe("vault");
    expect(done.asOf).toBeGreaterThan(0);
    expect(row?.asOf).toBe(done.asOf);
  });

  it("emails the links and says the export was built from the backup", async () => {
    const mail = await env.DB.prepare(
      "select \"to\", text from outbox where store_hash = ? and kind = 'export_ready' order by id desc limit 1",
    )
      .bind(storeHash)
      .first<{ to: string; text: string }>();
    expect(JSON.parse(mail!.to)).toEqual([email]);
    expect(mail!.text).toContain("Built from Strongbox's latest backup");
    expect(mail!.text).toContain(done.links[0].url);
  });
});

describe("export from the latest backup on a store whose token works", () => {
  it("Quick Export checks the token with one API call, not one per opening", async () => {
    const { client, storeHash } = await sandboxStore("demo", 44);
    await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`, { method: "DELETE" });
    for (let i = 0; i < 3; i++) {
      const res = await client.get("/api/export-options");
      expect(res.status).toBe(200);
      expect((await res.json<{ tokenRevoked: boolean }>()).tokenRevoked).toBe(false);
    }
    const stats = await (await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`)).json<{
      total_requests: number;
    }>();
    expect(stats.total_requests).toBe(1);
  });

  it("History says a live export read the store", async () => {
    const { client, email } = await sandboxStore("demo", 46);
    const res = await client.send("POST", "/api/exports", { types: ["brands"], emails: [email] });
    const started = await res.json<{ id: string; source: string }>();
    expect(started.source).toBe("live");
    expect((await waitForExport(client, started.id)).status).toBe("done");
    const { exports: rows } = await (await client.get("/api/exports")).json<{
      exports: { id: string; source: string; asOf: number | null }[];
    }>();
    expect(rows.find((r) => r.id === started.id)).toMatchObject({ source: "live", asOf: null });
  });

  it("makes no API call and holds the backed-up records", async () => {
    const { client, storeHash, email } = await sandboxStore("demo", 42);
    await backupNow(storeHash, ["brands", "categories"]);
    await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`, { method: "DELETE" });
    const res = await client.send("POST", "/api/exports", {
      types: ["brands", "categories"],
      emails: [email],
      source: "vault",
    });
    expect(res.status).toBe(202);
    const started = await res.json<{ id: string; source: string }>();
    expect(started.source).toBe("vault");
    const done = await waitForExport(client, started.id);
    expect(done.status).toBe("done");
    const stats = await (await fetch(`${SANDBOX_URL}/__sandbox/stores/${storeHash}/stats`)).json<{
      requests: Record<string, number>;
    }>();
    // The finished backup may still sync its webhooks (GET /v3/hooks) while the export runs.
    expect(Object.keys(stats.requests).filter((path) => !path.includes("/hooks"))).toEqual([]);
    const zip = await zipOf(done);
    expect(lines(zip["brands.jsonl"])).toHaveLength((await vaultBodies(storeHash, "brands")).size);
    expect(lines(zip["categories.jsonl"])).toHaveLength((await vaultBodies(storeHash, "categories")).size);
  });
});

describe("a token refused in the middle of a live export", () => {
  it("restarts the export from the latest backup instead of failing it, and History says so", async () => {
    const s = await installViaOAuth("demo", 45);
    const client: Client = {
      storeHash: s.storeHash,
      get: (path) => s.api(path),
      send: (method, path, body) => s.api(path, { method, json: body }),
    };
    await backupNow(s.storeHash, TYPES);
    const backedUp = await sandboxExport(s.storeHash);
    // Slow calls: the export is still reading the store when the token goes.
    await sandbox(`/__sandbox/stores/${s.storeHash}/faults`, {
      method: "PUT",
      json: { slowRate: 1, slowMs: 150, seed: 3 },
    });
    const res = await client.send("POST", "/api/exports", { types: TYPES, emails: ["owner@example.com"] });
    expect(res.status).toBe(202);
    const started = await res.json<{ id: string; source: string }>();
    expect(started.source).toBe("live");
    let read = false;
    for (let i = 0; i < 300 && !read; i++) {
      const detail = await (await client.get(`/api/exports/${started.id}`)).json<ExportDetail>();
      expect(detail.source).toBe("live");
      read = detail.progress.some((p) => p.done > 0);
      if (!read) await new Promise((r) => setTimeout(r, 50));
    }
    expect(read).toBe(true);
    // BigCommerce revokes the token; the uninstall callback has not reached the app.
    await sandbox(`/__sandbox/stores/${s.storeHash}/uninstall`, { method: "POST", json: {} });

    const done = await waitForExport(client, started.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe("done");
    expect(done.source).toBe("vault");
    const zip = await zipOf(done);
    const manifest = JSON.parse(dec.decode(zip["manifest.json"])) as Manifest;
    expect(manifest.source).toMatch(/^vault, as of /);
    for (const type of TYPES) {
      const got = lines(zip[`${type}.jsonl`]);
      expect(got.map((r) => r[idOf(type)]).sort(), type).toEqual(backedUp[type].map((r) => r.id).sort());
      expect(done.counts[type]).toBe(backedUp[type].length);
    }
    const { exports: rows } = await (await client.get("/api/exports")).json<{
      exports: { id: string; source: string }[];
    }>();
    expect(rows.find((r) => r.id === started.id)?.source).toBe("vault");
  });
});

describe("an export stopped by an uninstall", () => {
  it("says why in History and in the failure email", async () => {
    const s = await installViaOAuth("demo", 43);
    await sandbox(`/__sandbox/stores/${s.storeHash}/faults`, {
      method: "PUT",
      json: { slowRate: 1, slowMs: 150, seed: 2 },
    });
    const started = await s.api("/api/exports", {
      method: "POST",
      json: { types: ["products", "customers", "orders"], emails: ["owner@example.com"] },
    });
    expect(started.status).toBe(202);
    const { id } = await started.json<{ id: string }>();
    // What the app's uninstall callback runs (the sandbox's own uninstall would also revoke the token,
    // and the job could then stop on a refused call first, with that reason instead).
    await onStoreUninstalled(env, s.storeHash);
    let row: { status: string; error: string | null } | null = null;
    for (let i = 0; i < 300; i++) {
      row = await env.DB.prepare("select status, error from exports where id = ?")
        .bind(id)
        .first<{ status: string; error: string | null }>();
      if (row?.status === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe("Stopped: Strongbox was uninstalled from this store.");
    const mail = await env.DB.prepare(
      "select text from outbox where store_hash = ? and kind = 'export_failed' order by id desc limit 1",
    )
      .bind(s.storeHash)
      .first<{ text: string }>();
    expect(mail?.text).toContain("Strongbox was uninstalled");
    expect(mail?.text).not.toContain("The export was cancelled.");
  });
});

describe("Include image files", () => {
  it("adds every image file of the chosen types under images/, byte for byte, and the estimate counts them", async () => {
    const { client, storeHash, email } = await sandboxStore("demo", 45);
    const types = ["brands", "categories"];
    await backupNow(storeHash, types);
    const estimate = await (
      await client.get(`/api/export-estimate?types=${types.join(",")}&includeImages=true`)
    ).json<{ records: number; bytes: number; images: { count: number; bytes: number } }>();
    expect(estimate.images.count).toBeGreaterThan(0);
    const without = await (await client.get(`/api/export-estimate?types=${types.join(",")}`)).json<{
      images: { count: number };
    }>();
    expect(without.images.count).toBe(0);

    const res = await client.send("POST", "/api/exports", { types, emails: [email], includeImages: true });
    expect(res.status).toBe(202);
    const done = await waitForExport(client, (await res.json<{ id: string }>()).id);
    expect(done.status).toBe("done");
    const zip = await zipOf(done);
    const images = Object.keys(zip).filter((name) => name.startsWith("images/"));
    expect(images).toHaveLength(estimate.images.count);
    expect(images.reduce((n, name) => n + zip[name].length, 0)).toBe(estimate.images.bytes);
    expect(images.some((name) => name.startsWith("images/brands/"))).toBe(true);

    // Each file is the vault's file: its SHA-256 is the content address the vault stored it under.
    const stored = new Set(
      (
        await env.DB.prepare("select sha256 from image_files where store_hash = ?")
          .bind(storeHash)
          .all<{ sha256: string }>()
      ).results.map((r) => r.sha256),
    );
    for (const name of images) {
      const sha = await sha256(zip[name]);
      expect(stored.has(sha), name).toBe(true);
      const obj = await env.VAULT.get(`images/${storeHash}/${sha}`);
      expect(await sha256(new Uint8Array(await obj!.arrayBuffer()))).toBe(sha);
    }
    const manifest = JSON.parse(dec.decode(zip["manifest.json"])) as Manifest;
    for (const name of images) {
      expect(manifest.files.find((f) => f.name === name)?.sha256).toBe(await sha256(zip[name]));
    }
  });

  it("a Weekly schedule saved with Include image files runs with them", async () => {
    const { client, storeHash, email } = await sandboxStore("demo", 46);
    await env.DB.prepare("update stores set plan = 'standard' where hash = ?").bind(storeHash).run();
    const types = ["brands"];
    await backupNow(storeHash, types);
    const saved = await client.send("PUT", "/api/export-schedule", {
      enabled: true,
      frequency: "weekly",
      dayOfWeek: 1,
      types,
      emails: [email],
      includeImages: true,
    });
    expect(saved.status).toBe(200);
    expect((await saved.json<{ schedule: { includeImages: boolean } }>()).schedule.includeImages).toBe(true);
    expect(
      (await (await client.get("/api/export-schedule")).json<{ schedule: { includeImages: boolean } }>())
        .schedule.includeImages,
    ).toBe(true);

    // The run comes due: the cron enqueues it and the queue consumer starts it.
    const now = Date.now();
    await env.DB.prepare("update export_schedules set next_run_at = ? where store_hash = ?")
      .bind(now - 1000, storeHash)
      .run();
    const sent: ExportMessage[] = [];
    const queueEnv = {
      ...env,
      JOBS_QUEUE: {
        sendBatch: async (b: { body: ExportMessage }[]) => void sent.push(...b.map((m) => m.body)),
      },
    } as unknown as Env;
    expect(await enqueueDueExports(queueEnv, now)).toContain(storeHash);
    const mine = sent.filter((m) => m.store === storeHash);
    expect(mine).toHaveLength(1);
    await handleExportMessages(
      mine.map((body) => ({ body, ack: () => {}, retry: () => {} }) as unknown as Message<ExportMessage>),
      env,
    );
    const done = await waitForExport(client, mine[0].exportId);
    expect(done).toMatchObject({ status: "done", kind: "weekly" });
    const zip = await zipOf(done);
    const images = Object.keys(zip).filter((name) => name.startsWith("images/brands/"));
    expect(images.length).toBeGreaterThan(0);
  });
});
