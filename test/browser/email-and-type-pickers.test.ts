import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { openSection } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

const openQuickExport = (page: Page) => openSection(page, stack().controlPanelUrl, "Export", "Quick Export");

describe("notification emails and content types (Quick Export)", () => {
  it("adds valid emails as chips, refuses invalid and duplicate ones, and removes chips", async () => {
    const { page } = browser();
    const app = await openQuickExport(page);
    const ownerEmail = ((await page.locator("header .user").textContent()) ?? "").trim();
    expect(ownerEmail).toContain("@");

    // The signed-in user's email is there by default.
    const removeOwner = app.getByRole("button", { name: `Remove ${ownerEmail}` });
    await removeOwner.waitFor();

    const input = app.getByLabel("Your emails");
    await input.fill("not-an-email");
    await input.press("Enter");
    await app.getByText('"not-an-email" is not a valid email address').waitFor();
    expect(await app.getByRole("button", { name: "Remove not-an-email" }).count()).toBe(0);

    await input.fill(ownerEmail.toUpperCase());
    await input.press("Enter");
    await app.getByText("is already in the list").waitFor();
    expect(await app.getByRole("button", { name: /^Remove /i }).count()).toBe(1);

    await input.fill("ops@example.com");
    await app.getByRole("button", { name: "+ Add" }).click();
    await app.getByRole("button", { name: "Remove ops@example.com" }).waitFor();
    expect(await input.inputValue()).toBe("");

    await app.getByRole("button", { name: "Remove ops@example.com" }).click();
    expect(await app.getByRole("button", { name: "Remove ops@example.com" }).count()).toBe(0);
  });

  it("Start export waits for a content type and an email; All items selects a whole group", async () => {
    const { page } = browser();
    const app = await openQuickExport(page);
    const start = app.getByRole("button", { name: "Start export" });
    await start.waitFor();
    expect(await start.isDisabled()).toBe(true);
    await app.getByText("Select at least one content type.").waitFor();

    const group = app.getByRole("group", { name: "Store business data" });
    const allItems = app.getByRole("checkbox", { name: "All items (Store business data)" });
    await allItems.check();
    const boxes = group.getByRole("checkbox");
    const count = await boxes.count();
    expect(count).toBeGreaterThan(2);
    for (let i = 0; i < count; i++) expect(await boxes.nth(i).isChecked()).toBe(true);
    expect(await start.isEnabled()).toBe(true);

    // Unticking one type leaves "All items" mixed.
    await group.getByRole("checkbox", { name: "Products", exact: true }).uncheck();
    expect(await allItems.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);

    // Without any recipient, the export cannot start either.
    const ownerEmail = ((await page.locator("header .user").textContent()) ?? "").trim();
    await app.getByRole("button", { name: `Remove ${ownerEmail}` }).click();
    expect(await start.isDisabled()).toBe(true);
    await app.getByText("Add at least one email address.").first().waitFor();
  });
});
