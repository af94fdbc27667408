import { createResource, createSignal, For, Show } from "solid-js";
import { lastGood, vaultApi } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ContentTypePicker } from "../components/content-type-picker";
import { EmailChips } from "../components/email-chips";
import { notifyInfo } from "../components/toast";
import { useSession } from "../session";

const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/**
 * Export > Schedule Export (guide section 11): Frequency (Weekly or Monthly), the day, content types and
 * recipients, then Save. Saving is wired by the export work.
 */
export default function ScheduleExport() {
  const session = useSession();
  const [types] = createResource(vaultApi.types);
  const [frequency, setFrequency] = createSignal<"weekly" | "monthly">("weekly");
  const [weekday, setWeekday] = createSignal(1);
  const [monthDay, setMonthDay] = createSignal(1);
  const [selected, setSelected] = createSignal<string[]>([]);
  const [emails, setEmails] = createSignal<string[]>([]);

  const disabledReason = () => {
    if (selected().length === 0) return "Select at least one content type.";
    if (emails().length === 0) return "Add at least one email address.";
    return undefined;
  };

  return (
    <div class="stack-l">
      <h2>Schedule Export</h2>
      <Card>
        <div class="row" style={{ gap: "32px", "align-items": "flex-start" }}>
          <fieldset class="field" style={{ border: "none", padding: 0, margin: 0 }}>
            <legend>Frequency</legend>
            <div class="row">
              <label class="check">
                <input
                  type="radio"
                  name="frequency"
                  value="weekly"
                  checked={frequency() === "weekly"}
                  onChange={() => setFrequency("weekly")}
                />
                Weekly
              </label>
              <label class="check">
                <input
                  type="radio"
                  name="frequency"
                  value="monthly"
                  checked={frequency() === "monthly"}
                  onChange={() => setFrequency("monthly")}
                />
                Monthly
              </label>
            </div>
          </fieldset>
          <Show
            when={frequency() === "weekly"}
            fallback={
              <div class="field">
                <label for="schedule-month-day">Day of the month</label>
                <select
                  id="schedule-month-day"
                  class="input"
                  value={monthDay()}
                  onChange={(e) => setMonthDay(Number(e.currentTarget.value))}
                >
                  <For each={Array.from({ length: 28 }, (_, i) => i + 1)}>
                    {(d) => <option value={d}>{d}</option>}
                  </For>
                </select>
                <span class="muted small">Days 1–28 run every month, including shorter months.</span>
              </div>
            }
          >
            <div class="field">
              <label for="schedule-weekday">Day of the week</label>
              <select
                id="schedule-weekday"
                class="input"
                value={weekday()}
                onChange={(e) => setWeekday(Number(e.currentTarget.value))}
              >
                <For each={weekdays}>{(d, i) => <option value={i() + 1}>{d}</option>}</For>
              </select>
            </div>
          </Show>
        </div>
      </Card>
      <Card>
        <ContentTypePicker
          legend="Select content type to export"
          types={lastGood(types) ?? []}
          selected={selected()}
          onChange={setSelected}
        />
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
          onClick={() =>
            notifyInfo("Schedules are not saved yet", "Scheduled exports arrive with the export feature.")
          }
        >
          Save
        </Button>
      </div>
    </div>
  );
}
