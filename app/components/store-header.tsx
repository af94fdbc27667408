import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { planName, useSession } from "../session";

/**
 * The store the merchant is working on and its plan (linking to Pricing). When the app was opened at
 * its own address (signed in by email, not from the control panel), it says so.
 */
export function StoreHeader() {
  const session = useSession();
  return (
    <header class="store-header">
      <span class="store-header__name" data-testid="store-name">
        {session.store.name || session.store.hash}
      </span>
      <A
        href="/pricing"
        class="badge badge--info"
        aria-label={`Plan: ${planName(session.store.plan)}. View plans`}
      >
        {planName(session.store.plan)} plan
      </A>
      <Show when={session.kind === "external"}>
        <span class="badge badge--warning" role="status">
          Open outside BigCommerce
        </span>
      </Show>
      <span class="store-header__user">{session.user.email}</span>
    </header>
  );
}
