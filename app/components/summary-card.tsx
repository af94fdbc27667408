import { type JSX, Show } from "solid-js";

type SummaryCardProps = {
  label: string;
  value: JSX.Element;
  /** A second line under the value, e.g. the status of the last backup. */
  hint?: JSX.Element;
};

/** One figure of a page summary (label above, value below), as a description list for screen readers. */
export function SummaryCard(props: SummaryCardProps) {
  return (
    <dl class="summary-card">
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
      <Show when={props.hint}>
        <dd class="summary-card__hint">{props.hint}</dd>
      </Show>
    </dl>
  );
}
