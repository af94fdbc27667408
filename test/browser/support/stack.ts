import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
// @ts-expect-error the dev stack is plain ESM without type declarations
import { startStack } from "../../../scripts/dev-stack.mjs";

export type Stack = {
  appUrl: string;
  sandboxUrl: string;
  storeHash: string;
  /** The sandbox's control-panel page framing the app, signed in as the store owner. */
  controlPanelUrl: string;
  stop: () => Promise<void>;
};

/** Ports apart from `npm start`'s (8787/8788) so tests run beside a developer's stack. */
const APP_PORT = Number(process.env.BROWSER_TEST_APP_PORT ?? 8797);
const SANDBOX_PORT = Number(process.env.BROWSER_TEST_SANDBOX_PORT ?? 8798);

/**
 * Starts the sandbox store and `wrangler dev` for this test file, with a fresh local database, the demo
 * store seeded and the app installed through the OAuth flow; stops it after the file. `npm run
 * test:browser` builds the SPA first, so the stack serves the current build.
 */
export function useStack(options: { profile?: string } = {}): () => Stack {
  let stack: Stack | undefined;
  let stateDir: string | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "strongbox-browser-"));
    stack = (await startStack({
      appPort: APP_PORT,
      sandboxPort: SANDBOX_PORT,
      persistTo: stateDir,
      build: false,
      quiet: true,
      profile: options.profile,
    })) as Stack;
  });

  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  return () => {
    if (!stack) throw new Error("useStack(): the stack did not start");
    return stack;
  };
}
