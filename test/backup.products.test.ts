import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readVersionBody, stateAt } from "../worker/backup/vault-read";
import { backupNow, installTestStore, sandboxAdmin } from "./support/stores";

describe("products backup (vertical slice)", () => {
  it("captures every product with its variants, options and modifiers, readable back from the vault", async () => {
    const { storeHash } = await installTestStore("demo");
    const status = await backupNow(storeHash, ["products"]);
    const exported = await sandboxAdmin<Record<string, Record<string, unknown>[]>>(
      `/stores/${storeHash}/export`,
    );
    const products = exported.products;
    expect(products.length).toBeGreaterThan(0);
    expect(status.progress.types.products.done).toBe(products.length);

    const { versions } = await stateAt(env.DB, storeHash, "products", Date.now(), { pageSize: 5000 });
    expect(versions.map((v) => v.recordId).sort()).toEqual(products.map((p) => String(p.id)).sort());

    const withOptions = products.find(
      (p) =>
        Array.isArray(exported.product_options) &&
        exported.product_options.some((o) => o.product_id === p.id),
    );
    const sample = withOptions ?? products[0];
    const version = versions.find((v) => v.recordId === String(sample.id));
    expect(version).toBeDefined();
    const body = await readVersionBody(env, version!);
    expect(body?.name).toBe(sample.name);
    expect(body?.sku).toBe(sample.sku);
    // Every product's options and modifiers are in its version, whichever way they were detected.
    for (const p of products) {
      const v = versions.find((x) => x.recordId === String(p.id));
      const b = await readVersionBody(env, v!);
      const modifiers = exported.product_modifiers.filter((m) => m.product_id === p.id).length;
      const options = exported.product_options.filter((o) => o.product_id === p.id).length;
      expect(((b?.modifiers as unknown[]) ?? []).length, `product ${p.id} modifiers`).toBe(modifiers);
      expect(((b?.options as unknown[]) ?? []).length, `product ${p.id} options`).toBe(options);
      expect(((b?.variants as unknown[]) ?? []).length, `product ${p.id} variants`).toBe(
        exported.product_variants.filter((x) => x.product_id === p.id).length,
      );
    }
  });
});
