import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { getDb } from "../db/client";
import { exportsTable } from "../db/schema";
import { verifyDownloadToken } from "./links";

/**
 * `/downloads/{token}`: streams one ZIP of an export from R2. Needs no session (the link is sent by
 * email and may be opened anywhere), so the token is the only credential: signed, bound to the
 * export, file and store, valid 7 days. Expired links get 410, anything else wrong gets the same
 * 403 page: no hint whether an export exists or which store it belongs to.
 */
export const downloadRoutes = new Hono<{ Bindings: Env }>();

function page(status: 403 | 404 | 410, title: string, message: string) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title>
<style>body{margin:0;font-family:"Source Sans 3","Source Sans Pro",system-ui,sans-serif;background:#f6f7fc;color:#313440}
main{max-width:520px;margin:80px auto;background:#fff;border:1px solid #d9dce9;border-radius:4px;padding:32px}
h1{font-size:1.5rem;margin:0 0 12px}p{line-height:1.5;color:#5e637a}</style></head>
<body><main><h1>${title}</h1><p>${message}</p></main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
}

const forbidden = () =>
  page(
    403,
    "This link is not valid",
    "The download link is incomplete or was changed. Open the link from the export email again, or start a new export in Strongbox.",
  );
const gone = () =>
  page(
    410,
    "This link has expired",
    "Export download links work for one week, and the files are then deleted. Start a new export from Export &gt; Quick Export in Strongbox.",
  );

downloadRoutes.get("/:token", async (c) => {
  const now = Date.now();
  const check = await verifyDownloadToken(c.env.LINK_SIGNING_SECRET, c.req.param("token"), now);
  if (!check.ok) return check.reason === "expired" ? gone() : forbidden();
  const { claims } = check;
  const [row] = await getDb(c.env).select().from(exportsTable).where(eq(exportsTable.id, claims.e)).limit(1);
  if (!row || row.storeHash !== claims.s) return forbidden();
  if (row.status !== "done" || !row.expiresAt || row.expiresAt <= now) return gone();
  const file = row.files[claims.f];
  if (!file) return forbidden();
  const obj = await c.env.EXPORTS.get(file.key);
  if (!obj) return gone();
  return new Response(obj.body, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Length": String(obj.size),
      "Content-Disposition": `attachment; filename="${file.name.replace(/[^\w.-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
});

downloadRoutes.all("*", () => forbidden());
