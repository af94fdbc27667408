import { type JSX, Show, splitProps } from "solid-js";

type CardProps = {
  /** Heading of the card; also names the region for assistive technology. */
  title?: string;
  /** Heading level of the title (default 2). */
  level?: 2 | 3;
  description?: JSX.Element;
  /** Controls shown at the right of the heading. */
  actions?: JSX.Element;
  children?: JSX.Element;
  class?: string;
} & Omit<JSX.HTMLAttributes<HTMLElement>, "title">;

let nextId = 0;

/** A white surface with a 4px radius and a subtle shadow, optionally headed. */
export function Card(props: CardProps) {
  const [local, rest] = splitProps(props, ["title", "level", "description", "actions", "children", "class"]);
  const headingId = `card-${++nextId}`;
  return (
    <section
      {...rest}
      class={local.class ? `card ${local.class}` : "card"}
      aria-labelledby={local.title ? headingId : undefined}
    >
      <Show when={local.title || local.actions}>
        <div class="card__header">
          <div>
            <Show when={local.title}>
              {local.level === 3 ? (
                <h3 id={headingId}>{local.title}</h3>
              ) : (
                <h2 id={headingId}>{local.title}</h2>
              )}
            </Show>
            <Show when={local.description}>
              <p>{local.description}</p>
            </Show>
          </div>
          <Show when={local.actions}>
            <div class="card__actions">{local.actions}</div>
          </Show>
        </div>
      </Show>
      {local.children}
    </section>
  );
}
