import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type AppSession, installViaOAuth, sandbox } from "./support/install";
import { type ApiRoute, apiRoutes, fillPath, PUBLIC_API } from "./support/routes";
import { settleJobs } from "./support/stores";

/**
 * Tenant isolation over every documented `/api` route: a session of store A (an empty store) addresses
 * store B's records, versions, backups, restores and exports by their real ids. Nothing of B may come
 * back, and nothing of B (D1 rows, or the live store) may change.
 */
let A: AppSession;
let B: AppSession;
const ids: Record<string, string> = {};
const secrets: string[] = [];

const TABLES_WITH_STORE = [
  "records",
  "versions",
  "backups",
  "restores",
  "restore_items",
  "exports",
  "export_schedules",
  "users",
  "sessions",
  "packs",
  "id_map",
  "plan_changes",
  "signins",
  "image_files",
  "image_sources",
  "version_images",
];

async function snapshotOf(storeHash: string) {
  const out: Record<string, unknown> = {};
  for (const t of TABLES_WITH_STORE) {
    const exists = await env.DB.prepare("select 1 from sqlite_master where type='table' and name=?")
      .bind(t)
      .first();
    if (!exists) continue;
    out[t] = (
      await env.DB.prepare(`select * from "${t}" where store_hash = ? order by rowid`).bind(storeHash).all()
    ).results;
  }
  out.stores = await env.DB.prepare("select * from stores where hash = ?").bind(storeHash).first();
  out.live = await sandbox(`/__sandbox/stores/${storeHash}/export`);
  return JSON.stringify(out);
}

function valueFor(param: string, before: string): string {
  const p = param.toLowerCase();
  if (p === "type") return ids.type;
  if (p.includes("sha")) return ids.image;
  if (p.includes("version")) return ids.version;
  if (p.includes("restore") || before === "restores") return ids.restore;
  if (p.includes("export") || before === "exports") return ids.export;
  if (p.includes("backup") || before === "backups" || before === "jobs") return ids.backup;
  return ids.record;
}

const bodyFor = () => ({
  versionId: Number(ids.version),
  restoreId: ids.restore,
  types: [ids.type],
  emails: ["attacker@example.com"],
  type: ids.type,
  id: ids.record,
});

function urlFor(route: ApiRoute) {
  const q = new URLSearchParams();
  for (const name of route.queryParams) if (["q", "search"].includes(name)) q.set(name, secrets[1] ?? "x");
  const qs = q.toString();
  return fillPath(route, valueFor) + (qs ? `?${qs}` : "");
}

beforeAll(async () => {
  A = await installViaOAuth("empty", 31);
  B = await installViaOAuth("demo", 32);
  // Back up B (its first backup may already be running: then this request is refused and we wait for it).
  await B.api("/api/backups", { method: "POST", json: {} });
  await settleJobs(B.storeHash);
  await settleJobs(A.storeHash);
  const rec = await env.DB.prepare(
    "select type, record_id, display_name from records where store_hash = ? and type = 'products' limit 1",
  )
    .bind(B.storeHash)
    .first<{ type: string; record_id: string; display_name: string }>();
  const ver = await env.DB.prepare(
    "select id from versions where store_hash = ? and type = ? and record_id = ? limit 1",
  )
    .bind(B.storeHash, rec!.type, rec!.record_id)
    .first<{ id: number }>();
  const backup = await env.DB.prepare("select id from backups where store_hash = ? limit 1")
    .bind(B.storeHash)
    .first<{ id: string }>();
  // An image file B's backup kept (content-addressed: the same bytes in A's store would share the hash).
  const image = await env.DB.prepare("select sha256 from image_files where store_hash = ? limit 1")
    .bind(B.storeHash)
    .first<{ sha256: string }>()
    .catch(() => null);
  Object.assign(ids, {
    type: rec!.type,
    record: rec!.record_id,
    version: String(ver!.id),
    backup: backup!.id,
    image: image?.sha256 ?? "0".repeat(64),
  });

  // B restores one record and exports once, so those ids exist too.
  const restore = await B.api(`/api/vault/items/${ids.type}/${ids.record}/restore`, {
    method: "POST",
    json: { versionId: ver!.id },
  });
  const restoreBody = await restore.json<Record<string, unknown>>();
  ids.restore = String(restoreBody.restoreId ?? restoreBody.id ?? "none");
  await settleJobs(B.storeHash);
  const exp = await B.api("/api/exports", {
    method: "POST",
    json: { types: ["brands"], emails: ["owner@example.com"] },
  });
  const expBody = await exp.json<Record<string, unknown>>();
  ids.export = String(expBody.id ?? expBody.exportId ?? "none");
  await settleJobs(B.storeHash);

  const names = await env.DB.prepare(
    "select display_name from records where store_hash = ? and length(display_name) > 6 limit 25",
  )
    .bind(B.storeHash)
    .all<{ display_name: string }>();
  secrets.push(B.storeHash, ...names.results.map((r) => r.display_name), ids.restore, ids.export, ids.backup);
  if (image) secrets.push(image.sha256);
}, 180_000);

describe("tenant isolation across every /api route", () => {
  it("answers 401 without a session on every route but the public ones", async () => {
    const routes = (await apiRoutes()).filter((r) => !PUBLIC_API.has(r.path));
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const res = await exports.default.fetch(`http://app.test${urlFor(route)}`, {
        method: route.method,
        headers: route.hasBody ? { "content-type": "application/json" } : {},
        body: route.hasBody ? JSON.stringify(bodyFor()) : undefined,
      });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it("gives store A nothing of store B, by id, by search or by tampering, and changes nothing of B", async () => {
    const before = await snapshotOf(B.storeHash);
    const routes = (await apiRoutes()).filter((r) => !PUBLIC_API.has(r.path));
    const report: string[] = [];
    for (const route of routes) {
      const url = urlFor(route);
      const res = await A.api(url, { method: route.method, ...(route.hasBody ? { json: bodyFor() } : {}) });
      const text = await res.text();
      expect(res.status, `${route.method} ${url}: ${text.slice(0, 200)}`).toBeLessThan(500);
      // A route addressed by one of B's ids (anything but a content type) finds nothing for A.
      if (route.pathParams.some((p) => p !== "type"))
        expect(
          res.status,
          `${route.method} ${url} answered B's id: ${text.slice(0, 200)}`,
        ).toBeGreaterThanOrEqual(400);
      for (const secret of secrets.filter((s) => s && s !== "none")) {
        expect(text.includes(secret), `${route.method} ${url} leaked "${secret}"`).toBe(false);
      }
      report.push(`${res.status} ${route.method} ${url}`);
    }
    // Let any job A may have started settle before comparing B.
    await settleJobs(A.storeHash);
    expect(await snapshotOf(B.storeHash)).toBe(before);
    console.log(
      `isolation: ${routes.length} routes probed as store A with store B's ids (B's image file: ${secrets.includes(ids.image) ? "real" : "none backed up"})\n${report.join("\n")}`,
    );
  });
});
