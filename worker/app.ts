import { Hono } from "hono";
import { HttpError } from "./lib/errors";

export const app = new Hono<{ Bindings: Env }>();

app.get("/api/health", (c) => c.json({ ok: true }));

app.notFound((c) => c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` } }, 404));

app.onError((err, c) => {
  if (err instanceof HttpError) return c.json(err.body(), err.status);
  const requestId = crypto.randomUUID();
  console.error(`request ${requestId} failed`, err instanceof Error ? err.stack : err);
  return c.json({ error: { code: "internal", message: `Something went wrong (request ${requestId}).` } }, 500);
});
