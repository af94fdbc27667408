import { A, useNavigate } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import { errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";
import { HelpLink } from "../components/help-link";
import { ClockIcon } from "../components/icons";
import {
  type BackupVersion,
  recoveryApi,
  type StateType,
  type Target,
} from "../components/recovery/recovery-api";
import { RestoreSetup } from "../components/recovery/restore-setup";
import { VersionDifferences } from "../components/recovery/version-differences";
import { StatusBadge } from "../components/status-badge";
import { formatDateTime, formatNumber } from "../format";

/** Start of the day (`from`) or its end (`to`) of a date input, in the browser's time. */
const dayBound = (value: string, end: boolean) =>
  value ? new Date(`${value}T${end ? "23:59:59.999" : "00:00:00"}`).getTime() : undefined;

const kindLabel: Record<string, string> = {
  manual: "Manual backup",
  scheduled: "Scheduled backup",
  initial: "First backup",
  incremental: "Scheduled backup",
};

/**
 * Backup Vault > Bulk Recovery (guide section 7): the History panel of backup versions (and, on Pro,
 * any moment), the selected version's content types with Backed up items and Compare to the latest,
 * Version differences, and Restore to this version.
 */
export default function BulkRecovery() {
  const navigate = useNavigate();
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  const [moment, setMoment] = createSignal("");
  const [target, setTarget] = createSignal<Target>();
  const [comparing, setComparing] = createSignal<string>();
  const [restoring, setRestoring] = createSignal(false);

  const [versions, { refetch: refetchVersions }] = createResource(
    () => ({ from: dayBound(from(), false), to: dayBound(to(), true) }),
    (q) => recoveryApi.versions(q),
  );
  const [state, { refetch: refetchState }] = createResource(target, (t) => recoveryApi.state(t));

  const select = (t: Target) => {
    setRestoring(false);
    setComparing(undefined);
    setTarget(t);
  };
  const isSelected = (v: BackupVersion) => target()?.backupId === v.backupId;
  const pointInTime = () => lastGood(versions)?.pointInTime ?? false;

  return (
    <div class="stack-l">
      <div class="page-header" style={{ "margin-bottom": 0 }}>
        <div class="page-header__text">
          <div class="row">
            <h2>Bulk Recovery</h2>
            <HelpLink topic="bulk-recovery" />
          </div>
          <p class="muted">Restore many records or whole content types to the state of an earlier backup.</p>
        </div>
        <div class="page-header__actions">
          <Button variant="secondary" onClick={() => navigate("/vault/recovery/history")}>
            Recovery history
          </Button>
        </div>
      </div>
      <div style={{ display: "grid", "grid-template-columns": "minmax(260px, 1fr) 2fr", gap: "16px" }}>
        <Card title="History" level={3}>
          <div class="stack">
            <div class="row">
              <div class="field">
                <label for="recovery-from">From</label>
                <input
                  id="recovery-from"
                  class="input"
                  type="date"
                  value={from()}
                  onInput={(e) => setFrom(e.currentTarget.value)}
                />
              </div>
              <div class="field">
                <label for="recovery-to">To</label>
                <input
                  id="recovery-to"
                  class="input"
                  type="date"
                  value={to()}
                  onInput={(e) => setTo(e.currentTarget.value)}
                />
              </div>
            </div>
            <Show when={!versions.error} fallback={<p class="field-error">{errorMessage(versions.error)}</p>}>
              <Show
                when={(lastGood(versions)?.versions.length ?? 0) > 0 || versions.loading}
                fallback={
                  <EmptyState title="No backup versions" icon={<ClockIcon size={32} />}>
                    <Show
                      when={from() || to()}
                      fallback={
                        <>
                          Backup versions appear here after your first backup.{" "}
                          <A href="/vault">Run Backup all data</A> to make one.
                        </>
                      }
                    >
                      No backup finished between these dates.
                    </Show>
                  </EmptyState>
                }
              >
                <ul
                  class="stack"
                  style={{ "list-style": "none", padding: 0, margin: 0 }}
                  aria-label="Backup versions"
                >
                  <For each={lastGood(versions)?.versions}>
                    {(v) => (
                      <li>
                        <button
                          type="button"
                          class={`btn ${isSelected(v) ? "btn--primary" : "btn--secondary"}`}
                          style={{
                            width: "100%",
                            display: "flex",
                            "flex-direction": "column",
                            "align-items": "flex-start",
                            height: "auto",
                            "white-space": "normal",
                          }}
                          aria-pressed={isSelected(v)}
                          onClick={() => select({ backupId: v.backupId })}
                        >
                          <span>{formatDateTime(v.at)}</span>
                          <span class="small" style={{ "font-weight": "normal" }}>
                            {kindLabel[v.kind] ?? "Backup"}
                          </span>
                        </button>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </Show>
            <div class="field">
              <label for="recovery-moment">Point in time</label>
              <div class="row">
                <input
                  id="recovery-moment"
                  class="input"
                  type="datetime-local"
                  value={moment()}
                  disabled={!pointInTime()}
                  onInput={(e) => setMoment(e.currentTarget.value)}
                />
                <Button
                  variant="secondary"
                  disabled={!pointInTime() || !moment()}
                  disabledReason={
                    !pointInTime()
                      ? "Point-in-time restore needs the Pro plan."
                      : "Choose a date and time first."
                  }
                  onClick={() => select({ at: new Date(moment()).getTime() })}
                >
                  View
                </Button>
              </div>
              <p class="muted small">
                {pointInTime()
                  ? "Automatic sync records changes between backups: pick any moment."
                  : "Point-in-time restore (any moment, not only a backup) is part of the Pro plan."}
              </p>
            </div>
          </div>
        </Card>
        <Card title="Backup version" level={3}>
          <Show
            when={target()}
            fallback={
              <EmptyState title="Select a backup version">
                Choose a version in the History panel to see its content types, Backed up items and Compare to
                the latest.
              </EmptyState>
            }
          >
            <Show when={!state.error} fallback={<p class="field-error">{errorMessage(state.error)}</p>}>
              <Show when={lastGood(state)} fallback={<div class="skeleton" style={{ height: "160px" }} />}>
                {(s) => (
                  <div class="stack">
                    <p>
                      Version of <strong>{formatDateTime(s().at)}</strong>
                      <span class="muted"> · latest version {formatDateTime(s().latestAt)}</span>
                    </p>
                    <DataTable
                      caption="Content types in this version"
                      rows={s().types.filter((t) => t.backedUp > 0 || t.added > 0)}
                      rowKey={(t) => t.type}
                      empty={<p class="muted">This version holds no records.</p>}
                      columns={[
                        { header: "Content type", cell: (t: StateType) => t.label },
                        { header: "Backed up items", numeric: true, cell: (t) => formatNumber(t.backedUp) },
                        {
                          header: "Compare to the latest",
                          cell: (t) =>
                            t.changed ? (
                              <StatusBadge
                                status="changed"
                                tone="warning"
                                label={`${formatNumber(t.added + t.updated + t.deleted)} changed`}
                              />
                            ) : (
                              <StatusBadge status="unchanged" tone="success" label="No change" />
                            ),
                        },
                        {
                          header: "Actions",
                          hideHeader: true,
                          cell: (t) => (
                            <Show when={t.changed}>
                              <Button
                                variant="link"
                                aria-label={`Compare ${t.label}`}
                                onClick={() => setComparing(t.type)}
                              >
                                Compare
                              </Button>
                            </Show>
                          ),
                        },
                      ]}
                    />
                    <Show
                      when={restoring()}
                      fallback={
                        <div class="row" style={{ "justify-content": "flex-end" }}>
                          <Button onClick={() => setRestoring(true)}>Restore to this version</Button>
                        </div>
                      }
                    >
                      <RestoreSetup
                        state={s()}
                        target={target() as Target}
                        onCancel={() => setRestoring(false)}
                        onRefreshed={() => {
                          void refetchState();
                          void refetchVersions();
                        }}
                      />
                    </Show>
                  </div>
                )}
              </Show>
            </Show>
          </Show>
        </Card>
      </div>
      <Show when={comparing() && target()}>
        <VersionDifferences
          type={comparing() as string}
          target={target() as Target}
          onClose={() => setComparing(undefined)}
        />
      </Show>
    </div>
  );
}
