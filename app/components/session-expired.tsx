import { Show } from "solid-js";
import { LockIcon } from "./icons";

/** True inside the control panel's iframe (reading `top` across origins can throw: that also means framed). */
function isFramed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

/**
 * Shown when the API answers 401. Inside the control panel only the control panel can sign a new load
 * request; opened on its own, the app can also be signed into with an email link (`/signin`).
 */
export function SessionExpired() {
  return (
    <main class="full-page">
      <div class="card" role="alert">
        <LockIcon size={40} />
        <h1>Your session has expired</h1>
        <p>Session expired – reopen Strongbox from your BigCommerce control panel.</p>
        <p class="muted small">
          In the control panel, go to Apps › My Apps and open Strongbox. Your backups are not affected.
        </p>
        <Show when={!isFramed()}>
          <p>
            Not using the control panel? <a href="/signin">Sign in with your email</a>.
          </p>
        </Show>
      </div>
    </main>
  );
}
