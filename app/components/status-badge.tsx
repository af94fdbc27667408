type Tone = "info" | "success" | "danger" | "warning" | "neutral";

/** Merchant-facing wording of job and backup states; the guide's Recovery History uses Progressing/Done/Fail. */
const statuses: Record<string, { label: string; tone: Tone }> = {
  queued: { label: "Queued", tone: "neutral" },
  pending: { label: "Queued", tone: "neutral" },
  running: { label: "Progressing", tone: "info" },
  progressing: { label: "Progressing", tone: "info" },
  done: { label: "Done", tone: "success" },
  succeeded: { label: "Done", tone: "success" },
  partial: { label: "Done with errors", tone: "warning" },
  failed: { label: "Fail", tone: "danger" },
  fail: { label: "Fail", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
  deleted: { label: "Deleted", tone: "danger" },
  team_assisted: { label: "Team assisted", tone: "warning" },
};

type StatusBadgeProps = {
  /** A status code such as "running", "done", "failed", "partial", "cancelled". */
  status: string;
  /** Overrides the label derived from the status. */
  label?: string;
  tone?: Tone;
};

/** A coloured pill naming a state in the merchant's words (Progressing, Done, Fail, ...). */
export function StatusBadge(props: StatusBadgeProps) {
  const known = () => statuses[props.status.toLowerCase()];
  return (
    <span class={`badge badge--${props.tone ?? known()?.tone ?? "neutral"}`} data-status={props.status}>
      {props.label ?? known()?.label ?? props.status}
    </span>
  );
}
