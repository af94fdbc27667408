import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { serve } from "@hono/node-server";
import { createStore } from "./admin.ts";
import { createSandbox } from "./app.ts";
import { DROP_HEADER } from "./engine/platform.ts";

/** Defaults from .dev.vars.example, so `npm run sandbox` and `npm start` agree without configuration. */
function devVarsExample(): Record<string, string> {
  try {
    const text = readFileSync(new URL("../.dev.vars.example", import.meta.url), "utf8");
    return Object.fromEntries(
      text
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
  } catch {
    return {};
  }
}

const defaults = devVarsExample();
const env = (k: string, fallback: string) => process.env[k] ?? defaults[k] ?? fallback;
const port = Number(process.env.SANDBOX_PORT ?? 8788);

const sandbox = createSandbox({
  apps: [
    {
      clientId: env("BC_CLIENT_ID", "strongbox-local-client"),
      clientSecret: env("BC_CLIENT_SECRET", "strongbox-local-secret-change-me"),
      appUrl: env("APP_URL", "http://localhost:8787").replace(/\/$/, ""),
    },
  ],
  deliverWebhooks: "http",
  timeScale: Number(process.env.SANDBOX_TIME_SCALE ?? 1),
  origin: process.env.SANDBOX_URL ?? `http://localhost:${port}`,
});

const demo = createStore(sandbox.state, "demo", Number(process.env.SANDBOX_SEED ?? 1));

serve({
  port,
  fetch: async (req: Request, nodeEnv: unknown) => {
    const res = await sandbox.app.fetch(req, nodeEnv);
    // A dropped-connection fault: destroy the socket so the client sees a network error.
    if (res.headers.get(DROP_HEADER)) (nodeEnv as { incoming: IncomingMessage }).incoming.socket.destroy();
    return res;
  },
});

console.log(`BigCommerce sandbox on http://localhost:${port}`);
console.log(`  demo store: hash ${demo.hash}  token ${demo.accessToken}`);
console.log(`  control panel: http://localhost:${port}/manage/app?store=${demo.hash}`);
