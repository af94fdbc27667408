// Starts the local stack: the sandbox BigCommerce store and the worker under `wrangler dev`, seeds a
// demo store and installs the app into it through the real OAuth flow. Used by `npm start` and the
// browser tests. Nothing here needs a Cloudflare account, a login or the internet.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(ROOT, "node_modules", ".bin", name);

/** Keeps wrangler offline and its state inside the project. */
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG_SANITIZE: "true",
  XDG_CONFIG_HOME: join(ROOT, ".config"),
};

export function readDevVars() {
  const file = join(ROOT, ".dev.vars");
  if (!existsSync(file)) copyFileSync(join(ROOT, ".dev.vars.example"), file);
  const vars = {};
  for (const line of spawnSync("cat", [file], { encoding: "utf8" }).stdout.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function waitFor(url, child, name, timeoutMs = 60_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * The sandbox store server and the worker under `wrangler dev`, on their ports with a migrated local
 * database; no store yet (see `installStore`).
 * @param {{ appPort?: number, sandboxPort?: number, persistTo?: string, build?: boolean, quiet?: boolean }} options
 */
export async function startServers(options = {}) {
  const appPort = options.appPort ?? Number(process.env.APP_PORT ?? 8787);
  const sandboxPort = options.sandboxPort ?? Number(process.env.SANDBOX_PORT ?? 8788);
  const persistTo = options.persistTo ?? join(ROOT, ".wrangler", "state");
  const appUrl = `http://localhost:${appPort}`;
  const sandboxUrl = `http://localhost:${sandboxPort}`;
  const vars = readDevVars();
  const stdio = options.quiet ? ["ignore", "ignore", "pipe"] : ["ignore", "inherit", "inherit"];
  mkdirSync(persistTo, { recursive: true });

  if (options.build !== false || !existsSync(join(ROOT, "dist", "app", "index.html")))
    run(bin("vite"), ["build", "--logLevel", "warn"]);
  run(
    bin("wrangler"),
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
    OFFLINE_ENV,
  );

  const children = [];
  const sandbox = spawn(bin("tsx"), ["sandbox/server.ts"], {
    cwd: ROOT,
    stdio,
    env: {
      ...process.env,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_SEED_DEMO: "0",
      BC_CLIENT_ID: vars.BC_CLIENT_ID,
      BC_CLIENT_SECRET: vars.BC_CLIENT_SECRET,
      APP_URL: appUrl,
    },
  });
  children.push(sandbox);
  const worker = spawn(
    bin("wrangler"),
    [
      "dev",
      "--port",
      String(appPort),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persistTo,
      "--test-scheduled",
      "--log-level",
      options.quiet ? "error" : "info",
      "--var",
      `BC_API_URL:${sandboxUrl}`,
      "--var",
      `BC_LOGIN_URL:${sandboxUrl}`,
      "--var",
      `APP_URL:${appUrl}`,
      "--var",
      `FRAME_ANCESTORS:${sandboxUrl}`,
    ],
    { cwd: ROOT, stdio, env: { ...process.env, ...OFFLINE_ENV } },
  );
  children.push(worker);
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
    );
  };
  try {
    await waitFor(`${sandboxUrl}/__sandbox/health`, sandbox, "sandbox store");
    await waitFor(`${appUrl}/api/health`, worker, "wrangler dev");
  } catch (err) {
    await stop();
    throw err;
  }
  return { appUrl, sandboxUrl, stop };
}

/**
 * Creates a sandbox store of `profile` and installs the app into it through the real OAuth flow.
 * Each store of one sandbox gets its own hash (and owner email), so several share a stack.
 * @param {string} sandboxUrl
 * @param {{ profile?: string, seed?: number }} options
 * @returns {Promise<string>} the store hash
 */
export async function installStore(sandboxUrl, options = {}) {
  const created = await fetch(`${sandboxUrl}/__sandbox/stores`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ profile: options.profile ?? "demo", seed: options.seed ?? 1 }),
  });
  if (!created.ok)
    throw new Error(`creating the demo store failed: ${created.status} ${await created.text()}`);
  const { store_hash: storeHash } = await created.json();
  const installed = await fetch(`${sandboxUrl}/__sandbox/stores/${storeHash}/install`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ follow: true }),
  });
  if (!installed.ok)
    throw new Error(`installing the app failed: ${installed.status} ${await installed.text()}`);
  return storeHash;
}

/**
 * The servers plus a demo store with the app installed (`npm start`).
 * @param {{ appPort?: number, sandboxPort?: number, persistTo?: string, build?: boolean, quiet?: boolean, profile?: string }} options
 */
export async function startStack(options = {}) {
  const servers = await startServers(options);
  try {
    const storeHash = await installStore(servers.sandboxUrl, { profile: options.profile });
    return {
      ...servers,
      storeHash,
      controlPanelUrl: `${servers.sandboxUrl}/manage/app?store=${storeHash}`,
    };
  } catch (err) {
    await servers.stop();
    throw err;
  }
}
