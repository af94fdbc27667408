import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { ensureFirstBackup } from "./support/first-backup";
import { openBackupVault } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

type Product = { id: number; name: string; sku: string; price: number };

/** The store's API as another client of the store (the merchant editing in the control panel). */
async function storeApi() {
  const { sandboxUrl, storeHash } = stack();
  const res = await fetch(`${sandboxUrl}/__sandbox/stores/${storeHash}/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scopes: ["store_v2_products"] }),
  });
  const { access_token } = (await res.json()) as { access_token: string };
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${sandboxUrl}/stores/${storeHash}/v3${path}`, {
      method,
      headers: {
        "x-auth-token": access_token,
        accept: "application/json",
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { data: T }).data;
  };
}

describe("Backup Vault > restore one record (guide section 6)", () => {
  it("finds a changed product, compares it with its backed-up version, restores it and shows the result", async () => {
    const { page } = browser();
    const api = await storeApi();
    await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/quota`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ quota: "unlimited" }),
    });
    let app = await openBackupVault(page, stack().controlPanelUrl);

    // 1. A backup of the store: the one the install started, or "Backup all data" (quota lifted: this test is about restoring).
    await ensureFirstBackup(page, app, stack().appUrl);

    // 2. Later, a product is changed by mistake.
    const [product] = await api<Product[]>("GET", "/catalog/products?limit=1&sort=id");
    await api("PUT", `/catalog/products/${product.id}`, { name: `${product.name} (WRONG)`, price: 0.01 });

    // 3. Find it: Item Storage > Products > search by SKU.
    app = await openBackupVault(page, stack().controlPanelUrl);
    await app.getByRole("link", { name: "Products", exact: true }).click();
    await app.getByRole("heading", { level: 2, name: "Products" }).waitFor();
    await app.getByRole("searchbox", { name: /Search Products/ }).fill(product.sku);
    await app.getByText("1–1 of 1").waitFor();
    const link = app.getByRole("table").getByRole("link", { name: product.name, exact: true });
    await link.click();

    // 4. Compare: Current version (live, changed) on the left, the backed-up version on the right.
    const current = app.getByRole("region", { name: "Current version" });
    const selected = app.getByRole("region", { name: "Selected version" });
    await current.getByText(`${product.name} (WRONG)`).waitFor();
    await selected.getByText(product.name, { exact: true }).waitFor();
    const versions = app.getByLabel("Selected version");
    expect(await versions.locator("option").count()).toBeGreaterThanOrEqual(1);
    expect(await versions.locator("option").first().textContent()).toMatch(/Backup/);

    await app.getByRole("tab", { name: "Json" }).click();
    await selected.getByRole("tree").waitFor();
    await app.getByRole("tab", { name: "Source Code" }).click();
    await selected.getByRole("button", { name: "Copy Selected version" }).waitFor();
    await app.getByRole("tab", { name: "Summary" }).click();
    await app.getByLabel("View change only").check();
    await current.getByText("Price", { exact: true }).waitFor();
    expect(await current.getByText("Sku", { exact: true }).count()).toBe(0);
    await app.getByRole("button", { name: "Inspect all changes" }).click();
    const changes = app.locator(".diff-view");
    await changes.waitFor();
    expect(await changes.textContent()).toContain("(WRONG)");
    await app.getByLabel("View change only").uncheck();

    // 5. Restore to this version: confirm, progress, result.
    await app.getByRole("button", { name: "Restore to this version" }).click();
    const dialog = app.getByRole("dialog", { name: "Restore to this version?" });
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await app.getByText("Restore complete").waitFor({ timeout: 60_000 });
    await app.getByText("Restored.").first().waitFor();

    // 6. BigCommerce has the product back; the page shows it as current and lists the restore.
    const after = await api<Product>("GET", `/catalog/products/${product.id}`);
    expect(after).toMatchObject({ name: product.name, price: product.price });
    await current.getByText(product.name, { exact: true }).waitFor();
    const history = app.getByRole("table", { name: "Restore history of this record" });
    await history.getByText("Restore to a version").waitFor();
    await browser().screenshot("vault-restore-result");
  });
});
