import { createSignal, For } from "solid-js";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { EmailChips } from "../components/email-chips";
import { PageHeader } from "../components/page-header";
import { notifyInfo } from "../components/toast";
import { useSession } from "../session";

const hours = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${((h + 11) % 12) + 1}:00 ${h < 12 ? "AM" : "PM"}`;

/**
 * Settings for the store: daily backup time, automatic sync, default notification emails, the API quota
 * left to other apps, retention. Loading and saving is wired by the Settings work.
 */
export default function Settings() {
  const session = useSession();
  const [backupHour, setBackupHour] = createSignal(2);
  const [autoSync, setAutoSync] = createSignal(false);
  const [emails, setEmails] = createSignal<string[]>([]);
  const [reserve, setReserve] = createSignal(20);
  const [retention, setRetention] = createSignal(365);

  return (
    <div class="stack-l">
      <PageHeader title="Settings" description="How and when Strongbox backs up your store." />
      <form
        class="stack-l"
        onSubmit={(event) => {
          event.preventDefault();
          notifyInfo("Settings are not saved yet", "Saving settings arrives with the Settings feature.");
        }}
      >
        <Card title="Daily backup">
          <div class="row" style={{ gap: "24px" }}>
            <div class="field">
              <label for="settings-backup-hour">Backup time</label>
              <select
                id="settings-backup-hour"
                class="input"
                value={backupHour()}
                onChange={(e) => setBackupHour(Number(e.currentTarget.value))}
              >
                <For each={hours}>{(h) => <option value={h}>{hourLabel(h)}</option>}</For>
              </select>
            </div>
            <div class="field">
              <span class="small" style={{ "font-weight": 600 }}>
                Timezone
              </span>
              <span>{session.store.timezone || "UTC"}</span>
            </div>
          </div>
        </Card>
        <Card
          title="Automatic sync"
          description="Back up each change within seconds, using BigCommerce webhooks."
        >
          <label class="check">
            <input
              type="checkbox"
              checked={autoSync()}
              onChange={(e) => setAutoSync(e.currentTarget.checked)}
            />
            Turn on automatic sync
          </label>
        </Card>
        <Card title="Notification emails" description="Added to every export and restore by default.">
          <EmailChips
            label="Default emails"
            emails={emails()}
            onChange={setEmails}
            defaultEmail={session.user.email}
          />
        </Card>
        <Card title="API quota and retention">
          <div class="row" style={{ gap: "24px" }}>
            <div class="field">
              <label for="settings-reserve">API quota left to other apps (%)</label>
              <input
                id="settings-reserve"
                class="input"
                type="number"
                min={0}
                max={90}
                value={reserve()}
                onInput={(e) => setReserve(Number(e.currentTarget.value))}
              />
            </div>
            <div class="field">
              <label for="settings-retention">Keep versions for (days)</label>
              <input
                id="settings-retention"
                class="input"
                type="number"
                min={1}
                value={retention()}
                onInput={(e) => setRetention(Number(e.currentTarget.value))}
              />
            </div>
          </div>
        </Card>
        <div class="row" style={{ "justify-content": "flex-end" }}>
          <Button type="submit">Save</Button>
        </div>
      </form>
    </div>
  );
}
