import { Hono } from "hono";

/** Placeholder until the emulator lands: see sandbox/README.md. */
export function createSandbox() {
  const app = new Hono();
  app.get("/__sandbox/health", (c) => c.json({ ok: true }));
  return { app, fetch: (req: Request) => app.fetch(req) };
}
