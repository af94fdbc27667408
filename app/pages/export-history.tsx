import { A } from "@solidjs/router";
import { createSignal } from "solid-js";
import { Card } from "../components/card";
import { DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";

type ExportRow = { id: string; at: number; kind: "manual" | "weekly" | "monthly"; types: number };

/** Export > History (guide section 12): the Version list of past exports, filtered by Show from dates. */
export default function ExportHistory() {
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  return (
    <div class="stack-l">
      <h2>History</h2>
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
                onInput={(e) => setFrom(e.currentTarget.value)}
              />
              <span class="muted">to</span>
              <input
                class="input"
                type="date"
                aria-label="Show from (end date)"
                value={to()}
                onInput={(e) => setTo(e.currentTarget.value)}
              />
            </div>
          </fieldset>
          <h3>Version list</h3>
          <DataTable<ExportRow>
            caption="Version list"
            rows={[]}
            columns={[
              { header: "Export date", cell: () => "" },
              { header: "Export time", cell: () => "" },
              { header: "Export type", cell: () => "" },
              { header: "Number of exported content types", numeric: true, cell: (r) => r.types },
            ]}
            empty={
              <EmptyState title="No exports yet">
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
