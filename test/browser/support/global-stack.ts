import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error the dev stack is plain ESM without type declarations
import { startServers } from "../../../scripts/dev-stack.mjs";
import { freePort } from "../../support/free-port";

export type Servers = { appUrl: string; sandboxUrl: string };

declare module "vitest" {
  export interface ProvidedContext {
    browserStack: Servers;
  }
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
