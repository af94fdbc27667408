import { createResource, Show } from "solid-js";
import { errorMessage, request } from "../api";
import { formatDateTime } from "../format";
import { Card } from "./card";
import { DataTable } from "./data-table";

type Signin = { email: string; ip: string; userAgent: string | null; at: number };

/** Who signed in at the app's own address (outside the control panel), when and from where. */
export function SigninLog() {
  const [log] = createResource(() => request<{ signins: Signin[] }>("/api/signins"));
  return (
    <Card
      title="Sign-ins outside the control panel"
      description="Each time someone opened Strongbox at its own address with an emailed sign-in link."
    >
      <Show when={log.error}>
        <div class="message message--danger" role="alert">
          <span>Sign-ins could not load: {errorMessage(log.error)}</span>
        </div>
      </Show>
      <DataTable
        caption="Sign-ins outside the control panel"
        columns={[
          { header: "When", cell: (s) => formatDateTime(s.at) },
          { header: "Who", cell: (s) => s.email },
          { header: "From", cell: (s) => s.ip },
          { header: "Browser", cell: (s) => <span class="muted small">{s.userAgent ?? "unknown"}</span> },
        ]}
        rows={log.latest?.signins}
        loading={log.loading}
        rowKey={(s) => `${s.at}-${s.email}`}
        empty={<p class="muted">Nobody has signed in outside the control panel yet.</p>}
      />
    </Card>
  );
}
