import { A } from "@solidjs/router";
import { createResource, Show } from "solid-js";
import { vaultApi } from "../api";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";
import { StatusBadge } from "../components/status-badge";
import { SummaryCard } from "../components/summary-card";
import { formatBytes, formatDateTime, formatNumber } from "../format";
import { useSession } from "../session";

/**
 * Discovery, the home page: protection status at a glance and the next step. Recent activity and
 * recent changes are filled in by the Discovery work.
 */
export default function Discovery() {
  const session = useSession();
  const [summary] = createResource(vaultApi.summary);
  const hasBackup = () => !!summary.latest?.lastBackup;
  return (
    <div class="stack-l">
      <PageHeader
        title="Discovery"
        description={`How well ${session.store.name || "your store"} is protected, at a glance.`}
      />

      <Show when={summary.state === "ready" && !hasBackup() && !summary.latest?.runningJob}>
        <div class="message" role="note">
          <span>
            <strong>Next step:</strong> make your first backup. Open <A href="/vault">Backup Vault</A> and
            click Backup all data.
          </span>
        </div>
      </Show>
      <Show when={summary.latest?.runningJob}>
        <div class="message" role="status">
          <span>
            A backup is running. <A href="/vault">Follow its progress in Backup Vault</A>.
          </span>
        </div>
      </Show>

      <section aria-labelledby="protection-status" class="stack">
        <h2 id="protection-status">Protection status</h2>
        <div class="summary-grid">
          <SummaryCard
            label="Last backup"
            value={
              summary.latest?.lastBackup
                ? formatDateTime(summary.latest.lastBackup.finishedAt ?? summary.latest.lastBackup.startedAt)
                : "Never"
            }
            hint={
              <Show when={summary.latest?.lastBackup} fallback="No backup yet">
                {(last) => <StatusBadge status={last().status} />}
              </Show>
            }
          />
          <SummaryCard
            label="Next scheduled backup"
            value={
              summary.latest?.nextBackupAt ? formatDateTime(summary.latest.nextBackupAt) : "Not scheduled"
            }
          />
          <SummaryCard label="Automatic sync" value={summary.latest?.autoSync ? "On" : "Off"} />
          <SummaryCard
            label="Items"
            value={formatNumber(summary.latest?.items ?? 0)}
            hint={`${formatBytes(summary.latest?.bytes ?? 0)} stored`}
          />
        </div>
        <Show when={summary.error}>
          <p class="muted small">The protection status is not available right now.</p>
        </Show>
      </section>

      <Card title="Recent activity">
        <EmptyState title="No activity yet">
          Backups, restores and exports appear here with their status. Start with a backup in{" "}
          <A href="/vault">Backup Vault</A>.
        </EmptyState>
      </Card>
      <Card title="What changed recently">
        <EmptyState title="No changes recorded yet">
          After two backups, the number of changed records per content type is shown here.
        </EmptyState>
      </Card>
    </div>
  );
}
