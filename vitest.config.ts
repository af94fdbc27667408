import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { createSandbox } from "./sandbox/app.ts";
import { APP_URL, SANDBOX_URL, testBindings } from "./test/support/test-env.ts";

const migrations = await readD1Migrations("./migrations");
// One sandbox for the whole run, in this Node process; test files use distinct stores.
const sandbox = createSandbox({
  apps: [
    { clientId: testBindings.BC_CLIENT_ID, clientSecret: testBindings.BC_CLIENT_SECRET, appUrl: APP_URL },
  ],
});
const sandboxHost = new URL(SANDBOX_URL).host;

/**
 * Without a results cache (a clean clone, as in CI) vitest starts the largest files first, and the
 * fault matrices are small files that each run for close to a minute: started last, one would run
 * alone at the end. They and the other long waiters start first instead.
 */
const LONG_FILES = /\/test\/(faults\.|maintenance\.|export\.split|backup\.(routes|resume)|hardening\.)/;
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => LONG_FILES.test(f.moduleId);
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    // A workerd or Node test file mostly waits (alarms, back-offs, polling, the sandbox's answers): three
    // at once keep two cores busy. The browser files run after them, one at a time.
    maxWorkers: 3,
    sequence: { sequencer: LongFilesFirst },
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: "./worker/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { ...testBindings, TEST_MIGRATIONS: migrations },
              outboundService: async (request: Request) => {
                const url = new URL(request.url);
                if (url.host !== sandboxHost) {
                  return new Response(`tests may not reach ${url.host}`, { status: 502 });
                }
                return sandbox.fetch(request);
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**", "test/browser/**"],
          setupFiles: ["./test/support/apply-migrations.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // `npm run bench` only (bench/run.ts sets STRONGBOX_BENCH): the workers pool with the sandbox, never part of `npm test`.
      ...(process.env.STRONGBOX_BENCH
        ? [
            {
              plugins: [
                cloudflareTest({
                  main: "./worker/index.ts",
                  wrangler: { configPath: "./wrangler.toml" },
                  miniflare: {
                    bindings: { ...testBindings, TEST_MIGRATIONS: migrations },
                    outboundService: async (request: Request) =>
                      new URL(request.url).host === sandboxHost
                        ? sandbox.fetch(request)
                        : new Response("benchmarks reach only the sandbox", { status: 502 }),
                  },
                }),
              ],
              test: {
                name: "bench",
                include: ["bench/**/*.bench.test.ts"],
                setupFiles: ["./test/support/apply-migrations.ts"],
                fileParallelism: false,
                testTimeout: 3_600_000,
                hookTimeout: 3_600_000,
              },
            },
          ]
        : []),
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          // One sandbox and `wrangler dev` for all browser files (each file installs its own store).
          globalSetup: ["./test/browser/support/global-stack.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
