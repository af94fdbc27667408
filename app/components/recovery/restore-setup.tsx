import { useNavigate } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, Show } from "solid-js";
import { errorMessage, request } from "../../api";
import { formatDateTime, formatDuration, formatNumber } from "../../format";
import { Button } from "../button";
import { Card } from "../card";
import { ContentTypePicker } from "../content-type-picker";
import { DataTable } from "../data-table";
import { EmailChips } from "../email-chips";
import { notifyError, notifySuccess } from "../toast";
import { type DryRun, recoveryApi, type Target, type VersionState } from "./recovery-api";

/**
 * "Restore to this version" (guide section 7): Select categories to restore (restorable types, All
 * items, the types Restored with team assistance, notification emails), Restore now, then the
 * confirmation screen, a dry run of what will change, and Confirm, which opens the restore process page.
 */
export function RestoreSetup(props: {
  state: VersionState;
  target: Target;
  onCancel: () => void;
  /** After a backup from here: the version's table and History are read again. */
  onRefreshed: () => void;
}) {
  const navigate = useNavigate();
  const restorable = createMemo(() => props.state.types.filter((t) => t.restoreMode === "automatic"));
  const teamAssisted = createMemo(() => props.state.types.filter((t) => t.restoreMode === "team_assisted"));
  const [selected, setSelected] = createSignal<string[]>(
    restorable()
      .filter((t) => t.changed)
      .map((t) => t.type),
  );
  const [emails, setEmails] = createSignal<string[]>([]);
  const [deleteCreated, setDeleteCreated] = createSignal(false);
  const [plan, setPlan] = createSignal<DryRun>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();

  let top: HTMLDivElement | undefined;
  // Each step opens below the version's (long) table: bring it into view.
  createEffect(() => {
    plan();
    top?.scrollIntoView({ block: "start", behavior: "smooth" });
  });

  const allSelected = () => restorable().length > 0 && selected().length === restorable().length;
  const disabledReason = () => {
    if (busy()) return "Working…";
    if (selected().length === 0) return "Select at least one content type to restore.";
    return undefined;
  };
  const restoreRequest = () => ({ ...props.target, types: selected(), deleteCreated: deleteCreated() });

  /** A backup of the chosen types through the backup routes, so the comparison includes the latest changes. */
  const backUpFirst = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await request("/api/backups", { method: "POST", body: { types: selected() } });
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const { job } = await request<{ job: { status: string } | null }>("/api/jobs/current");
        if (job?.status !== "running") break;
      }
      notifySuccess("Backup complete", "The comparison now includes the latest changes.");
      props.onRefreshed();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const restoreNow = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPlan(await recoveryApi.plan(restoreRequest()));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const { restoreId } = await recoveryApi.start({ ...restoreRequest(), emails: emails() });
      navigate(`/vault/recovery/restores/${restoreId}`);
    } catch (err) {
      notifyError(err, "The restore could not start");
      setBusy(false);
    }
  };

  return (
    <div ref={top}>
      <Show
        when={plan()}
        fallback={
          <Card title="Select categories to restore" level={3}>
            <div class="stack">
              <p class="muted">
                Restoring to the version of <strong>{formatDateTime(props.state.at)}</strong>. Records of the
                chosen types are brought back to that version in your store; the state before is saved so the
                whole restore can be undone.
              </p>
              <div class="row">
                <p class="muted small" style={{ flex: 1, margin: 0 }}>
                  What changed is compared with the latest version in the vault (
                  {formatDateTime(props.state.latestAt)}). If your store changed after it, back up the
                  selected types first so those changes are restored too.
                </p>
                <Button
                  variant="secondary"
                  disabled={busy() || selected().length === 0}
                  disabledReason={busy() ? "Working…" : "Select at least one content type."}
                  onClick={backUpFirst}
                >
                  Back up these types first
                </Button>
              </div>
              <label class="check check--all">
                <input
                  type="checkbox"
                  checked={allSelected()}
                  onChange={(e) =>
                    setSelected(e.currentTarget.checked ? restorable().map((t) => t.type) : [])
                  }
                />
                All items
              </label>
              <ContentTypePicker
                types={restorable()}
                selected={selected()}
                onChange={setSelected}
                detail={(t) => {
                  const row = restorable().find((r) => r.type === t.type);
                  return row?.changed
                    ? `(${formatNumber(row.updated + row.deleted + row.added)} changed since)`
                    : "(no change since)";
                }}
              />
              <Show when={teamAssisted().length > 0}>
                <div class="message message--warning" role="note">
                  <div>
                    <h4 style={{ margin: "0 0 8px" }}>Restored with team assistance</h4>
                    <p style={{ margin: "0 0 8px" }}>
                      BigCommerce cannot restore these faithfully through its API. Our team restores them for
                      you; it can take up to 7 days. Contact{" "}
                      <a href={`mailto:${props.state.supportEmail}`}>{props.state.supportEmail}</a> with the
                      version date.
                    </p>
                    <ul class="small">
                      <For each={teamAssisted()}>
                        {(t) => (
                          <li>
                            <strong>{t.label}</strong>: {t.teamAssistedReason}
                          </li>
                        )}
                      </For>
                    </ul>
                  </div>
                </div>
              </Show>
              <label class="check">
                <input
                  type="checkbox"
                  checked={deleteCreated()}
                  onChange={(e) => setDeleteCreated(e.currentTarget.checked)}
                />
                <span>
                  Also delete records created after this version
                  <span class="muted small"> (by default they are kept)</span>
                </span>
              </label>
              <EmailChips
                label="Notification emails"
                emails={emails()}
                onChange={setEmails}
                defaultEmail={props.state.accountEmail}
              />
              <Show when={error()}>
                <p class="field-error" role="alert">
                  {error()}
                </p>
              </Show>
              <div class="row" style={{ "justify-content": "flex-end" }}>
                <Button variant="secondary" onClick={props.onCancel}>
                  Cancel
                </Button>
                <Button
                  disabled={!!disabledReason()}
                  disabledReason={disabledReason()}
                  showReason
                  onClick={restoreNow}
                >
                  Restore now
                </Button>
              </div>
            </div>
          </Card>
        }
      >
        {(p) => (
          <Card title="Confirm the restore" level={3}>
            <div class="stack">
              <div class="message message--warning" role="note">
                <div>
                  This changes live data in your store: the records below are brought back to the version of{" "}
                  <strong>{formatDateTime(p().at)}</strong>. Nothing has been changed yet.
                </div>
              </div>
              <DataTable
                caption="What the restore will do"
                showCaption
                rows={p().types}
                rowKey={(t) => t.type}
                columns={[
                  { header: "Content type", cell: (t) => t.label },
                  { header: "Update", numeric: true, cell: (t) => formatNumber(t.update) },
                  { header: "Re-create", numeric: true, cell: (t) => formatNumber(t.create) },
                  { header: "Delete", numeric: true, cell: (t) => formatNumber(t.delete) },
                  {
                    header: "Kept (created after)",
                    numeric: true,
                    cell: (t) => formatNumber(t.keep),
                  },
                  { header: "API calls", numeric: true, cell: (t) => formatNumber(t.calls) },
                ]}
              />
              <p>
                About <strong>{formatNumber(p().calls)} API calls</strong>, estimated time{" "}
                <strong>{formatDuration(p().etaMs)}</strong> at{" "}
                {p().quota.assumed ? "BigCommerce's Standard quota" : "your store's quota"} of{" "}
                {formatNumber(p().quota.perWindow)} calls per {Math.round(p().quota.windowMs / 1000)} s,
                keeping {p().quota.reservePct}% free for your other apps.
              </p>
              <p class="muted small">
                Notification emails: {emails().length > 0 ? emails().join(", ") : "none"}.
              </p>
              <div class="row" style={{ "justify-content": "flex-end" }}>
                <Button variant="secondary" disabled={busy()} onClick={() => setPlan(undefined)}>
                  Back
                </Button>
                <Button disabled={busy()} onClick={confirm}>
                  Confirm
                </Button>
              </div>
            </div>
          </Card>
        )}
      </Show>
    </div>
  );
}
