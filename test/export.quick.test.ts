import { env, exports } from "cloudflare:workers";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { getType } from "../worker/bigcommerce/registry";
import { pruneExpiredExports } from "../worker/export/cron";
import { LINK_TTL_MS, signDownloadToken, verifyDownloadToken } from "../worker/export/links";
import {
  csvObjects,
  type ExportDetail,
  sandboxExport,
  sandboxStore,
  sha256,
  waitForExport,
} from "./export.support";
import type { Client } from "./plans.support";
import { APP_URL, testBindings } from "./support/test-env";

const TYPES = ["products", "brands", "categories", "customers", "orders"];
/** The id field each type's API answers with (the trees API calls a category's id `category_id`). */
const idOf = (type: string) => getType(type).idField as string;
/** Types whose API shape is the store's own shape, so every field can be compared one to one. */
const SAME_SHAPE = new Set(["products", "brands", "customers", "orders"]);
const dec = new TextDecoder();

let client: Client;
let storeHash: string;
let ownerEmail: string;
let done: ExportDetail;
let zip: Record<string, Uint8Array>;
let source: Record<string, Record<string, unknown>[]>;

const download = (url: string) =>
  exports.default.fetch(url.replace(testBindings.APP_URL ?? APP_URL, APP_URL));
const jsonl = (name: string) =>
  dec
    .decode(zip[name])
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  ({ client, storeHash, email: ownerEmail } = await sandboxStore("demo", 21));
  source = await sandboxExport(storeHash);
  const res = await client.send("POST", "/api/exports", {
    types: TYPES,
    emails: [ownerEmail, "ops@example.com", "OPS@example.com"],
  });
  expect(res.status).toBe(202);
  const { id } = await res.json<{ id: string }>();

  // One job at a time per store: a second export while this one runs is refused.
  const second = await client.send("POST", "/api/exports", { types: ["brands"], emails: [ownerEmail] });
  expect(second.status).toBe(409);
  expect((await second.json<{ error: { code: string } }>()).error.code).toBe("job_running");

  done = await waitForExport(client, id);
  expect(done.error).toBeNull();
  expect(done.status).toBe("done");
  expect(done.links).toHaveLength(1);
  const res2 = await download(done.links[0].url);
  expect(res2.status).toBe(200);
  expect(res2.headers.get("content-type")).toBe("application/zip");
  zip = unzipSync(new Uint8Array(await res2.arrayBuffer()));
});

