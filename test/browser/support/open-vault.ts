import type { FrameLocator, Page } from "playwright-core";

/** Opens the store's control panel and, inside the app's iframe, Backup Vault > Backup vault (Item Storage shown). */
export async function openBackupVault(page: Page, controlPanelUrl: string): Promise<FrameLocator> {
  await page.goto(controlPanelUrl);
  const app = page.frameLocator('iframe[title="Strongbox"]');
  await app
    .getByRole("navigation", { name: "Strongbox" })
    .getByRole("link", { name: "Backup Vault", exact: true })
    .click();
  await app.getByRole("heading", { level: 2, name: "Item Storage" }).waitFor();
  return app;
}
