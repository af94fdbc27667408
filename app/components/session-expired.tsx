import { LockIcon } from "./icons";

/**
 * Shown when the API answers 401: the session cannot be renewed from inside the app, because only the
 * control panel can sign a new load request.
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
      </div>
    </main>
  );
}
