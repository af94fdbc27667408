import { A } from "@solidjs/router";
import {
  createEffect,
  createMemo,
  createResource,
  createSignal,
  For,
  Match,
  on,
  Show,
  Switch,
} from "solid-js";
import { ApiError, createPolling, type Job, jobOverall, lastGood, type VaultTypeRow, vaultApi } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ConfirmDialog } from "../components/confirm-dialog";
import { contentGroups } from "../components/content-type-picker";
import { type Column, DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";
import { HelpLink } from "../components/help-link";
import { ProgressBar } from "../components/progress-bar";
import { StatusBadge } from "../components/status-badge";
import { StorageChart } from "../components/storage-chart";
import { SummaryCard } from "../components/summary-card";
import { notifyError, notifySuccess } from "../components/toast";
import { ImageFilesStorage } from "../components/vault/image-storage";
import { formatBytes, formatDateTime, formatDuration, formatNumber } from "../format";
import { useSession } from "../session";

/** Progress refreshes quickly while a job runs; otherwise the page only checks now and then for one. */
const POLL_MS = 1500;
const IDLE_POLL_MS = 15_000;
const isActive = (job: Job | null | undefined) => job?.status === "running";

const jobNames: Record<string, string> = {
  backup: "A backup",
  restore: "A restore",
  bulk_restore: "A bulk restore",
  export: "An export",
};

/** Backup Vault > Backup vault: summary, Backup all data with live progress, Item Storage, storage chart. */
export default function BackupVault() {
  const session = useSession();
  const [summary, { refetch: refetchSummary }] = createResource(vaultApi.summary);
  const [types, { refetch: refetchTypes }] = createResource(vaultApi.types);
  const [history, { refetch: refetchHistory }] = createResource(vaultApi.history);
  const summaryNow = () => lastGood(summary);
  const typesNow = () => lastGood(types);
  const historyNow = () => lastGood(history);
  /** The chart shows finished backups only: a running one has no final figures yet. */
  const finishedHistory = createMemo(() => (historyNow() ?? []).filter((p) => p.finishedAt != null));
  const [confirming, setConfirming] = createSignal(false);
  /** Set when this page started a job or saw one running, so the page polls its progress. */
  const [watching, setWatching] = createSignal(false);

  const polling = createPolling(vaultApi.currentJob, () => (watching() ? POLL_MS : IDLE_POLL_MS));
  /** Whether this page started the job it watches (so a very quick backup still reports its result). */
  let startedHere = false;

  createEffect(
    on(
      () => summary.state === "ready" && summary()?.runningJob,
      (running) => {
        if (running && isActive(running) && !watching()) {
          setWatching(true);
          polling.refresh();
        }
      },
    ),
  );
  /** True from a successful "Backup all data" until the first poll reports the job. */
  const [starting, setStarting] = createSignal(false);
  const job = createMemo<Job | null>(() => {
    if (!watching()) return null;
    const polled = polling.value();
    return polled !== undefined ? polled : (summaryNow()?.runningJob ?? null);
  });

  // When the watched job ends: refresh the figures it changed and say how it went.
  createEffect(
    on(polling.value, (current, previous) => {
      if (current !== undefined) setStarting(false);
      if (current === undefined) return;
      // A job started elsewhere (the daily schedule, another window): follow it.
      if (!watching() && isActive(current)) setWatching(true);
      if (!watching() || isActive(current)) return;
      void finish(current, previous ?? undefined);
    }),
  );

  const finish = async (current: Job | null, last: Job | undefined) => {
    setWatching(false);
    const kind = (current ?? last)?.kind ?? (startedHere ? "backup" : undefined);
    startedHere = false;
    const [latest] = await Promise.all([refetchSummary(), refetchTypes(), refetchHistory()]);
    if (kind !== "backup") return;
    const status = current?.status ?? latest?.lastBackup?.status;
    if (status === "failed")
      notifyError(current?.error ?? "The backup stopped before the end.", "Backup failed");
    else notifySuccess("Backup complete", "Last backup and Item Storage are up to date.");
  };

  const watch = () => {
    polling.reset();
    setWatching(true);
    polling.refresh();
  };

  /** A running backup is not the "last" one: the card shows the last finished backup meanwhile. */
  const lastBackupValue = () => {
    const s = summaryNow();
    if (summary.error || !s) return "–";
    const last = s.lastBackup;
    if (!last) return "Never";
    if (last.status === "running" || last.status === "queued") {
      return s.lastSuccessfulBackupAt ? formatDateTime(s.lastSuccessfulBackupAt) : "Never";
    }
    return formatDateTime(last.finishedAt ?? last.startedAt);
  };
  const lastBackupHint = () => {
    const last = summaryNow()?.lastBackup;
    if (summary.error) return undefined;
    if (!last) return "No backup yet";
    if (last.status === "running" || last.status === "queued")
      return <StatusBadge status="running" label="Backing up now" />;
    return <StatusBadge status={last.status} />;
  };

  const typeLabels = createMemo(() => new Map((typesNow() ?? []).map((t) => [t.type, t.label])));

  const disabledReason = () => {
    const running = job() ?? summaryNow()?.runningJob;
    if (starting()) return "The backup is starting…";
    if (isActive(running)) {
      return `${jobNames[running!.kind] ?? "Another job"} is running. You can back up again when it finishes.`;
    }
    if (summaryNow()?.autoSync) {
      return "Automatic sync is on: every change is backed up within seconds, so Backup all data is not needed.";
    }
    // A failed summary does not block: the server refuses a second job anyway (409 job_running).
    if (summary.loading && !summary.error) return "Loading…";
    return undefined;
  };

  const startBackup = async () => {
    try {
      await vaultApi.startBackup();
      startedHere = true;
      setStarting(true);
    } catch (err) {
      // Someone else (another tab, the schedule) started one first: follow it instead of failing.
      if (!(err instanceof ApiError && err.code === "job_running")) throw err;
      notifyError(err, "A backup is already running");
    }
    watch();
  };

  return (
    <div class="stack-l">
      <div class="page-header" style={{ "margin-bottom": 0 }}>
        <div class="page-header__text">
          <div class="row">
            <h2>Backup vault</h2>
            <HelpLink topic="backup" />
          </div>
          <p class="muted">Every backed-up version of your store's data, by content type.</p>
        </div>
        <div class="page-header__actions">
          <Button
            disabled={!!disabledReason()}
            disabledReason={disabledReason()}
            showReason
            onClick={() => setConfirming(true)}
          >
            Backup all data
          </Button>
        </div>
      </div>

      <Show when={summary.error}>
        <div class="message message--danger" role="alert">
          The backup summary could not be loaded: {summary.error?.message}
          <Button variant="link" onClick={() => refetchSummary()}>
            Try again
          </Button>
        </div>
      </Show>

      <div class="summary-grid" aria-busy={summary.loading ? "true" : undefined}>
        <SummaryCard label="Last backup" value={lastBackupValue()} hint={lastBackupHint()} />
        <SummaryCard
          label="Next scheduled backup"
          value={
            summary.error
              ? "–"
              : summaryNow()?.nextBackupAt
                ? formatDateTime(summaryNow()?.nextBackupAt)
                : "Not scheduled"
          }
          hint={
            summary.error ? undefined : summaryNow()?.autoSync ? (
              "Automatic sync is on"
            ) : summaryNow()?.nextBackupAt ? (
              "Daily backup"
            ) : (
              <A href="/settings">Choose a daily backup time</A>
            )
          }
        />
        <SummaryCard
          label="Items"
          value={summary.error ? "–" : formatNumber(summaryNow()?.items ?? 0)}
          hint="Records in the vault"
        />
        <SummaryCard
          label="Storage"
          value={summary.error ? "–" : formatBytes(summaryNow()?.storageBytes ?? 0)}
          hint="Compressed, deduplicated"
        />
      </div>

      <Show when={starting() && !job()}>
        <Card title="Backing up data...">
          <ProgressBar label="Overall" value={0} detail="Starting…" />
        </Card>
      </Show>
      <Show when={job()}>{(current) => <BackupProgress job={current()} labels={typeLabels()} />}</Show>

      <Show when={finishedHistory().length > 0}>
        <Card title="Storage and changes" description="Storage used and records changed, per backup">
          <StorageChart points={finishedHistory()} />
        </Card>
      </Show>

      <ItemStorage
        rows={typesNow()}
        loading={types.loading && !typesNow()}
        error={types.error}
        backingUp={!!job() || starting()}
      />

      <ConfirmDialog
        open={confirming()}
        onOpenChange={setConfirming}
        title="Backup all data"
        confirmLabel="Confirm"
        onConfirm={startBackup}
      >
        <p>
          Strongbox will back up every content type of {session.store.name || "your store"} now. Only records
          that changed since the last backup take new storage.
        </p>
        <p class="muted small" style={{ "margin-top": "8px" }}>
          Large stores can take a while: the backup leaves part of your API quota free for your other apps.
          Avoid critical store changes until it finishes.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** "Backing up data..." with an overall bar and one bar per content type. */
function BackupProgress(props: { job: Job; labels: Map<string, string> }) {
  const overall = () => jobOverall(props.job);
  const state = () =>
    props.job.status === "done" ? "done" : props.job.status === "failed" ? "failed" : "running";
  const eta = () =>
    props.job.etaMs != null && state() === "running" ? `${formatDuration(props.job.etaMs)} left` : undefined;
  const entries = () => Object.entries(props.job.progress?.types ?? {});
  // Types not reached yet are listed on one line, so the bars show what is actually moving.
  const rows = () => entries().filter(([, t]) => t.status !== "pending");
  const waiting = () => entries().filter(([, t]) => t.status === "pending");
  return (
    <Card
      title={
        props.job.kind === "backup"
          ? "Backing up data..."
          : `${jobNames[props.job.kind] ?? "A job"} is running...`
      }
    >
      <div class="stack">
        <ProgressBar
          label="Overall"
          value={overall().percent}
          detail={[`${formatNumber(overall().records)} items`, eta()].filter(Boolean).join(" · ")}
          state={state()}
        />
        <Show when={rows().length > 0}>
          <div class="progress-grid">
            <For each={rows()}>
              {([type, t]) => (
                <ProgressBar
                  label={props.labels.get(type) ?? type}
                  done={t.done}
                  total={t.total}
                  state={t.status === "done" ? "done" : "running"}
                />
              )}
            </For>
          </div>
        </Show>
        <Show when={props.job.progress?.stage === "images" && state() === "running"}>
          <p class="small">Backing up image files (product, variant, brand and category images)...</p>
        </Show>
        <Show when={waiting().length > 0}>
          <p class="muted small">
            Waiting:{" "}
            {waiting()
              .map(([type]) => props.labels.get(type) ?? type)
              .join(", ")}
          </p>
        </Show>
      </div>
    </Card>
  );
}

/** Item Storage: per content group, each type's item count and stored size, linking to its items. */
function ItemStorage(props: {
  rows: VaultTypeRow[] | undefined;
  loading: boolean;
  error: unknown;
  /** A backup is running: the empty vault is about to fill, so say so instead of asking for one. */
  backingUp: boolean;
}) {
  const columns: Column<VaultTypeRow>[] = [
    {
      header: "Content type",
      cell: (row) => (
        <span class="row">
          <A href={`/vault/types/${encodeURIComponent(row.type)}`}>{row.label}</A>
          <Show when={row.restoreMode === "team_assisted"}>
            <StatusBadge status="team_assisted" label="Team-assisted restore" />
          </Show>
        </span>
      ),
    },
    { header: "Items", numeric: true, cell: (row) => formatNumber(row.items) },
    { header: "Storage", numeric: true, cell: (row) => formatBytes(row.bytes) },
  ];
  const groups = () =>
    contentGroups
      .map((g) => ({ ...g, rows: (props.rows ?? []).filter((r) => r.group === g.group) }))
      .filter((g) => g.rows.length > 0);
  const isEmpty = () => !props.loading && !props.error && (props.rows ?? []).every((r) => r.items === 0);

  return (
    <Card
      title="Item Storage"
      description="Backed-up items and storage per content type. Open a type to find an item."
    >
      <Switch>
        <Match when={props.error}>
          <p class="field-error" role="alert">
            Item Storage could not be loaded: {(props.error as Error).message}
          </p>
        </Match>
        <Match when={props.loading}>
          <div class="skeleton" style={{ height: "160px" }} />
        </Match>
        <Match when={isEmpty() && groups().length === 0}>
          <EmptyState title="No backups yet">
            Click Backup all data to store a first version of every record. Items then appear here by content
            type.
          </EmptyState>
        </Match>
        <Match when={true}>
          <Show when={isEmpty()}>
            <p class="message" style={{ "margin-bottom": "16px" }}>
              {props.backingUp
                ? "Your first backup is running: items appear here by content type when it finishes."
                : "Nothing is stored yet. Click Backup all data to make your first backup."}
            </p>
          </Show>
          <div class="storage-groups">
            <For each={groups()}>
              {(group) => (
                <section class="storage-group" aria-labelledby={`storage-${group.group}`}>
                  <h3 id={`storage-${group.group}`}>{group.label}</h3>
                  <DataTable
                    caption={`${group.label}: items and storage per content type`}
                    columns={columns}
                    rows={group.rows}
                    rowKey={(row) => row.type}
                  />
                </section>
              )}
            </For>
            <ImageFilesStorage backingUp={props.backingUp} />
          </div>
        </Match>
      </Switch>
    </Card>
  );
}
