import { createResource, createSignal, Show } from "solid-js";
import { lastGood, request, vaultApi } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ContentTypePicker } from "../components/content-type-picker";
import { EmailChips } from "../components/email-chips";
import { notifyError, notifySuccess } from "../components/toast";
import { useSession } from "../session";

/**
 * Export > Quick Export (guide section 10): pick content types and recipients, then Start export.
 * The export API is wired by the export work; the form and its rules are final.
 */
export default function QuickExport() {
  const session = useSession();
  const [types] = createResource(vaultApi.types);
  const [selected, setSelected] = createSignal<string[]>([]);
  const [emails, setEmails] = createSignal<string[]>([]);
  const [busy, setBusy] = createSignal(false);

  const disabledReason = () => {
    if (busy()) return "Starting the export…";
    if (selected().length === 0) return "Select at least one content type.";
    if (emails().length === 0) return "Add at least one email address.";
    return undefined;
  };

  const start = async () => {
    setBusy(true);
    try {
      await request("/api/exports", { method: "POST", body: { types: selected(), emails: emails() } });
      notifySuccess(
        "Export started",
        "Recipients get an email with the download link when the files are ready.",
      );
    } catch (err) {
      notifyError(err, "The export could not start");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack-l">
      <h2>Quick Export</h2>
      <div class="message" role="note">
        Export current store data as ZIP files. Recipients receive an email with a download link; files are
        available for one week. Exports larger than 1 GB are split into several ZIP files.
      </div>
      <Card>
        <Show
          when={!types.error}
          fallback={<p class="field-error">Content types could not be loaded: {types.error?.message}</p>}
        >
          <ContentTypePicker
            legend="Select content type to export"
            types={lastGood(types) ?? []}
            selected={selected()}
            onChange={setSelected}
          />
        </Show>
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
        <Button disabled={!!disabledReason()} disabledReason={disabledReason()} showReason onClick={start}>
          Start export
        </Button>
      </div>
    </div>
  );
}
