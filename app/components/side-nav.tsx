import { A } from "@solidjs/router";
import { For } from "solid-js";
import { ShieldIcon } from "./icons";

/** The app's areas, in the guide's order and words; Settings sits apart at the bottom. */
const mainLinks = [
  { href: "/", label: "Discovery", end: true },
  { href: "/vault", label: "Backup Vault", end: false },
  { href: "/export", label: "Export", end: false },
  { href: "/pricing", label: "Pricing", end: false },
  { href: "/help", label: "Knowledge Base", end: false },
];

export function SideNav() {
  return (
    <nav class="side-nav" aria-label="Strongbox">
      <div class="side-nav__brand">
        <ShieldIcon size={24} />
        <span>Strongbox</span>
      </div>
      <ul>
        <For each={mainLinks}>
          {(link) => (
            <li>
              <A href={link.href} end={link.end}>
                {link.label}
              </A>
            </li>
          )}
        </For>
      </ul>
      <ul class="side-nav__footer">
        <li>
          <A href="/settings">Settings</A>
        </li>
      </ul>
    </nav>
  );
}
