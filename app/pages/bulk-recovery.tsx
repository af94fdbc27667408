import { A } from "@solidjs/router";
import { createSignal } from "solid-js";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { ClockIcon } from "../components/icons";

/**
 * Backup Vault > Bulk Recovery (guide sections 7–9): the History panel of backup versions on the left,
 * the selected version's content types on the right. Placeholder until the bulk recovery API lands.
 */
export default function BulkRecovery() {
  const [from, setFrom] = createSignal("");
  const [to, setTo] = createSignal("");
  return (
    <div class="stack-l">
      <div class="page-header" style={{ "margin-bottom": 0 }}>
        <div class="page-header__text">
          <h2>Bulk Recovery</h2>
          <p class="muted">Restore many records or whole content types to the state of an earlier backup.</p>
        </div>
        <div class="page-header__actions">
          <Button variant="secondary" disabled disabledReason="No bulk restore has been run yet.">
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
            <EmptyState title="No backup versions" icon={<ClockIcon size={32} />}>
              Backup versions appear here after your first backup. <A href="/vault">Run Backup all data</A> to
              make one.
            </EmptyState>
          </div>
        </Card>
        <Card title="Backup version" level={3}>
          <EmptyState title="Select a backup version">
            Choose a version in the History panel to see its content types, Backed up items and Compare to the
            latest.
          </EmptyState>
          <div class="row" style={{ "justify-content": "flex-end" }}>
            <Button disabled disabledReason="Select a backup version in the History panel first.">
              Restore to this version
            </Button>
          </div>
        </Card>
      </div>
    </div>
  );
}
