import { A, useNavigate } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { ConfirmDialog } from "../components/confirm-dialog";
import { DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";
import { HelpLink } from "../components/help-link";
import { Pagination } from "../components/pagination";
import { type HistoryRow, type RecoveryStatus, recoveryApi } from "../components/recovery/recovery-api";
import { StatusBadge } from "../components/status-badge";
import { formatDateTime, formatNumber } from "../format";

const dayBound = (value: string, end: boolean) =>
  value ? new Date(`${value}T${end ? "23:59:59.999" : "00:00:00"}`).getTime() : undefined;

/**
 * Bulk Recovery > Recovery history (guide section 9): version date, recovery date, success and error
 * counts and status (Progressing, Done, Fail) of every bulk restore and undo, filtered by date range
 * and status, with View Detail and Undo this restore.
 */
export default function RecoveryHistory() {
  const navigate = useNavigate();
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  const [status, setStatus] = createSignal<RecoveryStatus | "">("");
  const [page, setPage] = createSignal(1);
  const [undoing, setUndoing] = createSignal<HistoryRow>();
  const [history] = createResource(
    () => ({
      from: dayBound(from(), false),
      to: dayBound(to(), true),
      status: status() || undefined,
      page: page(),
    }),
    (q) => recoveryApi.history(q),
  );
  const data = () => lastGood(history);
  const filter = (apply: () => void) => {
    setPage(1);
    apply();
  };

  return (
    <div class="stack-l">
      <div class="page-header" style={{ "margin-bottom": 0 }}>
        <div class="page-header__text">
          <A href="/vault/recovery" class="small">
            ‹ Bulk Recovery
          </A>
          <div class="row">
            <h2>Recovery history</h2>
            <HelpLink topic="recovery-history" />
          </div>
          <p class="muted">Every bulk restore and undo: when, to which version, and how it ended.</p>
        </div>
      </div>
      <div class="row">
        <div class="field">
          <label for="history-from">From</label>
          <input
            id="history-from"
            class="input"
            type="date"
            value={from()}
            onInput={(e) => filter(() => setFrom(e.currentTarget.value))}
          />
        </div>
        <div class="field">
          <label for="history-to">To</label>
          <input
            id="history-to"
            class="input"
            type="date"
            value={to()}
            onInput={(e) => filter(() => setTo(e.currentTarget.value))}
          />
        </div>
        <div class="field">
          <label for="history-status">Status</label>
          <select
            id="history-status"
            class="input"
            value={status()}
            onChange={(e) => filter(() => setStatus(e.currentTarget.value as RecoveryStatus | ""))}
          >
            <option value="">All</option>
            <option value="progressing">Progressing</option>
            <option value="done">Done</option>
            <option value="fail">Fail</option>
          </select>
        </div>
      </div>
      <Show when={!history.error} fallback={<p class="field-error">{errorMessage(history.error)}</p>}>
        <DataTable
          caption="Recovery history"
          loading={history.loading && !data()}
          rows={data()?.rows}
          rowKey={(r) => r.id}
          empty={
            <EmptyState title="No restores">
              <Show when={from() || to() || status()} fallback="No bulk restore has been run yet.">
                No restore matches these filters.
              </Show>
            </EmptyState>
          }
          columns={[
            {
              header: "Version date",
              cell: (r) => (
                <>
                  {formatDateTime(r.versionAt)}
                  <Show when={r.kind === "undo"}>
                    <span class="muted small"> (undo)</span>
                  </Show>
                </>
              ),
            },
            { header: "Recovery date", cell: (r) => formatDateTime(r.recoveredAt) },
            { header: "Content types", cell: (r) => <span class="small">{r.types.join(", ")}</span> },
            { header: "Success", numeric: true, cell: (r) => formatNumber(r.successCount) },
            { header: "Error", numeric: true, cell: (r) => formatNumber(r.errorCount) },
            {
              header: "Status",
              cell: (r) => (
                <>
                  <StatusBadge status={r.status} />
                  <Show when={r.cancelled}>
                    <span class="muted small"> cancelled</span>
                  </Show>
                  <Show when={r.undoneBy}>
                    <span class="muted small"> undone</span>
                  </Show>
                </>
              ),
            },
            {
              header: "Actions",
              hideHeader: true,
              cell: (r) => (
                <div class="row">
                  <Button
                    variant="link"
                    aria-label={`View Detail of the restore of ${formatDateTime(r.recoveredAt)}`}
                    onClick={() => navigate(`/vault/recovery/restores/${r.id}`)}
                  >
                    View Detail
                  </Button>
                  <Show when={r.canUndo}>
                    <Button variant="link" onClick={() => setUndoing(r)}>
                      Undo this restore
                    </Button>
                  </Show>
                </div>
              ),
            },
          ]}
          footer={
            <Show when={(data()?.total ?? 0) > (data()?.pageSize ?? 20)}>
              <Pagination
                page={page()}
                pageSize={data()?.pageSize ?? 20}
                total={data()?.total}
                onPageChange={setPage}
                label="restores"
              />
            </Show>
          }
        />
      </Show>
      <ConfirmDialog
        open={!!undoing()}
        onOpenChange={(open) => !open && setUndoing(undefined)}
        title="Undo this restore?"
        confirmLabel="Undo this restore"
        onConfirm={async () => {
          const row = undoing();
          if (!row) return;
          const r = await recoveryApi.undo(row.id);
          navigate(`/vault/recovery/restores/${r.restoreId}`);
        }}
      >
        <p>
          Every record the restore of {formatDateTime(undoing()?.recoveredAt)} changed goes back to the state
          saved just before it; records it re-created are deleted again.
        </p>
      </ConfirmDialog>
    </div>
  );
}
