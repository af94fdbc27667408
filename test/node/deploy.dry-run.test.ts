import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

describe("deploy path", () => {
  it("wrangler deploy --dry-run bundles the worker within Cloudflare's size limit", () => {
    const outdir = mkdtempSync(join(tmpdir(), "strongbox-bundle-"));
    const r = spawnSync("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      encoding: "utf8",
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        XDG_CONFIG_HOME: join(process.cwd(), ".config"),
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--dry-run: exiting now/);
    const files = readdirSync(outdir).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(0);
    const raw = files.reduce((n, f) => n + statSync(join(outdir, f)).size, 0);
    const gz = files.reduce((n, f) => n + gzipSync(readFileSync(join(outdir, f))).length, 0);
    console.log(`worker bundle: ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzip`);
    // Workers allow 10 MB gzip on the paid plan (3 MB free); stay far below the free limit.
    expect(gz).toBeLessThan(3 * 1024 * 1024);
  });
});
