import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { createPolling, errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ContentTypePicker } from "../components/content-type-picker";
import { EmailChips } from "../components/email-chips";
import { DownloadLinks } from "../components/export/download-links";
import {
  type ExportDetail,
  type ExportSource,
  type ExportTypeProgress,
  exportApi,
} from "../components/export/export-api";
import { IncludeImagesOption } from "../components/export/include-images";
import { HelpLink } from "../components/help-link";
import { ProgressBar } from "../components/progress-bar";
import { StatusBadge } from "../components/status-badge";
import { notifyError } from "../components/toast";
import { formatBytes, formatDateTime, formatNumber } from "../format";
import { useSession } from "../session";

/**
 * Export > Quick Export (guide section 10): pick content types and recipients, Start export, then
 * the result screen follows the export live, type by type, and shows the download links.
 */
export default function QuickExport() {
  const session = useSession();
  const [options] = createResource(exportApi.options);
  const [selected, setSelected] = createSignal<string[]>([]);
  const [emails, setEmails] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [exportId, setExportId] = createSignal<string>();
  const [includeImages, setIncludeImages] = createSignal(false);
  const [chosenSource, setChosenSource] = createSignal<ExportSource>("live");
  const revoked = () => lastGood(options)?.tokenRevoked === true;
  const lastBackupAt = () => lastGood(options)?.lastBackupAt ?? null;
  // A refused token leaves one way to export: from the vault, which needs no access to the store.
  const source = (): ExportSource => (revoked() ? "vault" : chosenSource());
  const [estimate] = createResource(
    () => (selected().length ? { types: selected(), images: includeImages() } : null),
    (q) => exportApi.estimate(q.types, q.images),
  );

  const disabledReason = () => {
    if (busy()) return "Starting the export…";
    if (selected().length === 0) return "Select at least one content type.";
    if (emails().length === 0) return "Add at least one email address.";
    return undefined;
  };

  const start = async () => {
    setBusy(true);
    try {
      const { id } = await exportApi.start({
        types: selected(),
        emails: emails(),
        includeImages: includeImages(),
        source: source(),
      });
      setExportId(id);
    } catch (err) {
      notifyError(err, "The export could not start");
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show
      when={exportId()}
      fallback={
        <div class="stack-l">
          <div class="row">
            <h2>Quick Export</h2>
            <HelpLink topic="export" />
          </div>
          <div class="message" role="note">
            Export the current data of your store: each content type becomes a JSON Lines file (every field,
            which Strongbox can import again) and a CSV file for spreadsheets, with a manifest of checksums.
            Recipients receive an email with the download links;{" "}
            <strong>files are available for one week</strong>. Exports larger than 1 GB are split into several
            ZIP files.
          </div>
          <Show when={revoked()}>
            <div class="message message--warning" role="alert" data-testid="token-revoked">
              BigCommerce no longer accepts Strongbox's access to this store (the app was uninstalled or its
              access changed), so the export is built <strong>from your latest backup</strong>
              <Show when={lastBackupAt()}>{(at) => <> (as of {formatDateTime(at())})</>}</Show>. It needs no
              access to the store. Open Strongbox from the BigCommerce control panel to export live data
              again.
            </div>
          </Show>
          <Card>
            <fieldset class="field" style={{ border: "none", padding: 0, margin: 0 }}>
              <legend>Read the data from</legend>
              <div class="stack">
                <label class="check">
                  <input
                    type="radio"
                    name="export-source"
                    value="live"
                    checked={source() === "live"}
                    disabled={revoked()}
                    onChange={() => setChosenSource("live")}
                  />
                  Your store, now
                  <span class="muted small">
                    {revoked() ? "Unavailable: BigCommerce refuses the app's access." : "Uses API calls."}
                  </span>
                </label>
                <label class="check">
                  <input
                    type="radio"
                    name="export-source"
                    value="vault"
                    checked={source() === "vault"}
                    disabled={lastBackupAt() === null && !revoked()}
                    onChange={() => setChosenSource("vault")}
                  />
                  From the latest backup
                  <span class="muted small">
                    <Show when={lastBackupAt()} fallback="No backup yet.">
                      {(at) => <>As of {formatDateTime(at())}; uses no API calls.</>}
                    </Show>
                  </span>
                </label>
              </div>
            </fieldset>
          </Card>
          <Card>
            <Show
              when={!options.error}
              fallback={
                <p class="field-error">Content types could not be loaded: {errorMessage(options.error)}</p>
              }
            >
              <ContentTypePicker
                legend="Select content type to export"
                types={lastGood(options)?.types ?? []}
                selected={selected()}
                onChange={setSelected}
              />
            </Show>
          </Card>
          <Card>
            <div class="stack">
              <IncludeImagesOption checked={includeImages()} onChange={setIncludeImages} />
              <Show when={selected().length > 0}>
                <p class="small" data-testid="export-estimate" aria-live="polite">
                  <Show when={estimate.latest} fallback="Estimating the size…">
                    {(e) => (
                      <>
                        Estimated size: about <strong>{formatBytes(e().estimatedBytes)}</strong> before
                        compression ({formatNumber(e().records)} records as last backed up
                        <Show when={includeImages()}>
                          {" "}
                          and {formatNumber(e().images.count)} image files of {formatBytes(e().images.bytes)}
                        </Show>
                        ).
                      </>
                    )}
                  </Show>
                </p>
              </Show>
            </div>
          </Card>
          <Card>
            <EmailChips
              label="Your emails"
              emails={emails()}
              onChange={setEmails}
              defaultEmail={session.user.email}
            />
          </Card>
          <div class="row" style={{ "justify-content": "flex-end" }}>
            <Button
              disabled={!!disabledReason()}
              disabledReason={disabledReason()}
              showReason
              onClick={start}
            >
              Start export
            </Button>
          </div>
        </div>
      }
    >
      {(id) => <ExportResult id={id()} onNew={() => setExportId(undefined)} />}
    </Show>
  );
}

