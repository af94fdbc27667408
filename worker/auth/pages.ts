import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Content = HtmlEscapedString | Promise<HtmlEscapedString> | string;

/** The small server-rendered pages (auth flow, sign-in), in the product's look. */
export function page(title: string, content: Content) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Strongbox</title>
        <style>
          ${raw(PAGE_CSS)}
        </style>
      </head>
      <body>
        <main class="card">
          <p class="brand">Strongbox</p>
          <h1>${title}</h1>
          ${content}
        </main>
      </body>
    </html>`;
}

export function messagePage(title: string, message: string, hint?: string) {
  return page(title, html`<p>${message}</p>${hint ? html`<p class="hint">${hint}</p>` : ""}`);
}

const PAGE_CSS = `
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f6f7fc;color:#313440;
font-family:"Source Sans 3","Source Sans Pro",system-ui,-apple-system,"Segoe UI",sans-serif}
.card{background:#fff;border-radius:4px;box-shadow:0 1px 6px rgba(49,52,64,.15);padding:32px 40px;max-width:520px;width:calc(100% - 32px);box-sizing:border-box}
.brand{color:#3c64f4;font-weight:700;letter-spacing:.02em;margin:0 0 8px}
h1{font-size:24px;margin:0 0 12px}.hint{color:#5e637a;font-size:14px}
label{display:block;font-weight:600;margin:16px 0 4px}
input[type=email]{width:100%;box-sizing:border-box;padding:8px 12px;border:1px solid #d9dce9;border-radius:4px;font:inherit}
input[type=email]:focus{outline:2px solid #3c64f4;border-color:#3c64f4}
button{margin-top:16px;background:#3c64f4;color:#fff;border:0;border-radius:4px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#2f50c8}.stores{list-style:none;padding:0;margin:16px 0 0}.stores li{margin:0 0 8px}
.stores button{width:100%;text-align:left;background:#fff;color:#313440;border:1px solid #d9dce9;margin:0}
.stores button:hover{border-color:#3c64f4;background:#f0f3ff}`;
