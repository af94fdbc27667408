import { A, useLocation } from "@solidjs/router";
import { For, type JSX } from "solid-js";

export type TabLink = { href: string; label: string };

type TabsProps = {
  /** Accessible name of the tab list, e.g. "Backup Vault". */
  label: string;
  tabs: TabLink[];
  children: JSX.Element;
};

const normalize = (path: string) => path.replace(/\/+$/, "") || "/";

/**
 * Tabs whose selection is the URL: each tab is a link, so tabs can be bookmarked and the back button
 * works. Keyboard follows the ARIA tabs pattern: arrows/Home/End move between tabs, Enter opens one.
 * The selected tab is the one whose href is the longest prefix of the current path.
 */
export function Tabs(props: TabsProps) {
  const location = useLocation();
  const selected = () => {
    const path = normalize(location.pathname);
    let best: TabLink | undefined;
    for (const tab of props.tabs) {
      const href = normalize(tab.href);
      if ((path === href || path.startsWith(href + "/")) && (!best || href.length > best.href.length))
        best = tab;
    }
    return best ?? props.tabs[0];
  };
  const tabId = (tab: TabLink) => `tab-${tab.href.replace(/[^a-z0-9]+/gi, "-")}`;
  const panelId = () => `tabpanel-${props.label.replace(/[^a-z0-9]+/gi, "-")}`;

  const onKeyDown = (event: KeyboardEvent) => {
    const tabs = Array.from(
      (event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]'),
    );
    const index = tabs.indexOf(document.activeElement as HTMLElement);
    if (index < 0) return;
    const target =
      event.key === "ArrowRight"
        ? tabs[(index + 1) % tabs.length]
        : event.key === "ArrowLeft"
          ? tabs[(index - 1 + tabs.length) % tabs.length]
          : event.key === "Home"
            ? tabs[0]
            : event.key === "End"
              ? tabs[tabs.length - 1]
              : undefined;
    if (target) {
      event.preventDefault();
      target.focus();
    }
  };

  return (
    <>
      <div class="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
        <For each={props.tabs}>
          {(tab) => {
            const isSelected = () => selected() === tab;
            return (
              <A
                href={tab.href}
                id={tabId(tab)}
                role="tab"
                aria-selected={isSelected() ? "true" : "false"}
                aria-controls={panelId()}
                tabIndex={isSelected() ? 0 : -1}
                activeClass=""
                inactiveClass=""
              >
                {tab.label}
              </A>
            );
          }}
        </For>
      </div>
      <div role="tabpanel" id={panelId()} aria-labelledby={tabId(selected())}>
        {props.children}
      </div>
    </>
  );
}
