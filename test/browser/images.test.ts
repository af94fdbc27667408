import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { ensureFirstBackup } from "./support/first-backup";
import { openBackupVault } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

describe("Backup Vault: image files", () => {
  it("counts the kept image files in Item Storage and shows a product's pictures from the vault", async () => {
    const { page } = browser();
    await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/quota`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ quota: "unlimited" }),
    });
    let app = await openBackupVault(page, stack().controlPanelUrl);
    await ensureFirstBackup(page, app, stack().appUrl);

    // Item Storage: image files as their own row, with a count and a size.
    app = await openBackupVault(page, stack().controlPanelUrl);
    const row = app
      .getByRole("table", { name: "Image files: files kept and their storage" })
      .getByRole("row")
      .nth(1);
    await row.waitFor();
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells[0]).toBe("Image files");
    expect(Number(cells[1].replace(/\D/g, ""))).toBeGreaterThan(0);
    expect(cells[2]).toMatch(/\d+(\.\d+)?\s*(B|KB|MB)/);

    // A product's page: the selected version's pictures, served by the app from the vault.
    await app.getByRole("link", { name: "Products", exact: true }).click();
    await app.getByRole("heading", { level: 2, name: "Products" }).waitFor();
    await app.getByRole("table").getByRole("link").first().click();
    const strip = app.getByRole("region", { name: "Image files of the selected version" });
    await strip.waitFor();
    const images = strip.getByRole("img");
    await expect.poll(() => images.count()).toBeGreaterThan(0);
    // Thumbnails load lazily, as the merchant scrolls to them.
    await images.first().scrollIntoViewIfNeeded();
    await expect
      .poll(() => images.first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true);
    expect(await images.first().getAttribute("src")).toMatch(/^\/api\/vault\/images\/[0-9a-f]{64}$/);
    await browser().screenshot("vault-item-images");
  });
});
