import { Show } from "solid-js";
import { formatNumber, percent } from "../format";

type ProgressBarProps = {
  /** Visible label and accessible name, e.g. "Products" or "Overall". */
  label: string;
  done: number;
  /** Unknown totals show an empty bar with "counting…" instead of a made-up percentage. */
  total: number | null | undefined;
  /** Extra text at the right, e.g. "about 5 minutes left". */
  detail?: string;
  state?: "running" | "done" | "failed";
};

/** A labelled progress bar (role "progressbar" with aria-valuenow in percent). */
export function ProgressBar(props: ProgressBarProps) {
  const value = () => (props.state === "done" ? 100 : percent(props.done, props.total));
  const known = () => props.state === "done" || (props.total != null && props.total > 0);
  return (
    <div class={`progress${props.state && props.state !== "running" ? ` progress--${props.state}` : ""}`}>
      <div class="progress__label">
        <span>{props.label}</span>
        <span class="muted">
          <Show when={props.total != null} fallback="counting…">
            {formatNumber(props.done)} / {formatNumber(props.total)} ({value()}%)
          </Show>
          <Show when={props.detail}> · {props.detail}</Show>
        </span>
      </div>
      <div
        class="progress__track"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known() ? value() : undefined}
        aria-valuetext={known() ? `${value()}%` : "counting"}
      >
        <div class="progress__fill" style={{ width: `${value()}%` }} />
      </div>
    </div>
  );
}
