import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
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

/** A port nobody listens on right now, so parallel runs (and a developer's `npm start`) never collide. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the sandbox store and `wrangler dev` for this test file, on free ports with a fresh local
 * database, the demo store seeded and the app installed through the OAuth flow; stops it after the file.
 * `npm run test:browser` builds the SPA first, so the stack serves the current build.
 */
export function useStack(options: { profile?: string } = {}): () => Stack {
  let stack: Stack | undefined;
  let starting: Promise<Stack> | undefined;
  let stateDir: string | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "strongbox-browser-"));
    const appPort = Number(process.env.BROWSER_TEST_APP_PORT) || (await freePort());
    const sandboxPort = Number(process.env.BROWSER_TEST_SANDBOX_PORT) || (await freePort());
    starting = startStack({
      appPort,
      sandboxPort,
      persistTo: stateDir,
      build: false,
      quiet: true,
      profile: options.profile,
    }) as Promise<Stack>;
    stack = await starting;
  });

  afterAll(async () => {
    // Also stops a stack that finished starting after beforeAll gave up, so no server outlives the run.
    const running = stack ?? (await starting?.catch(() => undefined));
    await running?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  return () => {
    if (!stack) throw new Error("useStack(): the stack did not start");
    return stack;
  };
}
