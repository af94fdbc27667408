import { A } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createPolling, errorMessage } from "../api";
import { type DiscoveryView, plansApi } from "../api-plans";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { HelpLink } from "../components/help-link";
import { PageHeader } from "../components/page-header";
import { StatusBadge } from "../components/status-badge";
import { SummaryCard } from "../components/summary-card";
import { formatBytes, formatDateTime, formatDuration, formatNumber } from "../format";
import { useSession } from "../session";

const kindLabels = { backup: "Backup", restore: "Restore", export: "Export" } as const;

/** Counts per content type as horizontal bars: a small inline SVG, with the numbers as text too. */
function ChangesChart(props: { types: DiscoveryView["changes"]["types"]; days: number }) {
  const rows = () => props.types.slice(0, 8);
  const max = () => Math.max(1, ...rows().map((r) => r.count));
  const rowHeight = 26;
  const labelWidth = 150;
  const barWidth = 260;
  const summary = () =>
    rows()
      .map((r) => `${r.label}: ${r.count}`)
      .join(", ");
  return (
    <svg
      role="img"
      aria-label={`Changed records per content type over the last ${props.days} days: ${summary()}`}
      width="100%"
      viewBox={`0 0 ${labelWidth + barWidth + 70} ${rows().length * rowHeight}`}
      style={{ "max-width": "560px", display: "block" }}
      data-testid="changes-chart"
    >
      <For each={rows()}>
        {(row, i) => (
          <g transform={`translate(0 ${i() * rowHeight})`}>
            <text
              x={labelWidth - 8}
              y={rowHeight / 2 + 4}
              text-anchor="end"
              font-size="12"
              fill="var(--color-text)"
            >
              {row.label}
            </text>
            <rect
              x={labelWidth}
              y={5}
              height={rowHeight - 10}
              width={Math.max(2, (row.count / max()) * barWidth)}
              rx={2}
              fill="var(--color-primary)"
            />
            <text
              x={labelWidth + Math.max(2, (row.count / max()) * barWidth) + 6}
              y={rowHeight / 2 + 4}
              font-size="12"
              fill="var(--color-text-secondary)"
            >
              {formatNumber(row.count)}
            </text>
          </g>
        )}
      </For>
    </svg>
  );
}

