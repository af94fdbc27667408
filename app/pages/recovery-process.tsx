import { A, useNavigate, useParams } from "@solidjs/router";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { createPolling, errorMessage } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ConfirmDialog } from "../components/confirm-dialog";
import { DataTable } from "../components/data-table";
import { HelpLink } from "../components/help-link";
import { ProgressBar } from "../components/progress-bar";
import {
  changeSummary,
  type ProcessType,
  type RestoreProcess,
  recoveryApi,
} from "../components/recovery/recovery-api";
import { TypeDetail } from "../components/recovery/type-detail";
import { StatusBadge } from "../components/status-badge";
import { notifyInfo } from "../components/toast";
import { formatDateTime, formatNumber } from "../format";

const typeStatus: Record<ProcessType["status"], { status: string; label: string }> = {
  waiting: { status: "pending", label: "Waiting" },
  progressing: { status: "progressing", label: "Progressing" },
  done: { status: "done", label: "Done" },
  fail: { status: "fail", label: "Fail" },
  cancelled: { status: "cancelled", label: "Cancelled" },
};

/**
 * The restore process page (guide section 8): the banner with the restore percentage, target version
 * date and notification emails; a row per content type with Status, Successful items, Error items,
 * completed and total counts and View Detail; Cancel while it runs; Undo this restore when it is over.
 * Polls every second until the restore finishes.
 */
