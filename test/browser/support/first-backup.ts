import type { FrameLocator, Page } from "playwright-core";

type Summary = { lastSuccessfulBackupAt: number | null; runningJob: unknown };

async function summary(page: Page, appUrl: string): Promise<Summary> {
  const frame = page.frames().find((f) => f.url().startsWith(appUrl));
  if (!frame) throw new Error("the app's iframe is not loaded");
  return frame.evaluate(async () => {
    const res = await fetch("/api/vault/summary", { credentials: "include" });
    return (await res.json()) as Summary;
  });
}

/**
 * Waits until the store has a finished backup and no job runs. That is the backup the install starts
 * when Discovery opens (on a loaded machine its request can land after the vault page did, so the
 * page's button alone says nothing), or, when none has started within `startWithinMs`, one started
 * here with "Backup all data". Asked of the API, then the page is let to show the idle state.
 */
export async function ensureFirstBackup(
  page: Page,
  app: FrameLocator,
  appUrl: string,
  { startWithinMs = 20_000, timeoutMs = 150_000 } = {},
): Promise<void> {
  const started = Date.now();
  let clicked = false;
  for (;;) {
    const s = await summary(page, appUrl);
    if (s.lastSuccessfulBackupAt !== null && s.runningJob === null) break;
    if (!clicked && s.runningJob === null && Date.now() - started > startWithinMs) {
      await app.getByRole("button", { name: "Backup all data" }).click();
      await app
        .getByRole("dialog", { name: "Backup all data" })
        .getByRole("button", { name: "Confirm" })
        .click();
      clicked = true;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`the store's first backup did not finish within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await app
    .getByRole("heading", { name: "Backing up data..." })
    .waitFor({ state: "hidden", timeout: 30_000 });
  await app.locator("button:not([disabled])", { hasText: "Backup all data" }).waitFor({ timeout: 30_000 });
}
