import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SANDBOX_URL } from "./support/test-env";

describe("foundation", () => {
  it("answers health and reaches the sandbox only through configuration", async () => {
    const res = await exports.default.fetch("http://app.test/api/health");
    expect(await res.json()).toEqual({ ok: true });
    const sb = await fetch(`${SANDBOX_URL}/__sandbox/health`);
    expect(sb.status).toBe(200);
    expect(env.BC_API_URL).toBe(SANDBOX_URL);
    const tables = await env.DB.prepare(
      "select name from sqlite_master where type='table' and name='versions'",
    ).all();
    expect(tables.results.length).toBe(1);
  });
});

describe("the SPA", () => {
  it("serves index.html for deep links, with the frame-ancestors policy", async () => {
    for (const path of ["/", "/vault", "/export/history"]) {
      const res = await exports.default.fetch(`http://app.test${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain('<div id="root">');
      expect(res.headers.get("content-security-policy")).toContain(
        "frame-ancestors 'self' https://*.bigcommerce.com",
      );
    }
  });
});
