import type { FrameLocator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { openBackupVault } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

async function setFaults(faults: { slowMs: number; slowRate: number }) {
  const res = await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`setting faults failed: ${res.status} ${await res.text()}`);
}

/** The value of a summary card ("Last backup", "Items"...). */
async function summaryValue(app: FrameLocator, label: string): Promise<string> {
  const card = app.locator("dl.summary-card").filter({ has: app.locator("dt", { hasText: label }) });
  return ((await card.locator("dd").first().textContent()) ?? "").trim();
}

/** Waits until `check` answers true (the app polls, so some states take a moment to show). */
async function expectEventually(check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still false after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The id of the store's latest backup, read through the app's own session inside the iframe. */
async function lastBackupId(page: Page): Promise<string | null> {
  const frame = page.frames().find((f) => f.url().startsWith(stack().appUrl));
  if (!frame) throw new Error("the app's iframe is not loaded");
  return frame.evaluate(async () => {
    const res = await fetch("/api/vault/summary", { credentials: "include" });
    const body = (await res.json()) as { lastBackup: { id: string } | null };
    return body.lastBackup?.id ?? null;
  });
}

/** Why the latest backup failed, as the API records it (for a useful test failure). */
async function lastBackupError(page: Page): Promise<string> {
  const frame = page.frames().find((f) => f.url().startsWith(stack().appUrl));
  return (
    (await frame?.evaluate(async () => {
      const res = await fetch("/api/backups?limit=1", { credentials: "include" });
      const body = (await res.json()) as { backups: { status: string; error: string | null }[] };
      return JSON.stringify(body.backups[0] ?? null);
    })) ?? "unknown"
  );
}

describe("Backup Vault > Backup vault", () => {
  it("Backup all data: Confirm, live progress with the button disabled, then Last backup and Item Storage update", async () => {
    const { page, context } = browser();
    // Pacing is not what this tests: at the default quota the install's first backup waits out the
    // rate window for half a minute before the test can start its own.
    await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/quota`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ quota: "unlimited" }),
    });
    const app = await openBackupVault(page, stack().controlPanelUrl);
    const backupAll = app.getByRole("button", { name: "Backup all data" });
    // A new install starts its first backup by itself: let it finish before starting one by hand.
    await expectEventually(() => backupAll.isEnabled(), 120_000);
    const before = await lastBackupId(page);

    // Slow the store's API down so the running state stays on screen long enough to look at.
    await setFaults({ slowMs: 150, slowRate: 1 });
    await backupAll.click();
    const dialog = app.getByRole("dialog", { name: "Backup all data" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "hidden" });

    await app.getByRole("heading", { name: "Backing up data..." }).waitFor();
    const overall = app.getByRole("progressbar", { name: "Overall" });
    await overall.waitFor();
    expect(await backupAll.isDisabled()).toBe(true);
    await app.getByText("A backup is running. You can back up again when it finishes.").waitFor();

    // A second window of the same merchant sees the running backup and cannot start another.
    const other = await context.newPage();
    const otherApp = await openBackupVault(other, stack().controlPanelUrl);
    await otherApp.getByRole("heading", { name: "Backing up data..." }).waitFor();
    expect(await otherApp.getByRole("button", { name: "Backup all data" }).isDisabled()).toBe(true);
    await other.close();

    await setFaults({ slowMs: 0, slowRate: 0 });
    const outcome = app.getByText("Backup complete").or(app.getByText("Backup failed"));
    await outcome.first().waitFor({ timeout: 120_000 });
    if ((await outcome.first().textContent()) !== "Backup complete") {
      throw new Error(`the backup failed: ${await lastBackupError(page)}`);
    }
    await app.getByRole("heading", { name: "Backing up data..." }).waitFor({ state: "hidden" });
    expect(await backupAll.isEnabled()).toBe(true);

    expect(await lastBackupId(page)).not.toBe(before);
    expect(await summaryValue(app, "Last backup")).not.toBe("Never");
    await app.locator("dl.summary-card", { hasText: "Last backup" }).getByText("Done").waitFor();
    expect(Number((await summaryValue(app, "Items")).replace(/,/g, ""))).toBeGreaterThan(0);

    const products = app
      .getByRole("table", { name: /Store business data/ })
      .getByRole("row", { name: /Products/ });
    const productCount = Number(
      ((await products.getByRole("cell").nth(1).textContent()) ?? "0").replace(/,/g, ""),
    );
    expect(productCount).toBeGreaterThan(0);
    await app.getByRole("heading", { name: "Storage and changes" }).waitFor();

    await products.getByRole("link", { name: "Products" }).click();
    await app.getByRole("heading", { level: 2, name: "Products" }).waitFor();
    const frame = page.frames().find((f) => f.url().startsWith(stack().appUrl));
    expect(new URL(frame!.url()).pathname).toBe("/vault/types/products");
  });
});
