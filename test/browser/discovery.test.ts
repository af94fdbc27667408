import type { FrameLocator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

const app = (page: Page): FrameLocator => page.frameLocator('iframe[title="Strongbox"]');

async function sandbox(path: string, body: unknown = {}, method = "POST") {
  const res = await fetch(`${stack().sandboxUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * A store of its own for a test: created in the sandbox, optionally slowed down (every API call
 * answers late, so a backup stays visibly in progress), then the app is installed through OAuth.
 */
async function newStore(options: { slowMs?: number } = {}): Promise<string> {
  const { store_hash: hash } = (await sandbox("/__sandbox/stores", { profile: "demo", seed: 7 })) as {
    store_hash: string;
  };
  if (options.slowMs)
    await sandbox(`/__sandbox/stores/${hash}/faults`, { slowMs: options.slowMs, slowRate: 1 }, "PUT");
  await sandbox(`/__sandbox/stores/${hash}/install`, { follow: true });
  return hash;
}

async function openApp(page: Page, hash: string) {
  await page.goto(`${stack().sandboxUrl}/manage/app?store=${hash}`);
  const frame = app(page);
  await frame.getByRole("navigation", { name: "Strongbox" }).waitFor();
  return frame;
}

describe("Discovery", () => {
  it("a new install lands on Discovery with its first backup in progress, and sees the progress move", async () => {
    const { page } = browser();
    const hash = await newStore({ slowMs: 400 });
    const frame = await openApp(page, hash);
    await frame.getByRole("heading", { level: 1, name: "Discovery" }).waitFor();
    const nextStep = frame.getByTestId("next-step");
    await nextStep.getByText(/Your first backup is running/).waitFor({ timeout: 60_000 });
    const bar = nextStep.getByRole("progressbar", { name: "Backup progress" });
    await bar.waitFor();
    // The page polls: the percentage moves on while the merchant watches.
    const first = Number((await bar.getAttribute("aria-valuenow")) ?? 0);
    await expect
      .poll(async () => Number((await bar.getAttribute("aria-valuenow")) ?? 0), {
        timeout: 90_000,
        interval: 1000,
      })
      .toBeGreaterThan(first);
    await expect(nextStep.textContent()).resolves.toMatch(/\d+%/);
    await browser().screenshot("discovery-first-backup-running");
    await frame.getByRole("heading", { name: "Protection status" }).waitFor();
    await frame.getByRole("link", { name: "Help: Getting started" }).waitFor();
  });
});

describe("Knowledge Base", () => {
  it("search finds the restore pages, and a result opens its page", async () => {
    const { page } = browser();
    const frame = await openApp(page, stack().storeHash);
    await frame
      .getByRole("navigation", { name: "Strongbox" })
      .getByRole("link", { name: "Knowledge Base" })
      .click();
    await frame.getByRole("heading", { level: 1, name: "Knowledge Base" }).waitFor();
    await frame.getByRole("searchbox", { name: "Search the Knowledge Base" }).fill("restore");
    await frame
      .getByRole("status")
      .getByText(/help pages? match "restore"/)
      .waitFor();
    const results = frame.getByRole("list", { name: "Help pages" }).getByRole("link");
    const titles = await results.allTextContents();
    expect(titles).toContain("Compare and restore one record");
    expect(titles).toContain("Bulk Recovery and team-assisted types");

    await frame.getByRole("searchbox", { name: "Search the Knowledge Base" }).fill("xylophone");
    await frame.getByText("No help pages match").first().waitFor();

    await frame.getByRole("searchbox", { name: "Search the Knowledge Base" }).fill("restore");
    await results.filter({ hasText: "Compare and restore one record" }).click();
    await frame.getByRole("heading", { level: 1, name: "Compare and restore one record" }).waitFor();
    await frame.getByRole("heading", { name: "Restore to this version" }).waitFor();
    await browser().screenshot("knowledge-base-article");
  });
});

describe("Plans", () => {
  it("a store moved to Free on Pricing cannot start an export of customers", async () => {
    const { page } = browser();
    const hash = await newStore();
    const frame = await openApp(page, hash);
    const nav = frame.getByRole("navigation", { name: "Strongbox" });
    await nav.getByRole("link", { name: "Pricing" }).click();
    const plans = frame.getByRole("list", { name: "Plans" });
    await plans.locator('[data-plan="standard"]').getByText("Current plan").waitFor();
    await frame.getByRole("button", { name: "Switch to Free" }).click();
    const dialog = frame.getByRole("dialog");
    await dialog.getByText(/Only Products, Brands, Categories are backed up/).waitFor();
    await dialog.getByRole("button", { name: "Switch to Free" }).click();
    await plans.locator('[data-plan="free"]').getByText("Current plan").waitFor();
    const changes = frame.getByRole("table", { name: "Plan changes" });
    await changes.getByText("Standard → Free").waitFor();
    await browser().screenshot("pricing-after-change");

    await nav.getByRole("link", { name: "Export", exact: true }).click();
    await frame.getByRole("heading", { level: 2, name: "Quick Export" }).waitFor();
    await frame.getByRole("checkbox", { name: "Customers", exact: true }).check();
    await frame.getByRole("button", { name: "Start export" }).click();
    await frame.getByText("Exporting Customers needs the Standard plan.").waitFor();

    // Nothing was started: Discovery lists no export.
    await nav.getByRole("link", { name: "Discovery" }).click();
    await frame.getByRole("heading", { level: 1, name: "Discovery" }).waitFor();
    await expect(
      frame
        .getByRole("table", { name: "Recent activity" })
        .getByText(/Quick Export/)
        .count(),
    ).resolves.toBe(0);
  });
});

describe("Settings", () => {
  it("shows the field at fault for a bad value, saves good ones (frequency per type included) and shows their calls per day", async () => {
    const { page } = browser();
    const frame = await openApp(page, stack().storeHash);
    await frame
      .getByRole("navigation", { name: "Strongbox" })
      .getByRole("link", { name: "Settings" })
      .click();
    const table = frame.getByRole("table", { name: "Backup frequency per content type" });
    await table
      .getByRole("row", { name: /Products/ })
      .first()
      .waitFor();
    const reserve = frame.getByLabel(/API quota left to other apps/);
    await reserve.fill("70");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame
      .getByRole("alert")
      .getByText(/between 5% and 50%/)
      .waitFor();
    expect(await reserve.getAttribute("aria-invalid")).toBe("true");
    await reserve.fill("30");
    await frame.getByRole("combobox", { name: "Frequency for Brands" }).selectOption("weekly");
    await frame.getByRole("button", { name: "Save" }).click();
    await frame.getByText("Settings saved").waitFor();
    await browser().screenshot("settings-saved");

    // Saved on the server: a fresh visit shows the same choices, and each type its expected calls.
    const nav = frame.getByRole("navigation", { name: "Strongbox" });
    await nav.getByRole("link", { name: "Discovery" }).click();
    await nav.getByRole("link", { name: "Settings" }).click();
    await expect(frame.getByRole("combobox", { name: "Frequency for Brands" }).inputValue()).resolves.toBe(
      "weekly",
    );
    await expect(frame.getByLabel(/API quota left to other apps/).inputValue()).resolves.toBe("30");
    const brands = await table
      .getByRole("row", { name: /^Brands/ })
      .first()
      .locator("td")
      .allTextContents();
    expect(brands.at(-1)).toMatch(/^\d+$/);
  });
});
