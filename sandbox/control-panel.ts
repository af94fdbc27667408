import type { Hono } from "hono";
import type { SandboxState } from "./engine/context.ts";
import { findApp, signedPayload } from "./oauth.ts";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

/**
 * `GET /manage/app?store={hash}`: a control-panel look-alike framing the app's `/auth/load` with a fresh
 * signed payload, with buttons that fire the uninstall and remove-user callbacks.
 */
export function mountControlPanel(app: Hono, state: SandboxState): void {
  app.get("/manage/app", async (c) => {
    const hash = c.req.query("store") ?? [...state.stores.values()].find((s) => s.profile === "demo")?.hash;
    const store = hash ? state.stores.get(hash) : undefined;
    if (!store) return c.html("<h1>No such store</h1><p>Create one with POST /__sandbox/stores.</p>", 404);
    const appConfig = findApp(state, c.req.query("client_id"));
    if (!appConfig) return c.html("<h1>No app configured</h1>", 404);
    const user = store.users.get(Number(c.req.query("user_id") ?? store.owner.id)) ?? store.owner;
    const jwt = await signedPayload(state, store, appConfig, user);
    const src = `${appConfig.appUrl}/auth/load?signed_payload_jwt=${jwt}`;
    const others = [...store.users.values()].filter((u) => u.id !== store.owner.id);
    const done = c.req.query("done");
    const base = `/__sandbox/stores/${store.hash}`;
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strongbox · ${esc(store.name)} · Control Panel</title>
<style>
  *{box-sizing:border-box} body{margin:0;font:14px/1.4 -apple-system,"Segoe UI",Roboto,sans-serif;color:#313440;background:#f6f7f9;display:grid;grid-template-columns:230px 1fr;grid-template-rows:56px 1fr;height:100vh}
  header{grid-column:1/3;background:#fff;border-bottom:1px solid #d9dce9;display:flex;align-items:center;gap:16px;padding:0 20px}
  header .logo{font-weight:700;color:#34313f;letter-spacing:.02em} header .store{font-weight:600} header .hash{color:#8c93ad;font-size:12px}
  header .spacer{flex:1} header .user{color:#5e637a}
  nav{background:#34313f;color:#c4c6d2;padding:12px 0;overflow:auto}
  nav a{display:block;color:inherit;text-decoration:none;padding:9px 22px} nav a.active{background:#4b4760;color:#fff;border-left:3px solid #3c64f4}
  nav .sub{padding-left:36px;font-size:13px} nav .section{padding:16px 22px 6px;font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#8c8aa0}
  main{display:flex;flex-direction:column;min-height:0}
  .crumbs{padding:10px 20px;color:#5e637a;font-size:13px;display:flex;gap:12px;align-items:center;background:#fff;border-bottom:1px solid #e5e7f0}
  .crumbs .spacer{flex:1}
  .crumbs form{display:inline} button{font:inherit;border:1px solid #d9dce9;background:#fff;border-radius:4px;padding:5px 10px;cursor:pointer} button.danger{color:#db3643;border-color:#f0b7bc}
  select{font:inherit;padding:4px}
  .note{padding:6px 20px;background:#e8f3ea;color:#1f6b33;font-size:13px}
  iframe{flex:1;border:0;width:100%;height:100%;background:#fff}
</style></head>
<body>
<header><span class="logo">BIGCOMMERCE</span><span class="store">${esc(store.name)}</span><span class="hash">store-${esc(store.hash)}</span><span class="spacer"></span><span class="user">${esc(user.email)}</span></header>
<nav>
  <a href="#">Home</a><a href="#">Orders</a><a href="#">Products</a><a href="#">Customers</a><a href="#">Storefront</a><a href="#">Marketing</a><a href="#">Analytics</a><a href="#">Channel Manager</a>
  <div class="section">Apps</div>
  <a href="#" class="sub">Marketplace</a><a href="#" class="sub">My Apps</a><a href="/manage/app?store=${esc(store.hash)}" class="sub active">Strongbox</a>
  <a href="#">Settings</a>
</nav>
<main>
  <div class="crumbs"><span>Apps › My Apps › <strong>Strongbox</strong></span><span class="spacer"></span>
    <form method="post" action="${base}/install"><input type="hidden" name="client_id" value="${esc(appConfig.clientId)}"><button type="submit">Install</button></form>
    <form method="post" action="${base}/remove-user"><input type="hidden" name="client_id" value="${esc(appConfig.clientId)}">
      <select name="user_id" aria-label="User to remove">${others.map((u) => `<option value="${u.id}">${esc(u.email)}</option>`).join("") || '<option value="">(no other users)</option>'}</select>
      <button type="submit"${others.length ? "" : " disabled"}>Remove user</button></form>
    <form method="post" action="${base}/uninstall"><input type="hidden" name="client_id" value="${esc(appConfig.clientId)}"><button type="submit" class="danger">Uninstall</button></form>
  </div>
  ${done ? `<div class="note" role="status">Sent the ${esc(done)} callback to the app (status ${esc(c.req.query("status") ?? "?")}).</div>` : ""}
  <iframe title="Strongbox" src="${esc(src)}"></iframe>
</main>
</body></html>`);
  });
}
