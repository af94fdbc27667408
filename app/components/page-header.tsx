import { createEffect, type JSX, Show } from "solid-js";

type PageHeaderProps = {
  /** The page's h1. */
  title: string;
  description?: JSX.Element;
  /** Page-level actions at the right (e.g. the primary button). */
  actions?: JSX.Element;
};

/** The top of every page: one h1, an optional sentence, and the page's main actions. */
export function PageHeader(props: PageHeaderProps) {
  createEffect(() => {
    document.title = `${props.title} · Strongbox`;
  });
  return (
    <header class="page-header">
      <div class="page-header__text">
        <h1>{props.title}</h1>
        <Show when={props.description}>
          <p class="muted">{props.description}</p>
        </Show>
      </div>
      <Show when={props.actions}>
        <div class="page-header__actions">{props.actions}</div>
      </Show>
    </header>
  );
}