describe("Quick Export of the demo store", () => {
  it("puts every record of each chosen type in its JSON Lines file, with every field", () => {
    for (const type of TYPES) {
      const want = source[type];
      expect(want.length, `${type} in the sandbox`).toBeGreaterThan(0);
      const got = jsonl(`${type}.jsonl`);
      expect(got.map((r) => r[idOf(type)]).sort(), type).toEqual(want.map((r) => r.id).sort());
      expect(done.counts[type]).toBe(want.length);
      // Every top-level field the store holds is in the export, with the same value.
      const byId = new Map(got.map((r) => [r[idOf(type)], r]));
      for (const rec of want) {
        const mine = byId.get(rec.id) as Record<string, unknown>;
        for (const [k, v] of Object.entries(rec)) {
          if (v !== null && typeof v === "object") continue;
          if (!SAME_SHAPE.has(type) && !(k in mine)) continue;
          expect(mine[k], `${type} ${rec.id} ${k}`).toEqual(v);
        }
      }
    }
    // Sub-resources are embedded: a product's variants are in its line.
    const product = jsonl("products.jsonl")[0] as { variants?: unknown[] };
    expect(Array.isArray(product.variants) && product.variants.length).toBeGreaterThan(0);
    // Store-wide child lists (metafields) are read once and attached to their records.
    const metafields = jsonl("products.jsonl").flatMap(
      (p) => (p.metafields as { id: number; resource_id: number }[]) ?? [],
    );
    expect(metafields.map((m) => m.id).sort()).toEqual(source.product_metafields.map((m) => m.id).sort());
    for (const p of jsonl("products.jsonl")) {
      for (const m of (p.metafields as { resource_id: number }[]) ?? []) expect(m.resource_id).toBe(p.id);
    }
  });

  it("puts every record in the type's CSV, and nested lists in their own CSV", () => {
    for (const type of TYPES) {
      const rows = csvObjects(dec.decode(zip[`${type}.csv`]));
      expect(rows.map((r) => r[idOf(type)]).sort(), type).toEqual(
        source[type].map((r) => String(r.id)).sort(),
      );
    }
    const products = csvObjects(dec.decode(zip["products.csv"]));
    const first = source.products[0] as Record<string, unknown>;
    const row = products.find((r) => r.id === String(first.id));
    expect(row?.name).toBe(first.name);
    expect(row?.sku).toBe(first.sku);
    const variants = csvObjects(dec.decode(zip["products.variants.csv"]));
    const totalVariants = jsonl("products.jsonl").reduce(
      (n, p) => n + ((p.variants as unknown[]) ?? []).length,
      0,
    );
    expect(variants).toHaveLength(totalVariants);
    expect(variants.every((v) => v["products.id"] === v.product_id)).toBe(true);
  });

  it("writes a manifest whose checksums match every file", async () => {
    const manifest = JSON.parse(dec.decode(zip["manifest.json"])) as {
      app: string;
      appVersion: string;
      store: { hash: string; name: string };
      createdAt: string;
      types: { key: string; count: number }[];
      files: { name: string; sha256: string; bytes: number }[];
    };
    expect(manifest.store).toEqual({ hash: storeHash, name: "Demo store" });
    expect(manifest.app).toBe("Strongbox");
    expect(manifest.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);
    expect(manifest.types.map((t) => t.key)).toEqual(TYPES);
    for (const t of manifest.types) expect(t.count).toBe(source[t.key].length);
    const names = Object.keys(zip)
      .filter((n) => n !== "manifest.json")
      .sort();
    expect(manifest.files.map((f) => f.name).sort()).toEqual(names);
    for (const f of manifest.files) {
      expect(await sha256(zip[f.name]), f.name).toBe(f.sha256);
      expect(zip[f.name].length).toBe(f.bytes);
    }
  });

  it("emails the links once per recipient, to the outbox", async () => {
    const res = await exports.default.fetch(`${APP_URL}/__dev/outbox.json?store=${storeHash}`);
    const { emails } = await res.json<{
      emails: { kind: string; to: string[]; text: string; html: string }[];
    }>();
    const ready = emails.filter((e) => e.kind === "export_ready");
    expect(ready).toHaveLength(1);
    expect(ready[0].to).toEqual([ownerEmail, "ops@example.com"]);
    expect(ready[0].text).toContain(done.links[0].url);
    expect(ready[0].text).toMatch(/Products: \d+ items/);
  });

  it("lists the export in History with its type, content types, size and link", async () => {
    const res = await client.get("/api/exports");
    const { exports: rows } = await res.json<{ exports: ExportDetail[] & { typeCount: number }[] }>();
    const row = rows.find((r) => r.id === done.id) as unknown as {
      kind: string;
      typeCount: number;
      size: number;
      links: unknown[];
      status: string;
    };
    expect(row).toMatchObject({ kind: "manual", typeCount: TYPES.length, status: "done" });
    expect(row.size).toBeGreaterThan(0);
    expect(row.links).toHaveLength(1);
    // The date filter: nothing from tomorrow on.
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const later = await (await client.get(`/api/exports?from=${tomorrow}`)).json<{ exports: unknown[] }>();
    expect(later.exports).toHaveLength(0);
    const bad = await client.get("/api/exports?from=yesterday");
    expect(bad.status).toBe(400);
  });

  it("refuses invalid emails and empty selections, and dedupes recipients", async () => {
    const invalid = await client.send("POST", "/api/exports", {
      types: ["brands"],
      emails: [ownerEmail, "not-an-email"],
    });
    expect(invalid.status).toBe(400);
    expect((await invalid.json<{ error: { field: string } }>()).error.field).toBe("emails.1");
    const none = await client.send("POST", "/api/exports", { types: [], emails: [ownerEmail] });
    expect(none.status).toBe(400);
    const noEmail = await client.send("POST", "/api/exports", { types: ["brands"], emails: [] });
    expect(noEmail.status).toBe(400);
    const unknownType = await client.send("POST", "/api/exports", { types: ["nope"], emails: [ownerEmail] });
    expect(unknownType.status).toBe(400);
  });
});