/** Discovery, the home page: protection status, storage, recent activity, recent changes and the next step. */
export default function Discovery() {
  const session = useSession();
  const [hasLoaded, setHasLoaded] = createSignal(false);
  const [running, setRunning] = createSignal(false);
  // Poll while a job runs (progress moves) and until the first answer; otherwise the page stays still.
  let firstBackupAsked = false;
  const poll = createPolling(
    async () => {
      let view = await plansApi.discovery();
      // A new install opens on its first backup: start it on the first visit, then show its progress.
      if (view.nextStep.kind === "start_first_backup" && !firstBackupAsked) {
        firstBackupAsked = true;
        if ((await plansApi.startFirstBackup()).started) view = await plansApi.discovery();
      }
      setHasLoaded(true);
      setRunning(!!view.runningJob);
      return view;
    },
    3000,
    () => !hasLoaded() || running(),
  );
  const view = poll.value;
  const job = () => view()?.runningJob ?? null;
  const protection = () => view()?.protection;

  return (
    <div class="stack-l">
      <PageHeader
        title="Discovery"
        description={
          <>
            How well {session.store.name || "your store"} is protected, at a glance.
            <HelpLink topic="discovery" />
          </>
        }
      />

      <Show when={poll.error() && !view()}>
        <div class="message message--danger" role="alert">
          <span>Discovery could not load: {errorMessage(poll.error())}</span>
        </div>
      </Show>

      <Show when={view()}>
        {(v) => (
          <>
            <section
              class={`message${v().nextStep.kind.includes("failed") ? " message--danger" : v().nextStep.kind === "all_set" ? " message--success" : ""}`}
              aria-labelledby="next-step"
              data-testid="next-step"
              style={{ "flex-direction": "column" }}
            >
              <h2 id="next-step" class="visually-hidden">
                Next step
              </h2>
              <span>
                <strong>{v().nextStep.kind === "all_set" ? "All set: " : "Next step: "}</strong>
                {v().nextStep.message}{" "}
                <Show when={v().nextStep.href}>
                  <A href={v().nextStep.href!}>{v().nextStep.linkLabel}</A>
                </Show>
              </span>
              <Show when={job()}>
                {(j) => (
                  <div class="progress">
                    <div class="progress__label">
                      <span>{j().kind === "backup" ? "Backup progress" : `Running ${j().kind}`}</span>
                      <span class="muted">
                        {j().percent === null ? "starting…" : `${j().percent}%`}
                        <Show when={j().etaMs !== null}> · {formatDuration(j().etaMs)} left</Show>
                      </span>
                    </div>
                    <div
                      class="progress__track"
                      role="progressbar"
                      aria-label={j().kind === "backup" ? "Backup progress" : `Running ${j().kind}`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={j().percent ?? undefined}
                      aria-valuetext={j().percent === null ? "starting" : `${j().percent}%`}
                    >
                      <div class="progress__fill" style={{ width: `${j().percent ?? 0}%` }} />
                    </div>
                  </div>
                )}
              </Show>
            </section>

            <section aria-labelledby="protection-status" class="stack">
              <h2 id="protection-status">Protection status</h2>
              <div class="summary-grid">
                <SummaryCard
                  label="Last backup"
                  value={
                    protection()?.lastBackup
                      ? formatDateTime(
                          protection()!.lastBackup!.finishedAt ?? protection()!.lastBackup!.startedAt,
                        )
                      : "Never"
                  }
                  hint={
                    <Show when={protection()?.lastBackup} fallback="No backup yet">
                      {(last) => (
                        <>
                          <StatusBadge status={last().status} />
                          <Show when={last().error}>
                            <span class="small"> {last().error}</span>
                          </Show>
                        </>
                      )}
                    </Show>
                  }
                />
                <SummaryCard
                  label="Next scheduled backup"
                  value={
                    protection()?.nextBackupAt ? formatDateTime(protection()!.nextBackupAt) : "Not scheduled"
                  }
                  hint={
                    protection()?.nextBackupAt ? (
                      <A href="/settings">Change the time</A>
                    ) : v().plan.key === "free" ? (
                      <A href="/pricing">Scheduled backups start on Standard</A>
                    ) : undefined
                  }
                />
                <SummaryCard
                  label="Automatic sync"
                  value={protection()?.autoSync ? "On" : "Off"}
                  hint={
                    <Show
                      when={protection()?.lastSyncChange}
                      fallback={
                        protection()?.autoSync ? "No change captured yet" : <A href="/settings">Settings</A>
                      }
                    >
                      {(c) => (
                        <span>
                          Last change: {c().label} “{c().displayName}”, {formatDateTime(c().capturedAt)}
                        </span>
                      )}
                    </Show>
                  }
                />
              </div>
            </section>

            <Card title="Items and storage" actions={<HelpLink topic="item-storage" />}>
              <div class="summary-grid">
                <For each={v().groups}>
                  {(g) => (
                    <SummaryCard
                      label={g.label}
                      value={`${formatNumber(g.items)} items`}
                      hint={`${formatBytes(g.bytes)} stored · ${g.types.filter((t) => t.items > 0).length} content types with data`}
                    />
                  )}
                </For>
              </div>
              <p class="small">
                <A href="/vault">See every content type in Backup Vault</A>
              </p>
            </Card>

            <Card title="Recent activity">
              <Show
                when={v().activity.length > 0}
                fallback={
                  <EmptyState title="No activity yet">
                    Backups, restores and exports appear here with their status.
                  </EmptyState>
                }
              >
                <div class="table-wrap">
                  <table class="table" aria-label="Recent activity">
                    <thead>
                      <tr>
                        <th scope="col">Activity</th>
                        <th scope="col">Started</th>
                        <th scope="col">Status</th>
                        <th scope="col">Details</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={v().activity}>
                        {(a) => (
                          <tr>
                            <td>
                              <span class="muted small">{kindLabels[a.kind]} · </span>
                              <A href={a.href}>{a.title}</A>
                            </td>
                            <td>{formatDateTime(a.at)}</td>
                            <td>
                              <StatusBadge status={a.status} />
                            </td>
                            <td class="small">{a.detail ?? ""}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            </Card>

            <Card
              title="What changed recently"
              description={`Records changed per content type over the last ${v().changes.days} days.`}
            >
              <Show
                when={v().changes.types.length > 0}
                fallback={
                  <EmptyState title="No changes recorded yet">
                    Changes captured by backups after the first one, or by automatic sync, are counted here.
                  </EmptyState>
                }
              >
                <ChangesChart types={v().changes.types} days={v().changes.days} />
              </Show>
            </Card>
          </>
        )}
      </Show>
    </div>
  );
}