export default function RecoveryProcess() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [finished, setFinished] = createSignal(false);
  const poll = createPolling<RestoreProcess>(
    async () => {
      const p = await recoveryApi.process(params.id);
      setFinished(p.restore.status !== "progressing");
      return p;
    },
    1000,
    () => !finished(),
  );
  const view = () => poll.value();
  const [detail, setDetail] = createSignal<string>();
  const [cancelOpen, setCancelOpen] = createSignal(false);
  const [undoOpen, setUndoOpen] = createSignal(false);
  const changedCount = () => view()?.changed.reduce((s, c) => s + c.count, 0) ?? 0;
  const running = () => view()?.restore.status === "progressing";

  return (
    <div class="stack-l" aria-live="polite">
      <div class="row" style={{ "justify-content": "space-between" }}>
        <div>
          <A href="/vault/recovery" class="small">
            ‹ Bulk Recovery
          </A>
          <div class="row">
            <h2>{view()?.restore.kind === "undo" ? "Undo of a restore" : "Restore process"}</h2>
            <HelpLink topic="bulk-recovery" />
          </div>
        </div>
        <div class="row">
          <Show when={view()}>{(v) => <StatusBadge status={v().restore.status} />}</Show>
          <Button variant="secondary" onClick={() => navigate("/vault/recovery/history")}>
            Recovery history
          </Button>
        </div>
      </div>
      <Show when={poll.error() && !view()}>
        <p class="field-error">This restore could not be loaded: {errorMessage(poll.error())}</p>
      </Show>
      <Show when={view()} fallback={<div class="skeleton" style={{ height: "160px" }} />}>
        {(v) => (
          <>
            <div
              class={`message${v().restore.status === "fail" ? " message--danger" : v().restore.status === "done" ? " message--success" : ""}`}
              role="status"
            >
              <div class="stack">
                <ProgressBar
                  label={`Restore ${v().restore.percent}%`}
                  value={v().restore.percent}
                  detail={`${formatNumber(v().restore.completed)} of ${formatNumber(v().restore.total)} items`}
                  state={
                    v().restore.status === "progressing"
                      ? "running"
                      : v().restore.status === "done"
                        ? "done"
                        : "failed"
                  }
                />
                <div>
                  Target version: <strong>{formatDateTime(v().restore.targetAt)}</strong>
                </div>
                <div>
                  Notification emails:{" "}
                  <strong>{v().restore.emails.length > 0 ? v().restore.emails.join(", ") : "none"}</strong>
                </div>
                <Switch>
                  <Match when={v().restore.cancelRequested}>
                    <div>Cancelling: the restore stops after the current batch.</div>
                  </Match>
                  <Match when={v().restore.cancelled}>
                    <div>
                      Cancelled. {formatNumber(changedCount())} record
                      {changedCount() === 1 ? " was" : "s were"} already changed
                      <Show when={changedCount() > 0}>
                        {" "}
                        (
                        {v()
                          .changed.map(
                            (c) =>
                              `${c.label}: ${changeSummary({ update: 0, create: 0, delete: 0, [c.action]: c.count })}`,
                          )
                          .join("; ")}
                        ); undo this restore to return {changedCount() === 1 ? "it" : "them"} to the state
                        before it
                      </Show>
                      .
                    </div>
                  </Match>
                  <Match when={v().restore.status === "done"}>
                    <div>
                      Finished. Verify the restored data in BigCommerce.{" "}
                      {formatNumber(v().restore.successCount)} items restored.
                    </div>
                  </Match>
                  <Match when={v().restore.status === "fail"}>
                    <div>
                      Finished with {formatNumber(v().restore.errorCount)} error
                      {v().restore.errorCount === 1 ? "" : "s"}
                      {v().restore.error ? `: ${v().restore.error}` : ""}. Open View Detail to see
                      BigCommerce's message for each and retry them.
                    </div>
                  </Match>
                </Switch>
                <Show when={v().restore.undoneBy}>
                  {(u) => (
                    <div>
                      This restore was undone: <A href={`/vault/recovery/restores/${u()}`}>see the undo</A>.
                    </div>
                  )}
                </Show>
              </div>
            </div>
            <Card
              title="Current restore list"
              level={3}
              actions={
                <div class="row">
                  <Show when={running() && !v().restore.cancelRequested}>
                    <Button variant="danger" onClick={() => setCancelOpen(true)}>
                      Cancel
                    </Button>
                  </Show>
                  <Show when={v().restore.canUndo}>
                    <Button variant="secondary" onClick={() => setUndoOpen(true)}>
                      Undo this restore
                    </Button>
                  </Show>
                </div>
              }
            >
              <DataTable
                caption="Content types being restored"
                rows={v().types}
                rowKey={(t) => t.type}
                columns={[
                  { header: "Content type", cell: (t) => t.label },
                  {
                    header: "Status",
                    cell: (t) => (
                      <StatusBadge status={typeStatus[t.status].status} label={typeStatus[t.status].label} />
                    ),
                  },
                  { header: "Successful items", numeric: true, cell: (t) => formatNumber(t.successful) },
                  { header: "Error items", numeric: true, cell: (t) => formatNumber(t.errors) },
                  { header: "Completed", numeric: true, cell: (t) => formatNumber(t.completed) },
                  { header: "Total", numeric: true, cell: (t) => formatNumber(t.total) },
                  {
                    header: "Changes",
                    cell: (t) => <span class="small">{changeSummary(t.changed)}</span>,
                  },
                  {
                    header: "Actions",
                    hideHeader: true,
                    cell: (t) => (
                      <Button
                        variant="link"
                        aria-label={`View Detail of ${t.label}`}
                        onClick={() => setDetail(t.type)}
                      >
                        View Detail
                      </Button>
                    ),
                  },
                ]}
              />
            </Card>
            <Show when={v().types.find((t) => t.type === detail())}>
              {(row) => (
                <TypeDetail
                  restoreId={v().restore.id}
                  row={row()}
                  running={running()}
                  onClose={() => setDetail(undefined)}
                  onRetried={() => {
                    setFinished(false);
                    poll.refresh();
                  }}
                />
              )}
            </Show>
            <ConfirmDialog
              open={cancelOpen()}
              onOpenChange={setCancelOpen}
              title="Cancel this restore?"
              variant="danger"
              confirmLabel="Cancel the restore"
              cancelLabel="Keep restoring"
              onConfirm={async () => {
                const r = await recoveryApi.cancel(v().restore.id);
                notifyInfo("Cancelling the restore", r.message);
                poll.refresh();
              }}
            >
              <p>
                The restore stops after the current batch. Records already restored stay restored: a partially
                completed restore has already changed live store data ({formatNumber(changedCount())} records
                so far). You can undo it afterwards.
              </p>
            </ConfirmDialog>
            <ConfirmDialog
              open={undoOpen()}
              onOpenChange={setUndoOpen}
              title="Undo this restore?"
              confirmLabel="Undo this restore"
              onConfirm={async () => {
                const r = await recoveryApi.undo(v().restore.id);
                setFinished(false);
                navigate(`/vault/recovery/restores/${r.restoreId}`);
              }}
            >
              <p>
                Every record this restore changed goes back to the state saved just before it changed it, and
                records it re-created are deleted again:
              </p>
              <ul>
                <For each={v().changed}>
                  {(c) => (
                    <li>
                      {c.label}: {changeSummary({ update: 0, create: 0, delete: 0, [c.action]: c.count })}
                    </li>
                  )}
                </For>
              </ul>
            </ConfirmDialog>
          </>
        )}
      </Show>
    </div>
  );
}
