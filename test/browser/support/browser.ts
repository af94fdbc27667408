import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/** Debian's chromium (CI installs it with `apt-get install -y chromium`); override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags that keep a headless run quiet, offline apart from the local stack, and deterministic. */
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** vitest runs from the repository root; CI keeps this folder as the run's artifacts. */
const RESULTS_DIR = resolve(process.cwd(), "test-results");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS, headless: true });
}

export type BrowserHarness = {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors seen so far in this test (all pages and frames). */
  log: string[];
  /** Saves a full-page PNG to `test-results/<name>.png` and returns its path. */
  screenshot: (name: string) => Promise<string>;
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 100);

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Registers the hooks of a browser test file: one chromium per file, a fresh context and page per test
 * (no cookies carried between tests), and a screenshot in `test-results/` when a test fails. Returns a
 * getter for the current test's harness.
 */
export function useBrowser(
  options: { viewport?: { width: number; height: number } } = {},
): () => BrowserHarness {
  let browser: Browser | undefined;
  let current: BrowserHarness | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  beforeEach(async () => {
    if (!browser) throw new Error("chromium did not start");
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1366, height: 900 } });
    const page = await context.newPage();
    // Script errors and failed requests of the app (any frame), printed when the test fails.
    const log: string[] = [];
    context.on("weberror", (error) => log.push(`page error: ${error.error().message}`));
    context.on("console", (message) => {
      if (message.type() === "error") log.push(`console error: ${message.text()}`);
    });
    const b = browser;
    current = { browser: b, context, page, log, screenshot: (name) => saveScreenshot(page, name) };
  });

  afterEach(async (ctx) => {
    const harness = current;
    current = undefined;
    if (!harness) return;
    if (ctx.task.result?.state === "fail") {
      try {
        const path = await saveScreenshot(harness.page, `failed-${ctx.task.name}`);
        console.error(`screenshot of the failure: ${path}`);
        if (harness.log.length) console.error(`browser log:\n  ${harness.log.join("\n  ")}`);
      } catch (err) {
        console.error("could not take the failure screenshot", err);
      }
    }
    await harness.context.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  return () => {
    if (!current) throw new Error("useBrowser(): no page outside a test");
    return current;
  };
}
