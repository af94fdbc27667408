import { Match, Show, Switch } from "solid-js";
import { formatNumber, percent } from "../format";

type ProgressBarProps = {
  /** Visible label and accessible name, e.g. "Products" or "Overall". */
  label: string;
  /** Items done; shown as "done / total". */
  done?: number;
  /** Unknown totals show "counting…" and no percentage instead of a made-up one. */
  total?: number | null;
  /** The percentage, when it is not done/total (e.g. a share of API calls). */
  value?: number;
  /** Extra text at the right, e.g. "about 5 minutes left". */
  detail?: string;
  state?: "pending" | "running" | "done" | "failed";
};

/** A labelled progress bar (role "progressbar" with aria-valuenow in percent). */
export function ProgressBar(props: ProgressBarProps) {
  const value = (): number | undefined => {
    if (props.state === "done") return 100;
    if (props.value !== undefined) return Math.min(100, Math.max(0, Math.round(props.value)));
    if (props.total != null && props.total > 0) return percent(props.done ?? 0, props.total);
    if (props.state === "pending") return 0;
    return undefined;
  };
  return (
    <div
      class={`progress${props.state === "done" || props.state === "failed" ? ` progress--${props.state}` : ""}`}
    >
      <div class="progress__label">
        <span>{props.label}</span>
        <span class="muted">
          <Switch>
            <Match when={props.state === "pending"}>Waiting</Match>
            <Match when={props.done !== undefined && props.total != null}>
              {formatNumber(props.done)} / {formatNumber(props.total)}
              <Show when={value() !== undefined}> ({value()}%)</Show>
            </Match>
            <Match when={props.done !== undefined && props.state !== "done"}>
              {formatNumber(props.done)} · counting…
            </Match>
            <Match when={props.done !== undefined}>{formatNumber(props.done)}</Match>
            <Match when={value() !== undefined}>{value()}%</Match>
          </Switch>
          <Show when={props.detail}> · {props.detail}</Show>
        </span>
      </div>
      <div
        class="progress__track"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value()}
        aria-valuetext={value() !== undefined ? `${value()}%` : "counting"}
      >
        <div class="progress__fill" style={{ width: `${value() ?? 0}%` }} />
      </div>
    </div>
  );
}
