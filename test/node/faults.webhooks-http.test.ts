import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error the dev stack is plain ESM without type declarations
import { readDevVars, startStack } from "../../scripts/dev-stack.mjs";
import { freePort } from "../support/free-port";

/**
 * Webhooks over real HTTP: the sandbox store (its own Node server, webhooks POSTed for real) and the
 * worker under `wrangler dev`, as `npm start` runs them. The merchant edits the store while the
 * sandbox duplicates half of the deliveries and delays some, so announcements arrive late, twice and
 * in another order than the edits. The merchant-visible outcome: every change ends up as a version,
 * each record's newest version is the live record, deletions are recorded, and a backup afterwards
 * finds nothing new (the vault already held the store's final state).
 */
type Stack = { appUrl: string; sandboxUrl: string; storeHash: string; stop: () => Promise<void> };
type Delivery = {
  hook_id: number;
  scope: string;
  payload: { hash: string; data: { id: number } };
  created_at: number;
  due_at: number;
  status?: number | string;
};
type Version = { id: number; change: string; source: string };

let stack: Stack;
let stateDir: string;
let cookie = "";
let csrf = "";
let token = "";

async function admin<T = unknown>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${stack.sandboxUrl}/__sandbox/stores/${stack.storeHash}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The merchant editing the store with its own token (what the control panel does). */
async function store<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.sandboxUrl}/stores/${stack.storeHash}/v3${path}`, {
    method,
    headers: { "x-auth-token": token, "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text).data : null) as T;
}

/** The app as the signed-in merchant. */
async function api<T = unknown>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${stack.appUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function eventually<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 40_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const got = await probe();
      if (got !== null) return got;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function backupAndWait(types: string[]) {
  const { jobId } = await api<{ jobId: string }>("/api/backups", { method: "POST", json: { types } });
  return eventually(
    "the backup",
    async () => {
      const { job } = await api<{
        job: { status: string; progress: { types: Record<string, { versions: number; deleted: number }> } };
      }>(`/api/jobs/${jobId}`);
      return job.status === "running" ? null : job;
    },
    120_000,
  );
}

const versionsOf = (type: string, id: number | string) =>
  api<{ versions: Version[] }>(`/api/vault/items/${type}/${id}`).then((r) => r.versions);
const bodyOf = (type: string, id: number | string, versionId: number) =>
  api<{ body: Record<string, unknown> | null }>(`/api/vault/items/${type}/${id}/versions/${versionId}`).then(
    (r) => r.body,
  );

const TYPES = ["products", "customers"];

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "strongbox-webhooks-"));
  stack = (await startStack({
    appPort: await freePort(),
    sandboxPort: await freePort(),
    persistTo: stateDir,
    build: false,
    quiet: true,
    profile: "demo",
  })) as Stack;
  // Sign in the way the control panel opens the app.
  const { url } = await admin<{ url: string }>("/load-url");
  const load = await fetch(url, { redirect: "manual" });
  cookie = (load.headers.getSetCookie().find((c) => c.startsWith("sb_session=")) ?? "").split(";")[0];
  csrf = (await api<{ csrfToken: string }>("/api/session")).csrfToken;
  // A token of the app's own client, so the hooks the app registers are visible to it.
  ({ access_token: token } = await admin<{ access_token: string }>("/tokens", {
    json: { client_id: readDevVars().BC_CLIENT_ID },
  }));
  await admin("/quota", { method: "PUT", json: { plan: "unlimited" } });
  await api("/api/plan", { method: "PUT", json: { plan: "pro" } });
  await backupAndWait(TYPES);
  // Automatic sync on: the app registers its hooks (after answering), pointing at wrangler dev.
  await api("/api/settings", { method: "PUT", json: { autoSync: true } });
  // The app registers one hook per scope, one call each: wait until the list stops growing.
  let seen = -1;
  await eventually("the hooks", async () => {
    const n = (await store<{ scope: string }[]>("GET", "/hooks")).length;
    const settled = n > 0 && n === seen;
    seen = n;
    if (!settled) await new Promise((r) => setTimeout(r, 750));
    return settled ? true : null;
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe("webhooks delivered over HTTP, duplicated, delayed and out of order", () => {
  it("ends with every change as a version, the newest version equal to the live record, and nothing left for a backup", async () => {
    const t0 = Date.now();
    const products = (await store<{ id: number }[]>("GET", "/catalog/products?limit=5")).map((p) => p.id);
    const customers = (await store<{ id: number }[]>("GET", "/customers?limit=2")).map((c) => c.id);
    const [p1, p2, p3, p4] = products;
    const [c1, c2] = customers;
    const faults = (json: Record<string, number>) =>
      admin("/faults", { method: "PUT", json: { webhookDuplicateRate: 0.5, seed: 12, ...json } });

    // Late announcements: these arrive after the ones below, and half of everything arrives twice.
    await faults({ webhookDelayMs: 2_500 });
    await store("PUT", `/catalog/products/${p1}`, { name: "First edit over HTTP" });
    await store("PUT", `/catalog/products/${p2}`, { price: 12.5 });
    await store("DELETE", `/catalog/products/${p3}`);
    await store("PUT", "/customers", [{ id: c1, company: "Edited over HTTP Ltd" }]);
    // Prompt announcements of later edits, including a second edit of p1 (its announcement overtakes the first's).
    await faults({ webhookDelayMs: 0 });
    await store("PUT", `/catalog/products/${p1}`, { name: "Second edit over HTTP" });
    await store("DELETE", `/customers?id:in=${c2}`);
    const created = await store<{ id: number }>("POST", "/catalog/products", {
      name: "Created over HTTP",
      type: "physical",
      weight: 1,
      price: 3,
    });
    // An edit captured at once, then a second edit of the same record moments later: both must end
    // up as versions (the second used to be dropped when BigCommerce announced it with the same hash,
    // i.e. within the same second; here the capture takes about the queue's 1 s batch window).
    const newestName = async () => {
      const [v] = await versionsOf("products", p4);
      return v ? ((await bodyOf("products", p4, v.id)) as { name?: string } | null)?.name : undefined;
    };
    await store("PUT", `/catalog/products/${p4}`, { name: "Captured edit A" });
    await eventually("edit A captured", async () =>
      (await newestName()) === "Captured edit A" ? true : null,
    );
    await store("PUT", `/catalog/products/${p4}`, { name: "Quick edit B" });

    const live = async (type: string, id: number) =>
      type === "products"
        ? store<Record<string, unknown>>("GET", `/catalog/products/${id}`).catch(() => null)
        : ((await store<Record<string, unknown>[]>("GET", `/customers?id:in=${id}`))[0] ?? null);
    const expected: [string, number, string][] = [
      ["products", p1, "name"],
      ["products", p2, "price"],
      ["products", p4, "name"],
      ["products", created.id, "name"],
      ["customers", c1, "company"],
    ];
    // Every change reaches the vault: the newest version of each record is the live record.
    for (const [type, id, field] of expected) {
      const now = await live(type, id);
      await eventually(`${type}/${id} ${field} = ${now?.[field]}`, async () => {
        const [newest] = await versionsOf(type, id);
        const body = newest && (await bodyOf(type, id, newest.id));
        const got =
          body &&
          ((body as Record<string, unknown>)[field] ??
            (body as { data?: Record<string, unknown> }).data?.[field]);
        return got === now?.[field] ? true : null;
      });
    }
    for (const [type, id] of [
      ["products", p3],
      ["customers", c2],
    ] as const) {
      await eventually(`${type}/${id} deleted`, async () =>
        (await versionsOf(type, id))[0]?.change === "deleted" ? true : null,
      );
    }
    // Let the late copies arrive and be handled before counting.
    await eventually("every delivery answered", async () => {
      const all = await admin<Delivery[]>("/webhooks/deliveries");
      return all.length > 0 && all.every((d) => d.status !== undefined) ? all : null;
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const deliveries = await admin<Delivery[]>("/webhooks/deliveries");
    expect(
      deliveries.every((d) => d.status === 200),
      JSON.stringify(deliveries.map((d) => d.status)),
    ).toBe(true);
    // Some came twice to the same hook (the fault), not only once per matching hook.
    const announcements = new Set(deliveries.map((d) => `${d.hook_id}:${d.payload.hash}`)).size;
    expect(deliveries.length).toBeGreaterThan(announcements);
    expect(
      deliveries.some((a) => deliveries.some((b) => a.created_at < b.created_at && a.due_at > b.due_at)),
    ).toBe(true); // out of order

    // One webhook version per change (p1 and p4 were edited twice: one or two each), no duplicate body.
    const webhookVersions = async (type: string, id: number) =>
      (await versionsOf(type, id)).filter((v) => v.source === "webhook");
    expect(await webhookVersions("products", p2)).toHaveLength(1);
    expect(await webhookVersions("customers", c1)).toHaveLength(1);
    expect((await webhookVersions("products", p3)).map((v) => v.change)).toEqual(["deleted"]);
    expect((await webhookVersions("customers", c2)).map((v) => v.change)).toEqual(["deleted"]);
    expect((await webhookVersions("products", p1)).length).toBeGreaterThanOrEqual(1);
    // Both of p4's edits are versions, the newest the live record (checked above).
    const p4Names = await Promise.all(
      (await webhookVersions("products", p4)).map(
        async (v) => ((await bodyOf("products", p4, v.id)) as { name?: string } | null)?.name,
      ),
    );
    expect(p4Names).toEqual(["Quick edit B", "Captured edit A"]);
    const check = await api<{ problems: unknown[]; versions: number }>("/api/vault/check", {
      method: "POST",
    });
    expect(check.problems).toEqual([]);

    // A backup afterwards finds nothing new: nothing announced was lost.
    const after = await backupAndWait(TYPES);
    expect(after.status).toBe("done");
    expect(Object.entries(after.progress.types).filter(([, p]) => p.versions + p.deleted > 0)).toEqual([]);
    console.log(
      `webhooks over HTTP: ${deliveries.length} deliveries for ${announcements} announcements, all 200; ` +
        `p1 webhook versions ${(await webhookVersions("products", p1)).length}; ${Date.now() - t0} ms`,
    );
  }, 120_000);
});
