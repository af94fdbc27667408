import { type JSX, Show } from "solid-js";
import { ArchiveIcon } from "./icons";

type EmptyStateProps = {
  title: string;
  /** What to do next, in one or two sentences. */
  children?: JSX.Element;
  /** The next step, e.g. a Button or a link. */
  action?: JSX.Element;
  icon?: JSX.Element;
};

/** Shown where a list or page has nothing yet; always says what to do next. */
export function EmptyState(props: EmptyStateProps) {
  return (
    <div class="empty-state">
      {props.icon ?? <ArchiveIcon size={40} />}
      <h3>{props.title}</h3>
      <Show when={props.children}>
        <p>{props.children}</p>
      </Show>
      <Show when={props.action}>
        <div class="empty-state__action">{props.action}</div>
      </Show>
    </div>
  );
}
