import { format } from "jsondiffpatch/formatters/html";
import "jsondiffpatch/formatters/styles/html.css";
import { createMemo, Show } from "solid-js";
import type { Delta } from "./record-diff";
import type { JsonRecord } from "./vault-api";

/**
 * Inspect all changes: jsondiffpatch's HTML rendering of the delta (added, removed, changed values, moved
 * array items, text diffs), unchanged fields hidden. The HTML is built by jsondiffpatch from the delta and
 * escapes record values, so it is safe to insert.
 */
export function DiffView(props: { left: JsonRecord | null; delta: Delta }) {
  const html = createMemo(() => (props.delta ? (format(props.delta, props.left ?? {}) ?? "") : ""));
  return (
    <Show
      when={props.delta}
      fallback={<p class="muted">The current version and the selected version are identical.</p>}
    >
      <div class="diff-view jsondiffpatch-unchanged-hidden" innerHTML={html()} />
    </Show>
  );
}
