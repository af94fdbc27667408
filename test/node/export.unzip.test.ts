import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageExport } from "../../worker/export/package";
import { renderStagedPage, stageKey } from "../../worker/export/staging";
import { MIN_PART_BYTES } from "../../worker/export/zip-writer";

/** An R2 bucket in memory that enforces R2's multipart rule: every part but the last has the same size, ≥ 5 MiB. */
class MemoryBucket {
  readonly objects = new Map<string, Uint8Array>();
  readonly partSizes = new Map<string, number[]>();
  async put(key: string, value: string | Uint8Array) {
    this.objects.set(key, typeof value === "string" ? new TextEncoder().encode(value) : value.slice());
  }
  async get(key: string) {
    const b = this.objects.get(key);
    return b
      ? {
          text: async () => new TextDecoder().decode(b),
          arrayBuffer: async () => b.slice().buffer,
          size: b.length,
        }
      : null;
  }
  async delete(keys: string | string[]) {
    for (const k of Array.isArray(keys) ? keys : [keys]) this.objects.delete(k);
  }
  async createMultipartUpload(key: string) {
    const parts = new Map<number, Uint8Array>();
    return {
      uploadPart: async (n: number, data: Uint8Array) => {
        parts.set(n, data.slice());
        return { partNumber: n, etag: `e${n}` };
      },
      complete: async (list: { partNumber: number }[]) => {
        const sizes = list.map((p) => (parts.get(p.partNumber) as Uint8Array).length);
        for (const s of sizes.slice(0, -1)) {
          if (s !== sizes[0] || s < MIN_PART_BYTES) throw new Error(`R2 would refuse part sizes ${sizes}`);
        }
        const out = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
        let at = 0;
        for (const p of list) {
          out.set(parts.get(p.partNumber) as Uint8Array, at);
          at += (parts.get(p.partNumber) as Uint8Array).length;
        }
        this.objects.set(key, out);
        this.partSizes.set(key, sizes);
      },
      abort: async () => undefined,
    };
  }
}

const dir = mkdtempSync(join(tmpdir(), "strongbox-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records that compress about 2:1 (hex noise), with a nested list going to its own CSV. */
function records(page: number, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const id = page * n + i + 1;
    const noise = Array.from({ length: 40 }, (_, k) =>
      ((id * 2654435761 + k * 40503) >>> 0).toString(16),
    ).join("");
    return {
      id,
      name: `Item "${id}", with comma`,
      description: `line one\nline two ${noise}`,
      variants: [{ id: id * 10, sku: `SKU-${id}`, price: id / 7 }],
    };
  });
}

describe("export ZIPs open with a standard unzip", () => {
  it("streams a ZIP bigger than two R2 parts whose parts R2 accepts, and unzip -t finds no error", async () => {
    const bucket = new MemoryBucket();
    const store = "nodestore";
    const exportId = "EXP1";
    const pages = 60;
    const perPage = 250;
    const columns: Record<string, string[]> = {};
    for (let p = 0; p < pages; p++) {
      const recs = records(p, perPage).map((r) => ({ recordId: String(r.id), body: r }));
      await bucket.put(stageKey(store, exportId, "products", p), renderStagedPage("products", recs, columns));
    }
    expect(columns).toEqual({
      products: ["id", "name", "description"],
      "products.variants": ["products.id", "id", "sku", "price"],
    });
    const zips = await packageExport(
      bucket as unknown as R2Bucket,
      {
        storeHash: store,
        storeName: "Node store",
        exportId,
        kind: "manual",
        createdAt: Date.UTC(2026, 0, 2),
        types: ["products"],
        pages: { products: pages },
        counts: { products: pages * perPage },
        columns,
      },
      { partBytes: MIN_PART_BYTES },
    );
    expect(zips).toHaveLength(1);
    expect(bucket.partSizes.get(zips[0].key)?.length).toBeGreaterThanOrEqual(2);
    const path = join(dir, zips[0].name);
    writeFileSync(path, bucket.objects.get(zips[0].key) as Uint8Array);
    const test = execFileSync("unzip", ["-t", path], { encoding: "utf8" });
    expect(test).toContain("No errors detected");
    const list = execFileSync("unzip", ["-Z1", path], { encoding: "utf8" }).trim().split("\n");
    expect(list).toEqual(["products.jsonl", "products.csv", "products.variants.csv", "manifest.json"]);
    const csv = execFileSync("unzip", ["-p", path, "products.csv"], { encoding: "utf8", maxBuffer: 1 << 28 });
    expect(csv.startsWith('id,name,description\r\n1,"Item ""1"", with comma","line one\nline two')).toBe(
      true,
    );
  });
});
