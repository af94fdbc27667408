import type { FrameLocator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { saveScreenshot, useBrowser } from "./support/browser";
import { openSection } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

async function openExport(
  page: Page,
  tab: "Quick Export" | "Schedule Export" | "History",
): Promise<FrameLocator> {
  const app = await openSection(page, stack().controlPanelUrl, "Export", "Quick Export");
  if (tab !== "Quick Export")
    await app
      .getByRole("tab", { name: tab })
      .or(app.getByRole("link", { name: tab }))
      .first()
      .click();
  await app.getByRole("heading", { level: 2, name: tab }).waitFor();
  return app;
}

describe("Export as a merchant", () => {
  it("Quick Export: starts an export, follows it per type and offers the download link", async () => {
    const { page } = browser();
    const app = await openExport(page, "Quick Export");
    await app.getByText("files are available for one week").waitFor();
    await app.getByText("larger than 1 GB are split").waitFor();
    const group = app.getByRole("group", { name: "Store business data" });
    await group.getByRole("checkbox", { name: "Products", exact: true }).check();
    await group.getByRole("checkbox", { name: "Brands", exact: true }).check();
    await app.getByLabel("Your emails").fill("ops@example.com");
    await app.getByLabel("Your emails").press("Enter");
    // Installing the app starts the first backup; one job runs at a time, so the export is refused
    // (with a message saying so) until it finishes, and the merchant tries again.
    const result = app.getByRole("heading", { level: 2, name: "Export result" });
    const deadline = Date.now() + 120_000;
    await app.getByRole("button", { name: "Start export" }).click();
    while (!(await result.isVisible())) {
      expect(Date.now()).toBeLessThan(deadline);
      if (await app.getByText("is already running for this store").first().isVisible()) {
        await page.waitForTimeout(3_000);
        if (!(await result.isVisible())) await app.getByRole("button", { name: "Start export" }).click();
      }
      await page.waitForTimeout(500);
    }
    await app.getByRole("progressbar", { name: "Products" }).waitFor();
    await app.getByRole("progressbar", { name: "Brands" }).waitFor();
    await app.getByText("Your export is ready").waitFor({ timeout: 90_000 });
    expect(await app.getByText(/emailed to .*ops@example\.com/).count()).toBe(1);
    const link = app.getByRole("link", { name: /\.zip$/ });
    await link.waitFor();
    const href = (await link.getAttribute("href")) ?? "";
    expect(href).toMatch(/\/downloads\/[\w-]+\.[\w-]+$/);
    // The link serves the ZIP (PK header) to anyone holding it.
    const res = await fetch(href);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const head = new Uint8Array(await res.arrayBuffer()).slice(0, 2);
    expect(String.fromCharCode(...head)).toBe("PK");
    // A tampered link gets the 403 page.
    const bad = await fetch(`${href.slice(0, -3)}xyz`);
    expect(bad.status).toBe(403);
    await saveScreenshot(page, "export-quick-result");
  });

  it("Schedule Export: saves a monthly schedule on the 31st and says what happens in short months", async () => {
    const { page } = browser();
    const app = await openExport(page, "Schedule Export");
    await app.getByRole("radio", { name: "Monthly" }).check();
    await app.getByLabel("Day of the month").selectOption("31");
    await app
      .getByText("In months with fewer than 31 days, the export runs on the last day of the month")
      .waitFor();
    await app.getByRole("checkbox", { name: "All items (Store business data)" }).check();
    await app.getByRole("button", { name: "Save" }).click();
    await app.getByText("Next scheduled export:").waitFor();

    // Reopened, the page shows the saved schedule.
    const again = await openExport(page, "Schedule Export");
    await again.getByText("Next scheduled export:").waitFor();
    expect(await again.getByRole("radio", { name: "Monthly" }).isChecked()).toBe(true);
    expect(await again.getByLabel("Day of the month").inputValue()).toBe("31");
    expect(await again.getByRole("checkbox", { name: "Products", exact: true }).isChecked()).toBe(true);
    await saveScreenshot(page, "export-schedule");
  });

  it("History: lists the manual export with its date, type, content types and link, filtered by Show from", async () => {
    const { page } = browser();
    const app = await openExport(page, "History");
    const table = app.getByRole("table", { name: "Version list" });
    await table.waitFor();
    const row = table.getByRole("row").nth(1);
    await row.getByText("Manual").waitFor();
    expect(await row.getByRole("cell").nth(3).textContent()).toBe("2");
    expect(await row.getByRole("cell").nth(4).textContent()).toBe("Your store");
    await row.getByText("Done").waitFor();
    await row.getByRole("link", { name: "Download" }).waitFor();
    await saveScreenshot(page, "export-history");

    // A period in the future shows no exports.
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await app.getByLabel("Show from (start date)").fill(future);
    await app.getByText("No exports in this period").waitFor();
  });

  it("Quick Export after BigCommerce revoked the token: says so, and exports from the latest backup with image files", async () => {
    const { page } = browser();
    const app = await openExport(page, "Quick Export");
    // BigCommerce revokes the app's token; its uninstall callback has not reached the app.
    const revoked = await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/uninstall`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(revoked.status).toBe(200);
    // The page checked the token when it opened (the answer is kept two minutes, no call per
    // opening): an export from the store started now is refused by BigCommerce and is built from
    // the latest backup instead.
    const live = app.getByRole("group", { name: "Store business data" });
    await live.getByRole("checkbox", { name: "Brands", exact: true }).check();
    await app.getByRole("button", { name: "Start export" }).click();
    await app.getByText("Your export is ready").waitFor({ timeout: 90_000 });
    await app.getByText(/Built from your latest backup \(as of .*\), not read from/).waitFor();
    // The refusal is remembered: Quick Export, opened again, says so.
    await app
      .getByRole("tab", { name: "History" })
      .or(app.getByRole("link", { name: "History" }))
      .first()
      .click();
    await app.getByRole("heading", { level: 2, name: "History" }).waitFor();
    await app
      .getByRole("tab", { name: "Quick Export" })
      .or(app.getByRole("link", { name: "Quick Export" }))
      .first()
      .click();
    await app.getByText("BigCommerce no longer accepts Strongbox's access to this store").waitFor();
    expect(await app.getByRole("radio", { name: /Your store, now/ }).isDisabled()).toBe(true);
    expect(await app.getByRole("radio", { name: /From the latest backup/ }).isChecked()).toBe(true);
    const group = app.getByRole("group", { name: "Store business data" });
    await group.getByRole("checkbox", { name: "Brands", exact: true }).check();
    await app.getByRole("checkbox", { name: "Include image files" }).check();
    await app.getByText(/Estimated size: about .* image files of/).waitFor();
    await app.getByLabel("Your emails").fill("ops@example.com");
    await app.getByLabel("Your emails").press("Enter");
    await app.getByRole("button", { name: "Start export" }).click();
    await app.getByText("Your export is ready").waitFor({ timeout: 90_000 });
    await app.getByText(/Built from your latest backup \(as of .*\), not read from/).waitFor();
    const href = (await app.getByRole("link", { name: /\.zip$/ }).getAttribute("href")) ?? "";
    const res = await fetch(href);
    expect(res.status).toBe(200);
    await saveScreenshot(page, "export-quick-token-revoked");
  });
});