const barState = (p: ExportTypeProgress) =>
  p.status === "unavailable" ? "done" : p.status === "failed" ? "failed" : p.status;

/** The result screen: live progress per content type, then the links (or why it failed). */
function ExportResult(props: { id: string; onNew: () => void }) {
  const [finished, setFinished] = createSignal(false);
  const poll = createPolling<ExportDetail>(
    async () => {
      const detail = await exportApi.get(props.id);
      if (detail.status === "done" || detail.status === "failed") setFinished(true);
      return detail;
    },
    1000,
    () => !finished(),
  );
  const detail = () => poll.value();

  return (
    <div class="stack-l" aria-live="polite">
      <div class="row" style={{ "justify-content": "space-between" }}>
        <h2>Export result</h2>
        <Show when={detail()}>{(d) => <StatusBadge status={d().status} />}</Show>
      </div>
      <Show when={poll.error() && !detail()}>
        <p class="field-error">The export's progress could not be loaded: {errorMessage(poll.error())}</p>
      </Show>
      <Show when={detail()} fallback={<div class="skeleton" style={{ height: "120px" }} />}>
        {(d) => (
          <>
            <div
              class={`message${d().status === "failed" ? " message--danger" : d().status === "done" ? " message--success" : ""}`}
              role="status"
            >
              <Switch>
                <Match when={d().phase === "queued"}>The export is about to start…</Match>
                <Match when={d().phase === "fetch" && d().source === "vault"}>
                  Reading your latest backup, one content type at a time…
                </Match>
                <Match when={d().phase === "fetch"}>
                  Reading your store's current data, one content type at a time…
                </Match>
                <Match when={d().phase === "package"}>All data read. Creating the ZIP files…</Match>
                <Match when={d().status === "done"}>
                  Your export is ready. The download links were emailed to {d().emails.join(", ")} and work
                  for one week.
                </Match>
                <Match when={d().status === "failed"}>
                  The export failed: {d().error ?? "unknown error"}. Nothing was changed in your store.
                </Match>
              </Switch>
            </div>
            <Show when={d().source === "vault"}>
              <p class="muted" data-testid="export-source">
                Built from your latest backup
                <Show when={d().asOf}>{(at) => <> (as of {formatDateTime(at())})</>}</Show>, not read from
                BigCommerce.
              </p>
            </Show>
            <Card title="Content types" level={3}>
              <div class="stack">
                <For each={d().progress}>
                  {(p) => (
                    <ProgressBar
                      label={p.label}
                      done={p.done}
                      total={p.total}
                      state={barState(p)}
                      detail={p.status === "unavailable" ? "Not available on this store" : undefined}
                    />
                  )}
                </For>
              </div>
            </Card>
            <Show when={d().status === "done"}>
              <Card title="Download" level={3}>
                <DownloadLinks links={d().links} expiresAt={d().expiresAt} />
              </Card>
            </Show>
          </>
        )}
      </Show>
      <div class="row" style={{ "justify-content": "flex-end" }}>
        <Show when={finished()}>
          <Button variant="secondary" onClick={props.onNew}>
            New export
          </Button>
        </Show>
      </div>
    </div>
  );
}
