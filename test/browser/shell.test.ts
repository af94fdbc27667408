import type { FrameLocator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

/** The app as the merchant sees it: inside the control panel's iframe. */
function appFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Strongbox"]');
}

/** The path the iframe currently shows. */
function framePath(page: Page): string {
  const frame = page.frames().find((f) => f.url().startsWith(stack().appUrl));
  return frame ? new URL(frame.url()).pathname : "";
}

async function openControlPanel(page: Page) {
  await page.goto(stack().controlPanelUrl);
  const app = appFrame(page);
  await app.getByRole("navigation", { name: "Strongbox" }).waitFor();
  return app;
}

describe("the app inside the control panel", () => {
  it("loads in the iframe with the store's session: store name and plan in the header", async () => {
    const { page } = browser();
    const app = await openControlPanel(page);
    const controlPanelStoreName = (await page.locator("header .store").textContent())?.trim();
    expect(controlPanelStoreName).toBeTruthy();
    await app.getByTestId("store-name").filter({ hasText: controlPanelStoreName! }).waitFor();
    await app.getByRole("link", { name: /^Plan: / }).waitFor();
    // Discovery is the home page.
    await app.getByRole("heading", { level: 1, name: "Discovery" }).waitFor();
    expect(framePath(page)).toBe("/");
  });

  it("opens every navigation item and tab on its page", async () => {
    const { page } = browser();
    const app = await openControlPanel(page);
    const nav = app.getByRole("navigation", { name: "Strongbox" });
    const pages: { link: string; heading: string; path: string }[] = [
      { link: "Backup Vault", heading: "Backup Vault", path: "/vault" },
      { link: "Export", heading: "Export", path: "/export" },
      { link: "Pricing", heading: "Pricing", path: "/pricing" },
      { link: "Knowledge Base", heading: "Knowledge Base", path: "/help" },
      { link: "Settings", heading: "Settings", path: "/settings" },
      { link: "Discovery", heading: "Discovery", path: "/" },
    ];
    for (const target of pages) {
      await nav.getByRole("link", { name: target.link, exact: true }).click();
      await app.getByRole("heading", { level: 1, name: target.heading, exact: true }).waitFor();
      expect(framePath(page)).toBe(target.path);
      await expect(
        nav.getByRole("link", { name: target.link, exact: true }).getAttribute("class"),
      ).resolves.toContain("active");
    }

    const tabs: { area: string; tab: string; heading: string; path: string }[] = [
      { area: "Backup Vault", tab: "Bulk Recovery", heading: "Bulk Recovery", path: "/vault/recovery" },
      { area: "Backup Vault", tab: "Backup vault", heading: "Backup vault", path: "/vault" },
      { area: "Export", tab: "Schedule Export", heading: "Schedule Export", path: "/export/schedule" },
      { area: "Export", tab: "History", heading: "History", path: "/export/history" },
      { area: "Export", tab: "Quick Export", heading: "Quick Export", path: "/export" },
    ];
    for (const target of tabs) {
      await nav.getByRole("link", { name: target.area, exact: true }).click();
      const tab = app
        .getByRole("tablist", { name: target.area })
        .getByRole("tab", { name: target.tab, exact: true });
      await tab.click();
      await app.getByRole("heading", { level: 2, name: target.heading, exact: true }).waitFor();
      expect(framePath(page)).toBe(target.path);
      expect(await tab.getAttribute("aria-selected")).toBe("true");
    }
  });

  it("moves between tabs with the keyboard", async () => {
    const { page } = browser();
    const app = await openControlPanel(page);
    await app
      .getByRole("navigation", { name: "Strongbox" })
      .getByRole("link", { name: "Export", exact: true })
      .click();
    const tabs = app.getByRole("tablist", { name: "Export" });
    await tabs.getByRole("tab", { name: "Quick Export" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await app.getByRole("heading", { level: 2, name: "Schedule Export", exact: true }).waitFor();
    expect(framePath(page)).toBe("/export/schedule");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await app.getByRole("heading", { level: 2, name: "History", exact: true }).waitFor();
    expect(framePath(page)).toBe("/export/history");
  });

  it("shows the session-expired screen when the app is opened without a session", async () => {
    const { page } = browser();
    await page.goto(`${stack().appUrl}/vault`);
    await page.getByText("Session expired – reopen Strongbox from your BigCommerce control panel.").waitFor();
    expect(await page.getByRole("navigation", { name: "Strongbox" }).count()).toBe(0);
    // Opened on its own (not in the control panel), the app also offers the email sign-in.
    expect(await page.getByRole("link", { name: "Sign in with your email" }).getAttribute("href")).toBe(
      "/signin",
    );
  });
});
