import { For } from "solid-js";
import { Card } from "../components/card";
import { PageHeader } from "../components/page-header";
import { StatusBadge } from "../components/status-badge";
import { planName, useSession } from "../session";

/**
 * Pricing: the plans side by side and the store's current plan. The plan table here is a placeholder
 * until the Pricing work serves the configured plans from the API.
 */
const plans = [
  { plan: "free", summary: "Products, categories and brands. 30-day retention." },
  {
    plan: "standard",
    summary: "All content types, daily backup, weekly and monthly exports. 365-day retention.",
  },
  { plan: "pro", summary: "Standard plus automatic sync, point-in-time restore and longer retention." },
] as const;

export default function Pricing() {
  const session = useSession();
  return (
    <div class="stack-l">
      <PageHeader title="Pricing" description="Your plan and what each plan includes." />
      <Card title="Your plan">
        <p>
          {session.store.name || "Your store"} is on the <strong>{planName(session.store.plan)}</strong> plan.
        </p>
      </Card>
      <div class="summary-grid">
        <For each={plans}>
          {(p) => (
            <Card
              title={planName(p.plan)}
              level={3}
              actions={
                session.store.plan === p.plan ? (
                  <StatusBadge status="current" label="Current plan" tone="success" />
                ) : undefined
              }
            >
              <p class="muted">{p.summary}</p>
            </Card>
          )}
        </For>
      </div>
      <p class="muted small">Billing is not handled inside Strongbox.</p>
    </div>
  );
}
