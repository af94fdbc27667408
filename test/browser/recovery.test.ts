import type { FrameLocator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./support/browser";
import { ensureFirstBackup } from "./support/first-backup";
import { openBackupVault } from "./support/open-vault";
import { useStack } from "./support/stack";

const stack = useStack();
const browser = useBrowser();

async function admin<T = unknown>(path: string, method: string, body: unknown): Promise<T> {
  const res = await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Opens the control panel and Backup Vault, and waits until no backup runs (installing starts the first one). */
async function openIdleVault(page: Page): Promise<FrameLocator> {
  const app = await openBackupVault(page, stack().controlPanelUrl);
  await ensureFirstBackup(page, app, stack().appUrl);
  return app;
}

/** Runs "Backup all data" to the end. */
async function backupAllData(app: FrameLocator) {
  await app.getByRole("button", { name: "Backup all data" }).click();
  const dialog = app.getByRole("dialog", { name: "Backup all data" });
  await dialog.getByRole("button", { name: "Confirm" }).click();
  const running = app.getByRole("heading", { name: "Backing up data..." });
  await running.waitFor();
  await running.waitFor({ state: "hidden", timeout: 150_000 });
  await app.getByText("Backup complete").last().waitFor();
}

describe("Backup Vault > Bulk Recovery (guide sections 7 and 8)", () => {
  it("chooses the backup before a bad import, compares it, restores products with a dry run, follows the restore to 100% and finds it in Recovery history", async () => {
    const { page } = browser();
    await admin("/quota", "PUT", { quota: "unlimited" });
    // The first backup (started by the install) is the version to return to.
    const app = await openIdleVault(page);
    const mutated = await admin<{
      changed: { products: { updated: number[] } };
      before: { products: Record<string, { name: string }> };
    }>("/mutate", "POST", { kind: "bad-import", type: "products", seed: 3 });
    const affected = mutated.changed.products.updated;
    expect(affected.length).toBeGreaterThan(0);
    await backupAllData(app);

    // Section 7: Open Bulk Recovery, review the History panel, select the version before the import.
    await app
      .getByRole("tab", { name: "Bulk Recovery" })
      .or(app.getByRole("link", { name: "Bulk Recovery" }))
      .first()
      .click();
    await app.getByRole("heading", { level: 2, name: "Bulk Recovery" }).waitFor();
    const versions = app.getByRole("list", { name: "Backup versions" }).getByRole("button");
    await versions.nth(1).waitFor();
    expect(await versions.count()).toBe(2);
    await versions.nth(1).click();

    // Review what changed: Backed up items, Compare to the latest, Compare.
    const products = app.getByRole("row", { name: /^Products/ });
    await products.getByText(`${affected.length} changed`).waitFor();
    await products.getByRole("button", { name: "Compare Products" }).click();
    const differences = app.getByRole("dialog", { name: "Version differences: Products" });
    await differences.waitFor();
    await differences
      .locator("dl.summary-card", { hasText: "Updated" })
      .getByText(String(affected.length))
      .waitFor();
    await differences.getByText("Selected version:").waitFor();
    await differences.getByText("Latest version:").waitFor();
    expect(await differences.getByRole("table", { name: "Changed items" }).getByRole("link").count()).toBe(
      Math.min(20, affected.length),
    );
    await differences.getByRole("button", { name: "Close" }).click();
    await differences.waitFor({ state: "hidden" });

    // Start a bulk restore: Select categories to restore, team-assisted types, emails, Restore now.
    await app.getByRole("button", { name: "Restore to this version" }).click();
    await app.getByRole("heading", { name: "Select categories to restore" }).waitFor();
    await app.getByText("Restored with team assistance").waitFor();
    await app.getByText(/up to 7 days/).waitFor();
    expect(await app.getByRole("list", { name: "Recipients" }).locator("li.chip").count()).toBe(1);
    const restoreNow = app.getByRole("button", { name: "Restore now" });
    const productsBox = app.getByRole("checkbox", { name: /^Products/ });
    expect(await productsBox.isChecked()).toBe(true);
    const allItems = app.getByRole("checkbox", { name: "All items", exact: true });
    await allItems.check();
    await allItems.uncheck();
    expect(await productsBox.isChecked()).toBe(false);
    expect(await restoreNow.isDisabled()).toBe(true);
    await productsBox.check();
    expect(await restoreNow.isEnabled()).toBe(true);
    await restoreNow.click();

    // The confirmation screen is the dry run.
    await app.getByRole("heading", { name: "Confirm the restore" }).waitFor();
    const planned = app
      .getByRole("table", { name: "What the restore will do" })
      .getByRole("row", { name: /^Products/ });
    expect(((await planned.getByRole("cell").nth(1).textContent()) ?? "").trim()).toBe(
      String(affected.length),
    );
    await app
      .getByText(/API calls/)
      .first()
      .waitFor();
    await app.getByRole("button", { name: "Confirm" }).click();

    // Section 8: the restore process page, to 100%.
    await app.getByRole("heading", { name: "Restore process" }).waitFor();
    await app.getByText("Target version:").waitFor();
    await app.getByText("Notification emails:").waitFor();
    await app.getByRole("progressbar", { name: "Restore 100%" }).waitFor({ timeout: 120_000 });
    const row = app
      .getByRole("table", { name: "Content types being restored" })
      .getByRole("row", { name: /^Products/ });
    await row.getByText("Done").waitFor();
    const cells = row.getByRole("cell");
    expect(((await cells.nth(2).textContent()) ?? "").trim()).toBe(String(affected.length));
    expect(((await cells.nth(3).textContent()) ?? "").trim()).toBe("0");
    await row.getByRole("button", { name: "View Detail of Products" }).click();
    const detail = app.getByRole("dialog", { name: "Products: restore detail" });
    await detail
      .getByRole("table", { name: "Products items" })
      .getByRole("row")
      .nth(affected.length)
      .waitFor();
    await detail.getByRole("button", { name: "Close" }).click();

    // The store has the products as they were.
    const exported = await (
      await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/export`)
    ).json();
    for (const id of affected) {
      const product = (exported.products as { id: number; name: string }[]).find((p) => p.id === id);
      expect(product?.name).toBe(mutated.before.products[String(id)].name);
    }

    // Section 9: Recovery history lists it as Done.
    await app.getByRole("button", { name: "Recovery history" }).click();
    await app.getByRole("heading", { level: 2, name: "Recovery history" }).waitFor();
    const history = app.getByRole("table", { name: "Recovery history" }).getByRole("row").nth(1);
    await history.getByText("Done").waitFor();
    await history.getByRole("button", { name: "Undo this restore" }).waitFor();
  });

  it("after a change the vault has not seen yet, backs up the chosen types from the restore screen, then restores them", async () => {
    const { page } = browser();
    const app = await openIdleVault(page);
    // A fresh backup: the version to return to, and the latest state the vault knows.
    await backupAllData(app);
    const mutated = await admin<{
      changed: { products: { updated: number[] } };
      before: { products: Record<string, { name: string }> };
    }>("/mutate", "POST", { kind: "bad-import", type: "products", seed: 4 });
    const affected = mutated.changed.products.updated;

    await app.getByRole("tab", { name: "Bulk Recovery" }).click();
    const versions = app.getByRole("list", { name: "Backup versions" }).getByRole("button");
    await versions.first().click();
    // The vault has not seen the import yet.
    const products = app.getByRole("row", { name: /^Products/ });
    await products.getByText("No change").waitFor();

    await app.getByRole("button", { name: "Restore to this version" }).click();
    const allItems = app.getByRole("checkbox", { name: "All items", exact: true });
    await allItems.check();
    await allItems.uncheck();
    await app.getByRole("checkbox", { name: /^Products/ }).check();
    await app.getByRole("button", { name: "Back up these types first" }).click();
    await products.getByText(`${affected.length} changed`).waitFor({ timeout: 120_000 });
    expect(await versions.count()).toBe(4);

    await app.getByRole("button", { name: "Restore now" }).click();
    const planned = app
      .getByRole("table", { name: "What the restore will do" })
      .getByRole("row", { name: /^Products/ });
    expect(((await planned.getByRole("cell").nth(1).textContent()) ?? "").trim()).toBe(
      String(affected.length),
    );
    await app.getByRole("button", { name: "Confirm" }).click();
    await app.getByRole("progressbar", { name: "Restore 100%" }).waitFor({ timeout: 120_000 });

    const exported = await (
      await fetch(`${stack().sandboxUrl}/__sandbox/stores/${stack().storeHash}/export`)
    ).json();
    for (const id of affected) {
      const product = (exported.products as { id: number; name: string }[]).find((p) => p.id === id);
      expect(product?.name).toBe(mutated.before.products[String(id)].name);
    }
  });
});
