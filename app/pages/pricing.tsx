import { createResource, createSignal, For, Show } from "solid-js";
import type { Plan } from "../api";
import { type PlansResponse, type PlanView, plansApi } from "../api-plans";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ConfirmDialog } from "../components/confirm-dialog";
import { EmptyState } from "../components/empty-state";
import { HelpLink } from "../components/help-link";
import { PageHeader } from "../components/page-header";
import { StatusBadge } from "../components/status-badge";
import { notifySuccess } from "../components/toast";
import { formatDateTime } from "../format";
import { planName, useSession } from "../session";

const retention = (days: number) =>
  days % 365 === 0 ? `${days / 365} year${days === 365 ? "" : "s"}` : `${days} days`;

/** What a change does, said before the merchant confirms it. */
function changeEffects(from: PlanView, to: PlanView): string[] {
  const out: string[] = [];
  const lost = from.features.filter((f) => f.included && !to.features.find((g) => g.key === f.key)?.included);
  const gained = to.features.filter(
    (f) => f.included && !from.features.find((g) => g.key === f.key)?.included,
  );
  if (gained.length) out.push(`Adds ${gained.map((f) => f.label.toLowerCase()).join(", ")}.`);
  if (lost.length) out.push(`Turns off ${lost.map((f) => f.label.toLowerCase()).join(", ")}.`);
  if (!to.allTypes && from.allTypes) {
    out.push(
      `Only ${to.types.map((t) => t.label).join(", ")} are backed up from now on; versions already stored are kept until retention removes them.`,
    );
  }
  if (to.allTypes && !from.allTypes) out.push("Every content type is backed up from the next backup.");
  if (to.retentionDays < from.retentionDays)
    out.push(`Versions older than ${retention(to.retentionDays)} are removed.`);
  if (to.retentionDays > from.retentionDays)
    out.push(`Versions can be kept for up to ${retention(to.retentionDays)}.`);
  return out;
}

/** Pricing: the plans side by side, the store's plan, changing plan and the history of changes. */
export default function Pricing() {
  const session = useSession();
  const [data, { mutate }] = createResource(plansApi.plans);
  const [target, setTarget] = createSignal<PlanView | null>(null);
  const current = () => data()?.plans.find((p) => p.key === data()?.current);
  const isOwner = session.user.role === "owner";

  const change = async (plan: Plan) => {
    const next: PlansResponse = await plansApi.changePlan(plan);
    mutate(next);
    // Pages opened after this read the new plan from the session.
    session.store.plan = next.current;
    notifySuccess(`Your store is now on the ${planName(next.current)} plan`);
  };

  return (
    <div class="stack-l">
      <PageHeader
        title="Pricing"
        description={
          <>
            What each plan includes, and your store's plan.
            <HelpLink topic="pricing" />
          </>
        }
      />
      <div class="message" role="note">
        <span>
          Billing is handled by BigCommerce's app marketplace and is out of scope here: changing plan in
          Strongbox changes what the app does for your store and records who changed it, but does not charge
          or refund anything.
        </span>
      </div>

      <Show when={data.error}>
        <div class="message message--danger" role="alert">
          <span>The plans could not load. Reload the page to try again.</span>
        </div>
      </Show>

      <Show when={data()}>
        {(d) => (
          <>
            <ul
              aria-label="Plans"
              style={{
                display: "grid",
                "grid-template-columns": "repeat(auto-fit, minmax(240px, 1fr))",
                gap: "var(--space-m)",
                "list-style": "none",
                padding: 0,
                margin: 0,
              }}
            >
              <For each={d().plans}>
                {(plan) => {
                  const isCurrent = () => plan.key === d().current;
                  return (
                    <li>
                      <Card
                        title={plan.name}
                        level={2}
                        data-plan={plan.key}
                        aria-current={isCurrent() ? "true" : undefined}
                        style={{
                          height: "100%",
                          outline: isCurrent() ? "2px solid var(--color-primary)" : undefined,
                        }}
                        actions={
                          isCurrent() ? (
                            <StatusBadge status="current" label="Current plan" tone="success" />
                          ) : undefined
                        }
                      >
                        <div class="stack">
                          <p class="muted">{plan.tagline}</p>
                          <p>
                            <strong>{plan.price}</strong>
                          </p>
                          <ul class="small">
                            <li>
                              {plan.allTypes
                                ? "Every content type"
                                : `${plan.types.map((t) => t.label).join(", ")} only`}
                            </li>
                            <li>Versions kept up to {retention(plan.retentionDays)}</li>
                            <For each={plan.features}>
                              {(f) => (
                                <li style={{ color: f.included ? undefined : "var(--color-text-disabled)" }}>
                                  {f.included ? "✓ " : "✕ "}
                                  {f.label}
                                  <span class="visually-hidden">
                                    {f.included ? " (included)" : " (not included)"}
                                  </span>
                                </li>
                              )}
                            </For>
                          </ul>
                          <Show when={!isCurrent()}>
                            <Button
                              variant="secondary"
                              disabled={!isOwner}
                              disabledReason="Only the store owner can change the plan."
                              onClick={() => setTarget(plan)}
                            >
                              Switch to {plan.name}
                            </Button>
                          </Show>
                        </div>
                      </Card>
                    </li>
                  );
                }}
              </For>
            </ul>

            <Card title="Plan changes">
              <Show
                when={d().changes.length > 0}
                fallback={
                  <EmptyState title="No plan changes yet">
                    Your store started on the {planName(d().current)} plan.
                  </EmptyState>
                }
              >
                <div class="table-wrap">
                  <table class="table" aria-label="Plan changes">
                    <thead>
                      <tr>
                        <th scope="col">When</th>
                        <th scope="col">Change</th>
                        <th scope="col">By</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={d().changes}>
                        {(c) => (
                          <tr>
                            <td>{formatDateTime(c.changedAt)}</td>
                            <td>
                              {planName(c.fromPlan)} → {planName(c.toPlan)}
                            </td>
                            <td>{c.userEmail}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            </Card>
          </>
        )}
      </Show>

      <ConfirmDialog
        open={target() !== null}
        onOpenChange={(open) => !open && setTarget(null)}
        title={`Switch to the ${target()?.name ?? ""} plan?`}
        confirmLabel={`Switch to ${target()?.name ?? ""}`}
        onConfirm={() => change(target()!.key)}
      >
        <Show when={target() && current()}>
          <ul>
            <For each={changeEffects(current()!, target()!)}>{(line) => <li>{line}</li>}</For>
          </ul>
          <p class="small muted">
            Billing is handled by BigCommerce's app marketplace; nothing is charged here.
          </p>
        </Show>
      </ConfirmDialog>
    </div>
  );
}
