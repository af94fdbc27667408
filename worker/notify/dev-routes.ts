import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { getDb } from "../db/client";
import { outbox } from "../db/schema";

/**
 * `/__dev/outbox`: the emails kept in the D1 outbox (no Resend key), newest first, so a developer
 * or a test sees what would have been sent. Answers 404 unless `DEV_PAGES` is "1": production
 * never lists email contents.
 */
export const devRoutes = new Hono<{ Bindings: Env }>();

devRoutes.use("*", async (c, next) => {
  if (c.env.DEV_PAGES !== "1") return c.text("Not found", 404);
  await next();
});

async function listOutbox(env: Env, store?: string) {
  const db = getDb(env);
  const q = db.select().from(outbox);
  return (store ? q.where(eq(outbox.storeHash, store)) : q)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(200);
}

devRoutes.get("/outbox.json", async (c) => c.json({ emails: await listOutbox(c.env, c.req.query("store")) }));

devRoutes.get("/outbox", async (c) => {
  const rows = await listOutbox(c.env, c.req.query("store"));
  const esc = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const items = rows
    .map(
      (r) => `<article>
<h2>${esc(r.subject)}</h2>
<p class="meta">${esc(new Date(r.createdAt).toISOString())} · ${esc(r.kind)} · ${esc(r.status)} · store ${esc(r.storeHash ?? "-")} · to ${esc(r.to.join(", "))}</p>
<iframe sandbox="" srcdoc="${esc(r.html)}" title="${esc(r.subject)}"></iframe>
<details><summary>Plain text</summary><pre>${esc(r.text)}</pre></details>
</article>`,
    )
    .join("\n");
  return c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#313440;background:#f6f7fc}article{background:#fff;border:1px solid #d9dce9;border-radius:4px;padding:16px;margin:0 0 16px}
h2{font-size:18px;margin:0 0 4px}.meta{color:#5e637a;font-size:13px}iframe{width:100%;height:420px;border:1px solid #d9dce9}pre{white-space:pre-wrap}</style></head>
<body><h1>Outbox (${rows.length})</h1><p>Emails kept locally because no RESEND_API_KEY is set. <a href="/__dev/outbox.json">JSON</a></p>${items || "<p>No emails yet.</p>"}</body></html>`);
});
