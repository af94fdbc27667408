import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { sandboxExport, sandboxStore, waitForExport } from "./export.support";
import { installTestStore, jobsOf, sandboxAdmin, waitForJob } from "./support/stores";
import { SANDBOX_URL } from "./support/test-env";

type Stats = { requests: Record<string, number> };
type Promotion = { id: number; redemption_type: "AUTOMATIC" | "COUPON" };

// Promotion codes live under their promotion, and only coupon promotions have any: the backup asks the
// API which promotions are coupons and lists only their codes, yet keeps every code the store has.
it("lists the codes of coupon promotions only, and keeps every code", async () => {
  const { storeHash, token } = await installTestStore("demo", { seed: 7 });
  const api = async <T>(path: string) => {
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}/v3${path}`, {
      headers: { "x-auth-token": token, accept: "application/json" },
    });
    return ((await res.json()) as { data: T }).data;
  };
  const promotions = await api<Promotion[]>("/promotions?limit=250");
  const coupons = promotions.filter((p) => p.redemption_type === "COUPON");
  expect(coupons.length).toBeGreaterThan(0);
  expect(coupons.length).toBeLessThan(promotions.length);
  const codes: string[] = [];
  for (const p of coupons) {
    for (const c of await api<{ id: number }[]>(`/promotions/${p.id}/codes?limit=250`))
      codes.push(String(c.id));
  }
  expect(codes.length).toBeGreaterThan(0);

  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  const started = await jobsOf(storeHash).startBackup({
    kind: "manual",
    types: ["promotions", "promotion_codes"],
  });
  expect(started.started).toBe(true);
  const status = await waitForJob(storeHash);
  expect(status.status).toBe("done");

  const { requests } = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
  const codeListings = Object.entries(requests)
    .filter(([k]) => /^GET \/v3\/promotions\/[^/]+\/codes/.test(k))
    .reduce((n, [, v]) => n + v, 0);
  expect(codeListings, JSON.stringify(requests)).toBe(coupons.length);

  const { results } = await env.DB.prepare(
    "select record_id from records where store_hash = ? and type = 'promotion_codes' and deleted = 0",
  )
    .bind(storeHash)
    .all<{ record_id: string }>();
  expect(results.map((r) => r.record_id.split(":").pop()).sort()).toEqual([...codes].sort());
  expect(status.progress.types.promotion_codes.calls).toBe(coupons.length + 1);
});

// A Quick Export reads the same registry: every code, and no sub-list of an automatic promotion.
it("exports every promotion code, listing only coupon promotions", async () => {
  const { client, storeHash, email } = await sandboxStore("demo", 8);
  const source = await sandboxExport(storeHash);
  const codes = source.promotion_codes ?? [];
  expect(codes.length).toBeGreaterThan(0);
  const promotions = source.promotions ?? [];
  const coupons = promotions.filter((p) => p.redemption_type === "COUPON");
  expect(coupons.length).toBeLessThan(promotions.length);

  await sandboxAdmin(`/stores/${storeHash}/stats`, { method: "DELETE" });
  const res = await client.send("POST", "/api/exports", { types: ["promotion_codes"], emails: [email] });
  expect(res.status).toBe(202);
  const done = await waitForExport(client, (await res.json<{ id: string }>()).id);
  expect(done.status).toBe("done");
  expect(done.counts.promotion_codes).toBe(codes.length);

  const { requests } = await sandboxAdmin<Stats>(`/stores/${storeHash}/stats`);
  const codeListings = Object.entries(requests)
    .filter(([k]) => /^GET \/v3\/promotions\/[^/]+\/codes/.test(k))
    .reduce((n, [, v]) => n + v, 0);
  expect(codeListings, JSON.stringify(requests)).toBe(coupons.length);
});
