import { For, Show } from "solid-js";
import { formatBytes, formatDateTime } from "../../format";
import type { ExportLink } from "./export-api";

/** The ZIP links of an export, or why there are none (expired after one week). */
export function DownloadLinks(props: { links: ExportLink[]; expiresAt: number | null; compact?: boolean }) {
  const expired = () => props.expiresAt !== null && props.expiresAt <= Date.now();
  return (
    <Show
      when={props.links.length > 0}
      fallback={<span class="muted small">{expired() ? "Links expired" : "—"}</span>}
    >
      <ul class="download-links" style={{ margin: 0, padding: 0, "list-style": "none" }}>
        <For each={props.links}>
          {(link) => (
            <li>
              <a href={link.url} download={link.name} rel="noopener">
                {props.compact
                  ? link.name.replace(/^.*?(-part-\d+)?\.zip$/, (_m, part) => `Download${part ?? ""}`)
                  : link.name}
              </a>{" "}
              <span class="muted small">({formatBytes(link.size)})</span>
            </li>
          )}
        </For>
      </ul>
      <Show when={!props.compact && props.expiresAt}>
        <p class="muted small">Links work until {formatDateTime(props.expiresAt as number)}.</p>
      </Show>
    </Show>
  );
}
