import { html, raw } from "hono/html";

/** The small server-rendered pages of the auth flow, in the product's look. */
export function messagePage(title: string, message: string, hint?: string) {
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
        <main class="card" role="main">
          <p class="brand">Strongbox</p>
          <h1>${title}</h1>
          <p>${message}</p>
          ${hint ? html`<p class="hint">${hint}</p>` : ""}
        </main>
      </body>
    </html>`;
}

const PAGE_CSS = `
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f6f7fc;color:#313440;
font-family:"Source Sans 3","Source Sans Pro",system-ui,-apple-system,"Segoe UI",sans-serif}
.card{background:#fff;border-radius:4px;box-shadow:0 1px 6px rgba(49,52,64,.15);padding:32px 40px;max-width:520px}
.brand{color:#3c64f4;font-weight:700;letter-spacing:.02em;margin:0 0 8px}
h1{font-size:24px;margin:0 0 12px}.hint{color:#5e637a;font-size:14px}`;
