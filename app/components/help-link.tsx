import { A } from "@solidjs/router";
import { type HelpTopic, helpPageFor } from "../help/topics";

/**
 * The "?" beside a screen's heading: opens the Knowledge Base page that explains the screen.
 * Drop it in anywhere: `<HelpLink topic="restore" />` (topics are listed in app/help/topics.ts).
 */
export function HelpLink(props: { topic: HelpTopic; label?: string }) {
  const page = () => helpPageFor(props.topic);
  return (
    <A
      href={`/help/${page().slug}`}
      class="help-link"
      title={`Help: ${page().title}`}
      aria-label={`Help: ${page().title}`}
      style={{
        display: "inline-flex",
        "align-items": "center",
        "justify-content": "center",
        width: "22px",
        height: "22px",
        "border-radius": "50%",
        border: "1px solid var(--color-border-strong)",
        color: "var(--color-primary)",
        "font-size": "0.8125rem",
        "font-weight": 600,
        "text-decoration": "none",
        "vertical-align": "middle",
        "margin-left": "var(--space-s)",
      }}
    >
      {props.label ?? "?"}
    </A>
  );
}
