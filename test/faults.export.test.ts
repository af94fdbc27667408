import { env } from "cloudflare:workers";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../worker/export/package";
import { startExport } from "../worker/export/start";
import { sha256 } from "./export.support";
import { expectFaultMet, runThrough, SCENARIOS, underFault } from "./faults.support";
import { installTestStore } from "./support/stores";

/**
 * Fault matrix, export: each row exports a fresh store generated from the same seed as an
 * undisturbed baseline, under one fault, and compares what the merchant downloads: the manifest's
 * counts per type, the files listed, and every file's SHA-256 against the manifest.
 */
const TYPES = [
  "brands",
  "categories",
  "products",
  "customers",
  "customer_groups",
  "orders",
  "price_lists",
  "price_list_records",
  "coupons",
  "pages",
  "redirects",
];
const SEED = 83;

const startExportOf = (storeHash: string) =>
  startExport(env, { storeHash, kind: "manual", types: TYPES, emails: [], createdBy: "fault-test" });

const exportRow = (exportId: string) =>
  env.DB.prepare("select status, error, files from exports where id = ?")
    .bind(exportId)
    .first<{ status: string; error: string | null; files: string }>();

/** Opens every ZIP of the export: the manifest of the last part, the file names, checksums verified. */
async function download(files: { key: string }[]): Promise<{ manifest: Manifest; names: string[] }> {
  let manifest: Manifest | null = null;
  const names: string[] = [];
  for (const f of files) {
    const obj = await env.EXPORTS.get(f.key);
    expect(obj, f.key).not.toBeNull();
    const zip = unzipSync(new Uint8Array(await (obj as R2ObjectBody).arrayBuffer()));
    const m = JSON.parse(new TextDecoder().decode(zip["manifest.json"])) as Manifest;
    for (const file of m.files) {
      expect(await sha256(zip[file.name]), file.name).toBe(file.sha256);
      names.push(file.name);
    }
    manifest = m;
  }
  return { manifest: manifest as Manifest, names: names.sort() };
}

const countsOf = (m: Manifest) => ({
  types: m.types.map((t) => [t.key, t.count]),
  unavailable: m.unavailable.map((u) => u.key),
});

let baseline: { manifest: Manifest; names: string[] };

beforeAll(async () => {
  const { storeHash } = await installTestStore("demo", { seed: SEED });
  const exportId = await startExportOf(storeHash);
  const run = await runThrough(storeHash);
  const row = await exportRow(exportId);
  expect(run.status.status).toBe("done");
  expect(row?.status).toBe("done");
  baseline = await download(JSON.parse(row?.files ?? "[]"));
  expect(baseline.manifest.types.reduce((n, t) => n + t.count, 0)).toBeGreaterThan(0);
});

describe("an export under each fault", () => {
  it.concurrent.each(SCENARIOS)(
    "$name: ends done with the manifest counts of an undisturbed run",
    async (scenario) => {
      const { storeHash } = await installTestStore("demo", { seed: SEED });
      const run = await underFault(storeHash, scenario, {
        job: "export",
        everyMs: 150,
        start: () => startExportOf(storeHash),
      });
      const row = await exportRow(run.started);

      expect(run.status.error).toBeNull();
      expect(run.status.status).toBe("done");
      expect(row?.status).toBe("done");
      expectFaultMet(scenario, run);
      const got = await download(JSON.parse(row?.files ?? "[]"));
      expect(countsOf(got.manifest), scenario.name).toEqual(countsOf(baseline.manifest));
      expect(got.names, scenario.name).toEqual(baseline.names);
    },
  );
});
