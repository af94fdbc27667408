import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error the dev stack is plain ESM without type declarations
import { startServers } from "../../../scripts/dev-stack.mjs";

export type Servers = { appUrl: string; sandboxUrl: string };

declare module "vitest" {
  export interface ProvidedContext {
    browserStack: Servers;
  }
}

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
 * The browser project's global setup: one sandbox server and one `wrangler dev` (fresh local database)
 * for every browser test file, on free ports. Starting them takes 10-15 s, so a stack per file cost
 * about two minutes of the suite; each file still gets its own store (see `useStack`).
 * `npm run test:browser` builds the SPA first, so the stack serves the current build.
 */
export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(join(tmpdir(), "strongbox-browser-"));
  const appPort = Number(process.env.BROWSER_TEST_APP_PORT) || (await freePort());
  const sandboxPort = Number(process.env.BROWSER_TEST_SANDBOX_PORT) || (await freePort());
  const servers = (await startServers({
    appPort,
    sandboxPort,
    persistTo: stateDir,
    build: false,
    quiet: true,
  })) as Servers & { stop: () => Promise<void> };
  project.provide("browserStack", { appUrl: servers.appUrl, sandboxUrl: servers.sandboxUrl });
  return async () => {
    await servers.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
}
