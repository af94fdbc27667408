import { A } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";
import { DownloadLinks } from "../components/export/download-links";
import { type ExportRow, exportApi, kindLabel } from "../components/export/export-api";
import { HelpLink } from "../components/help-link";
import { StatusBadge } from "../components/status-badge";
import { formatBytes, formatDate, formatTime } from "../format";

/** Export > History (guide section 12): the Version list of past exports, filtered by Show from dates. */
export default function ExportHistory() {
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  const [exports, { refetch }] = createResource(
    () => ({ from: from(), to: to() }),
    (range) => exportApi.list(range).then((r) => r.exports),
  );
  const rangeError = () =>
    from() && to() && from() > to() ? "The start date is after the end date." : undefined;

  return (
    <div class="stack-l">
      <div class="row">
        <h2>History</h2>
        <HelpLink topic="export" />
      </div>
      <Card>
        <div class="stack">
          <fieldset class="field" style={{ border: "none", padding: 0, margin: 0 }}>
            <legend>Show from</legend>
            <div class="row">
              <input
                class="input"
                type="date"
                aria-label="Show from (start date)"
                value={from()}
                max={to() || undefined}
                onInput={(e) => setFrom(e.currentTarget.value)}
              />
              <span aria-hidden="true">–</span>
              <input
                class="input"
                type="date"
                aria-label="Show from (end date)"
                value={to()}
                min={from() || undefined}
                onInput={(e) => setTo(e.currentTarget.value)}
              />
              <Show when={from() || to()}>
                <Button
                  variant="link"
                  onClick={() => {
                    setFrom("");
                    setTo("");
                  }}
                >
                  Clear
                </Button>
              </Show>
              <Button variant="secondary" onClick={() => refetch()}>
                Refresh
              </Button>
            </div>
            <Show when={rangeError()}>
              <p class="field-error">{rangeError()}</p>
            </Show>
          </fieldset>
          <h3>Version list</h3>
          <Show when={exports.error}>
            <p class="field-error">The export history could not be loaded: {errorMessage(exports.error)}</p>
          </Show>
          <DataTable<ExportRow>
            caption="Version list"
            rows={lastGood(exports)}
            loading={exports.loading && !exports.latest}
            rowKey={(r) => r.id}
            columns={[
              { header: "Export date", cell: (r) => formatDate(r.createdAt) },
              { header: "Export time", cell: (r) => formatTime(r.createdAt) },
              { header: "Export type", cell: (r) => kindLabel[r.kind] },
              { header: "Number of exported content types", numeric: true, cell: (r) => r.typeCount },
              {
                header: "Source",
                cell: (r) =>
                  r.source === "vault"
                    ? `Latest backup${r.asOf ? `, as of ${formatDate(r.asOf)} ${formatTime(r.asOf)}` : ""}`
                    : "Your store",
              },
              {
                header: "Status",
                cell: (r) => (
                  <span title={r.error ?? undefined}>
                    <StatusBadge status={r.status} />
                  </span>
                ),
              },
              {
                header: "Size",
                numeric: true,
                cell: (r) => (r.status === "done" ? formatBytes(r.size) : "—"),
              },
              {
                header: "Download",
                cell: (r) =>
                  r.status === "done" ? (
                    <DownloadLinks links={r.links} expiresAt={r.expiresAt} compact />
                  ) : (
                    "—"
                  ),
              },
            ]}
            empty={
              <EmptyState title={from() || to() ? "No exports in this period" : "No exports yet"}>
                Start one from <A href="/export">Quick Export</A> or set up a{" "}
                <A href="/export/schedule">Schedule Export</A>.
              </EmptyState>
            }
          />
        </div>
      </Card>
    </div>
  );
}
