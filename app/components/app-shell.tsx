import { type RouteSectionProps, useLocation } from "@solidjs/router";
import { createEffect, createResource, ErrorBoundary, type JSX, Match, on, Suspense, Switch } from "solid-js";
import { createMutable } from "solid-js/store";
import { ApiError, errorMessage, loadSession, sessionExpired } from "../api";
import { setStoreTimeZone } from "../format";
import { SessionContext } from "../session";
import { Button } from "./button";
import { SessionExpired } from "./session-expired";
import { SideNav } from "./side-nav";
import { StoreHeader } from "./store-header";
import { ToastRegion } from "./toast";

/**
 * The root layout: loads the session once, then shows the navigation, the store header and the page.
 * Any 401 from any call (here or on a page) replaces everything with the session-expired screen.
 */
export function AppShell(props: RouteSectionProps) {
  // A mutable store: a page that changes the plan or timezone assigns it and the header follows.
  const [session, { refetch }] = createResource(async () => createMutable(await loadSession()));
  createEffect(() => {
    if (session.state === "ready") setStoreTimeZone(session()?.store.timezone);
  });
  const isExpired = () =>
    sessionExpired() || (session.error instanceof ApiError && session.error.status === 401);

  return (
    <Switch fallback={<LoadingShell />}>
      <Match when={isExpired()}>
        <SessionExpired />
      </Match>
      <Match when={session.error}>
        <main class="full-page">
          <div class="card" role="alert">
            <h1>Strongbox could not start</h1>
            <p>{errorMessage(session.error)}</p>
            <Button onClick={() => refetch()}>Try again</Button>
          </div>
        </main>
      </Match>
      <Match when={session.state === "ready" && session()}>
        {(s) => (
          <SessionContext.Provider value={s()}>
            <button type="button" class="skip-link" onClick={() => document.getElementById("main")?.focus()}>
              Skip to content
            </button>
            <div class="shell">
              <SideNav />
              <StoreHeader />
              <main class="main" id="main" tabIndex={-1}>
                <PageFrame>{props.children}</PageFrame>
              </main>
            </div>
            <ToastRegion />
          </SessionContext.Provider>
        )}
      </Match>
    </Switch>
  );
}

/**
 * Where a page renders: a skeleton while its code or first data loads, and an error panel instead of a
 * blank app if it fails (cleared when the merchant navigates elsewhere). Area layouts use it for their tabs.
 */
export function PageFrame(props: { children: JSX.Element }) {
  return (
    <ErrorBoundary fallback={(error, reset) => <PageError error={error} reset={reset} />}>
      <Suspense fallback={<PageSkeleton />}>{props.children}</Suspense>
    </ErrorBoundary>
  );
}

function PageError(props: { error: unknown; reset: () => void }) {
  const location = useLocation();
  createEffect(on(() => location.pathname, props.reset, { defer: true }));
  return (
    <div class="message message--danger" role="alert">
      <div class="stack" style={{ gap: "8px" }}>
        <strong>This page could not be shown.</strong>
        <span>{errorMessage(props.error)}</span>
        <span>
          <Button variant="secondary" onClick={props.reset}>
            Try again
          </Button>
        </span>
      </div>
    </div>
  );
}

function LoadingShell() {
  return (
    <main class="full-page" aria-busy="true">
      <p class="muted">Loading Strongbox…</p>
    </main>
  );
}

/** Placeholder while a page's code or first data loads. */
export function PageSkeleton() {
  return (
    <div class="stack" aria-busy="true">
      <span class="visually-hidden">Loading…</span>
      <div class="skeleton" style={{ height: "32px", width: "240px" }} />
      <div class="skeleton" style={{ height: "96px" }} />
      <div class="skeleton" style={{ height: "240px" }} />
    </div>
  );
}
