import type { FrameLocator, Page } from "playwright-core";

/** Opens the store's control panel and, inside the app's iframe, a section of the app's navigation. */
export async function openSection(
  page: Page,
  controlPanelUrl: string,
  section: string,
  heading: string,
): Promise<FrameLocator> {
  await page.goto(controlPanelUrl);
  const app = page.frameLocator('iframe[title="Strongbox"]');
  await app
    .getByRole("navigation", { name: "Strongbox" })
    .getByRole("link", { name: section, exact: true })
    .click();
  await app.getByRole("heading", { level: 2, name: heading }).waitFor();
  return app;
}

/** Backup Vault > Backup vault, with Item Storage shown. */
export const openBackupVault = (page: Page, controlPanelUrl: string) =>
  openSection(page, controlPanelUrl, "Backup Vault", "Item Storage");
