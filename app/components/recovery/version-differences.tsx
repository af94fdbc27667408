import { A } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { errorMessage, lastGood } from "../../api";
import { formatDateTime, formatNumber } from "../../format";
import { DataTable } from "../data-table";
import { Pagination } from "../pagination";
import { StatusBadge } from "../status-badge";
import { SummaryCard } from "../summary-card";
import { recoveryApi, type Target } from "./recovery-api";
import { RecoveryDialog } from "./recovery-dialog";

const changeLabel = {
  added: "Added",
  updated: "Updated",
  deleted: "Deleted",
  unchanged: "Unchanged",
} as const;
const changeTone = { added: "info", updated: "warning", deleted: "danger", unchanged: "neutral" } as const;

/**
 * Version differences (guide section 7): the selected and latest version dates, Added / Updated /
 * Deleted / Unchanged counts, and the changed records, each opening its comparison page.
 */
export function VersionDifferences(props: { type: string; target: Target; onClose: () => void }) {
  const [page, setPage] = createSignal(1);
  const [diff] = createResource(
    () => ({ page: page(), type: props.type, target: props.target }),
    (k) => recoveryApi.compare(k.type, k.target, k.page),
  );
  const d = () => lastGood(diff);
  return (
    <RecoveryDialog open onClose={props.onClose} title={`Version differences: ${d()?.label ?? props.type}`}>
      <Show when={!diff.error} fallback={<p class="field-error">{errorMessage(diff.error)}</p>}>
        <div class="row small">
          <span>
            Selected version: <strong>{d() ? formatDateTime(d()?.selectedAt ?? 0) : "…"}</strong>
          </span>
          <span>
            Latest version: <strong>{d()?.latestAt ? formatDateTime(d()?.latestAt ?? 0) : "…"}</strong>
          </span>
        </div>
        <div class="summary-grid">
          <SummaryCard label="Added" value={formatNumber(d()?.added)} />
          <SummaryCard label="Updated" value={formatNumber(d()?.updated)} />
          <SummaryCard label="Deleted" value={formatNumber(d()?.deleted)} />
          <SummaryCard label="Unchanged" value={formatNumber(d()?.unchanged)} />
        </div>
        <DataTable
          caption="Changed items"
          showCaption
          loading={diff.loading && !d()}
          rows={d()?.items}
          rowKey={(r) => r.recordId}
          empty={<p class="muted">No item changed between this version and the latest.</p>}
          columns={[
            {
              header: "Item",
              cell: (r) => (
                <A href={`/vault/items/${props.type}/${encodeURIComponent(r.recordId)}`}>
                  {r.name || r.recordId}
                </A>
              ),
            },
            { header: "ID", cell: (r) => r.recordId },
            {
              header: "Change",
              cell: (r) => (
                <StatusBadge status={r.change} label={changeLabel[r.change]} tone={changeTone[r.change]} />
              ),
            },
          ]}
          footer={
            <Show when={(d()?.total ?? 0) > (d()?.pageSize ?? 20)}>
              <Pagination
                page={page()}
                pageSize={d()?.pageSize ?? 20}
                total={d()?.total}
                onPageChange={setPage}
                label="changed items"
              />
            </Show>
          }
        />
      </Show>
    </RecoveryDialog>
  );
}
