import { env } from "cloudflare:workers";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { type ContentType, contentTypes, type TypeKey, typeKeys } from "../worker/bigcommerce/registry";
import { startExport } from "../worker/export/start";
import { csvObjects, sandboxStore, sha256 } from "./export.support";
import { SANDBOX_URL } from "./support/test-env";

/** The registry's types whose list endpoint the sandbox serves (per-parent types: when their parent's is). */
async function servedTypes(storeHash: string, token: string): Promise<TypeKey[]> {
  const out: TypeKey[] = [];
  const all = contentTypes as readonly ContentType[];
  for (const t of all) {
    if (t.parent) continue;
    const list = t.list as { path: string; singletons?: Record<string, string> };
    const path = list.singletons ? Object.values(list.singletons)[0] : list.path;
    const version = /^\/v[23]\//.test(path) ? "" : `/${t.api}`;
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}${version}${path}`, {
      headers: { "X-Auth-Token": token, Accept: "application/json" },
    });
    await res.body?.cancel();
    if (res.status < 300) out.push(t.key as TypeKey);
  }
  for (const t of all) if (t.parent && out.includes(t.parent.type as TypeKey)) out.push(t.key as TypeKey);
  return out;
}

type Row = { status: string; error: string | null; files: string; counts: string };

async function waitRow(id: string, timeoutMs = 55_000): Promise<Row> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare("select status, error, files, counts from exports where id = ?")
      .bind(id)
      .first<Row>();
    if (row && (row.status === "done" || row.status === "failed")) return row;
    if (Date.now() > end) throw new Error(`export ${id} did not finish: ${row?.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("export of every content type, split into several ZIPs", () => {
  it("starts a new ZIP past the split size; every ZIP is valid and together they hold every record", async () => {
    const { storeHash, email, token } = await sandboxStore("demo", 33);
    const served = await servedTypes(storeHash, token);
    expect(served).toEqual(
      expect.arrayContaining([
        "products",
        "brands",
        "categories",
        "customers",
        "orders",
        "price_list_records",
      ]),
    );
    const id = await startExport(env, {
      storeHash,
      kind: "manual",
      types: [...typeKeys],
      emails: [email],
      createdBy: email,
      sizes: { splitBytes: 40_000 },
    });
    const row = await waitRow(id);
    expect(row.error).toBeNull();
    expect(row.status).toBe("done");
    const files = JSON.parse(row.files) as { key: string; name: string; size: number }[];
    const counts = JSON.parse(row.counts) as Record<string, number>;
    expect(files.length).toBeGreaterThan(1);
    expect(files.map((f) => f.name)).toEqual(
      files.map((_, i) => expect.stringMatching(new RegExp(`-part-${i + 1}\\.zip$`))),
    );

    const records: Record<string, number> = {};
    const csvRows: Record<string, number> = {};
    for (const [i, f] of files.entries()) {
      const obj = await env.EXPORTS.get(f.key);
      expect(obj, f.key).not.toBeNull();
      const bytes = new Uint8Array(await (obj as R2ObjectBody).arrayBuffer());
      expect(bytes.length).toBe(f.size);
      const entries = unzipSync(bytes);
      const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"])) as {
        part: number;
        unavailable: { key: string }[];
        files: { name: string; sha256: string; type: string }[];
      };
      expect(manifest.part).toBe(i + 1);
      // Types the store lacks are listed, not failed: exactly those the sandbox does not serve.
      expect(manifest.unavailable.map((u) => u.key).sort()).toEqual(
        typeKeys.filter((t) => !served.includes(t)).sort(),
      );
      for (const m of manifest.files) {
        expect(await sha256(entries[m.name]), m.name).toBe(m.sha256);
        const text = new TextDecoder().decode(entries[m.name]);
        if (m.name.endsWith(".jsonl"))
          records[m.type] = (records[m.type] ?? 0) + text.split("\n").filter(Boolean).length;
        // Continued CSVs repeat the header, so each piece parses on its own.
        if (/^[a-z_]+(\.part-\d+)?\.csv$/.test(m.name))
          csvRows[m.type] = (csvRows[m.type] ?? 0) + csvObjects(text).length;
      }
      // Only the last ZIP may be under the split size.
      if (i < files.length - 1) expect(f.size).toBeGreaterThanOrEqual(40_000);
    }
    for (const t of served) {
      expect(counts[t], t).toBeDefined();
      expect(records[t] ?? 0, t).toBe(counts[t] ?? 0);
      expect(csvRows[t] ?? 0, t).toBe(counts[t] ?? 0);
    }
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    // The staging area is gone once the ZIPs are written.
    const staged = await env.EXPORTS.list({ prefix: `exports/${storeHash}/${id}/stage/` });
    expect(staged.objects).toHaveLength(0);
  });
});
