import { Router } from "@solidjs/router";
import { render } from "solid-js/web";
import { AppShell } from "./components/app-shell";
import { routes } from "./routes";
import "./styles.css";

// After a deploy, an open app may ask for page chunks that no longer exist: reload once to pick up the
// new build instead of showing a broken page (at most once a minute, so a real outage cannot loop).
window.addEventListener("vite:preloadError", (event) => {
  const last = Number(sessionStorage.getItem("strongbox-reloaded-at") ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem("strongbox-reloaded-at", String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

render(() => <Router root={AppShell}>{routes}</Router>, document.getElementById("root")!);
