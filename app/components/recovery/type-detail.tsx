import { A } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { errorMessage, lastGood } from "../../api";
import { formatNumber } from "../../format";
import { Button } from "../button";
import { DataTable } from "../data-table";
import { Pagination } from "../pagination";
import { StatusBadge } from "../status-badge";
import { notifyError, notifySuccess } from "../toast";
import { type ProcessType, type RestoreItem, recoveryApi } from "./recovery-api";
import { RecoveryDialog } from "./recovery-dialog";

const actionLabel: Record<string, string> = {
  update: "Update",
  create: "Re-create",
  delete: "Delete",
  unchanged: "No change needed",
};

const itemStatus = (i: RestoreItem) =>
  i.status === "error"
    ? { status: "fail", label: "Error" }
    : i.status === "skipped" && /cancel/i.test(i.message ?? "")
      ? { status: "cancelled", label: "Cancelled" }
      : i.status === "pending"
        ? { status: "pending", label: "Waiting" }
        : { status: "done", label: "Done" };

/** View Detail of one content type of a restore: each item's result and, for errors, BigCommerce's message. */
export function TypeDetail(props: {
  restoreId: string;
  row: ProcessType;
  running: boolean;
  onClose: () => void;
  onRetried: () => void;
}) {
  const [page, setPage] = createSignal(1);
  const [onlyErrors, setOnlyErrors] = createSignal(false);
  const [items, { refetch }] = createResource(
    () => ({ page: page(), errors: onlyErrors(), completed: props.row.completed }),
    (k) =>
      recoveryApi.items(props.restoreId, {
        type: props.row.type,
        status: k.errors ? "error" : undefined,
        page: k.page,
      }),
  );
  const [retrying, setRetrying] = createSignal(false);
  const retry = async () => {
    setRetrying(true);
    try {
      const r = await recoveryApi.retry(props.restoreId, props.row.type);
      notifySuccess(`Retrying ${formatNumber(r.retried)} failed item${r.retried === 1 ? "" : "s"}`);
      props.onRetried();
      void refetch();
    } catch (err) {
      notifyError(err, "The failed items could not be retried");
    } finally {
      setRetrying(false);
    }
  };
  const data = () => lastGood(items);
  return (
    <RecoveryDialog
      open
      onClose={props.onClose}
      title={`${props.row.label}: restore detail`}
      actions={
        <Show when={props.row.errors > 0}>
          <Button
            disabled={props.running || retrying()}
            disabledReason={props.running ? "Wait for the restore to finish." : "Retrying…"}
            onClick={retry}
          >
            Retry failed items
          </Button>
        </Show>
      }
    >
      <p class="small">
        {formatNumber(props.row.successful)} successful, {formatNumber(props.row.errors)} with errors,{" "}
        {formatNumber(props.row.completed)} of {formatNumber(props.row.total)} completed.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={onlyErrors()}
          onChange={(e) => {
            setPage(1);
            setOnlyErrors(e.currentTarget.checked);
          }}
        />
        Only items with errors
      </label>
      <Show when={!items.error} fallback={<p class="field-error">{errorMessage(items.error)}</p>}>
        <DataTable
          caption={`${props.row.label} items`}
          loading={items.loading && !data()}
          rows={data()?.items}
          rowKey={(i) => i.recordId}
          empty={<p class="muted">No items.</p>}
          columns={[
            {
              header: "Item",
              cell: (i) => (
                <A href={`/vault/items/${props.row.type}/${encodeURIComponent(i.recordId)}`}>
                  {i.name || i.recordId}
                </A>
              ),
            },
            { header: "Action", cell: (i) => actionLabel[i.action] ?? i.action },
            {
              header: "Result",
              cell: (i) => {
                const s = itemStatus(i);
                return <StatusBadge status={s.status} label={s.label} />;
              },
            },
            {
              header: "Message",
              cell: (i) => (
                <span class={i.status === "error" ? "field-error" : "small"}>
                  {i.message ?? ""}
                  {i.newId ? ` New id: ${i.newId}.` : ""}
                </span>
              ),
            },
          ]}
          footer={
            <Show when={(data()?.total ?? 0) > (data()?.pageSize ?? 25)}>
              <Pagination
                page={page()}
                pageSize={data()?.pageSize ?? 25}
                total={data()?.total}
                onPageChange={setPage}
                label="items"
              />
            </Show>
          }
        />
      </Show>
    </RecoveryDialog>
  );
}