describe("download links", () => {
  const token = () => done.links[0].url.split("/downloads/")[1];

  it("work for 7 days, then answer 410 and the files are deleted", async () => {
    const [payload] = token().split(".");
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp: number };
    const check = await verifyDownloadToken(testBindings.LINK_SIGNING_SECRET, token(), claims.exp - 1);
    expect(check.ok).toBe(true);
    expect(claims.exp - Date.now()).toBeGreaterThan(LINK_TTL_MS - 120_000);
    // Move the clock past expiry.
    expect(await verifyDownloadToken(testBindings.LINK_SIGNING_SECRET, token(), claims.exp)).toEqual({
      ok: false,
      reason: "expired",
    });
    const expired = await signDownloadToken(testBindings.LINK_SIGNING_SECRET, {
      e: done.id,
      f: 0,
      s: storeHash,
      exp: Date.now() - 1,
    });
    const gone = await exports.default.fetch(`${APP_URL}/downloads/${expired}`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain("expired");
  });

  it("refuse a tampered token or another store's with 403 and nothing else", async () => {
    const t = token();
    const flipped = `${t.slice(0, -2)}${t.at(-2) === "A" ? "B" : "A"}${t.slice(-1)}`;
    for (const bad of [flipped, `${t.split(".")[0]}.`, "garbage", `x${t}`]) {
      const res = await exports.default.fetch(`${APP_URL}/downloads/${bad}`);
      expect(res.status, bad).toBe(403);
      const body = await res.text();
      expect(body).not.toContain(storeHash);
      expect(body).not.toContain(done.id);
    }
    // Validly signed, but for another store: still 403.
    const other = await signDownloadToken(testBindings.LINK_SIGNING_SECRET, {
      e: done.id,
      f: 0,
      s: "otherstore",
      exp: Date.now() + 60_000,
    });
    expect((await exports.default.fetch(`${APP_URL}/downloads/${other}`)).status).toBe(403);
    // Another file index of the same export.
    const noFile = await signDownloadToken(testBindings.LINK_SIGNING_SECRET, {
      e: done.id,
      f: 5,
      s: storeHash,
      exp: Date.now() + 60_000,
    });
    expect((await exports.default.fetch(`${APP_URL}/downloads/${noFile}`)).status).toBe(403);
  });

  it("files are deleted by the hourly clean-up once expired", async () => {
    const row = await env.DB.prepare("select expires_at, files from exports where id = ?")
      .bind(done.id)
      .first<{ expires_at: number; files: string }>();
    const key = (JSON.parse(row?.files ?? "[]") as { key: string }[])[0].key;
    expect(await env.EXPORTS.head(key)).not.toBeNull();
    expect(await pruneExpiredExports(env, (row?.expires_at ?? 0) - 1)).toBe(0);
    expect(await pruneExpiredExports(env, row?.expires_at ?? 0)).toBe(1);
    expect(await env.EXPORTS.head(key)).toBeNull();
    // The History row stays, without links.
    const list = await (await client.get("/api/exports")).json<{
      exports: { id: string; links: unknown[] }[];
    }>();
    expect(list.exports.find((e) => e.id === done.id)?.links).toEqual([]);
  });
});
