import { type JSX, Show, splitProps } from "solid-js";

type ButtonProps = {
  variant?: "primary" | "secondary" | "danger" | "link";
  /**
   * Why the button is disabled. Shown as its tooltip and, with `showReason`, as visible text beside it,
   * so a merchant is never left with a dead button and no explanation.
   */
  disabledReason?: string | false | null;
  showReason?: boolean;
  children: JSX.Element;
} & JSX.ButtonHTMLAttributes<HTMLButtonElement>;

let nextId = 0;

export function Button(props: ButtonProps) {
  const [local, rest] = splitProps(props, [
    "variant",
    "disabledReason",
    "showReason",
    "class",
    "children",
    "type",
  ]);
  const reasonId = `btn-reason-${++nextId}`;
  const reason = () => (rest.disabled && local.disabledReason ? local.disabledReason : undefined);
  const button = () => (
    <button
      {...rest}
      type={local.type ?? "button"}
      class={`btn btn--${local.variant ?? "primary"}${local.class ? ` ${local.class}` : ""}`}
      title={reason() ?? rest.title}
      aria-describedby={reason() && local.showReason ? reasonId : rest["aria-describedby"]}
    >
      {local.children}
    </button>
  );
  return (
    <Show when={local.showReason && reason()} fallback={button()}>
      <span class="btn-with-reason">
        {button()}
        <span id={reasonId} class="btn-reason">
          {reason()}
        </span>
      </span>
    </Show>
  );
}
