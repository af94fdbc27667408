import { createEffect, createResource, createSignal, For, on, Show } from "solid-js";
import { errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { ContentTypePicker } from "../components/content-type-picker";
import { EmailChips } from "../components/email-chips";
import { exportApi } from "../components/export/export-api";
import { IncludeImagesOption } from "../components/export/include-images";
import { HelpLink } from "../components/help-link";
import { notifyError, notifySuccess } from "../components/toast";
import { formatDateTime } from "../format";
import { useSession } from "../session";

/** Monday first, as merchants read a week; values are the API's (0 = Sunday). */
const weekdays: [number, string][] = [
  [1, "Monday"],
  [2, "Tuesday"],
  [3, "Wednesday"],
  [4, "Thursday"],
  [5, "Friday"],
  [6, "Saturday"],
  [0, "Sunday"],
];

/**
 * Export > Schedule Export (guide section 11): Frequency (Weekly or Monthly), the day, content types
 * and recipients, then Save. One schedule per store; it can be turned off.
 */
export default function ScheduleExport() {
  const session = useSession();
  const [options] = createResource(exportApi.options);
  const [saved, { mutate }] = createResource(exportApi.schedule);
  const [enabled, setEnabled] = createSignal(true);
  const [frequency, setFrequency] = createSignal<"weekly" | "monthly">("weekly");
  const [weekday, setWeekday] = createSignal(1);
  const [monthDay, setMonthDay] = createSignal(1);
  const [selected, setSelected] = createSignal<string[]>([]);
  const [emails, setEmails] = createSignal<string[]>([]);
  const [includeImages, setIncludeImages] = createSignal(false);
  const [busy, setBusy] = createSignal(false);

  // Fill the form once with the saved schedule.
  createEffect(
    on(
      () => saved.latest,
      (data) => {
        const s = data?.schedule;
        if (!s) return;
        setEnabled(s.enabled);
        setFrequency(s.frequency);
        if (s.dayOfWeek !== null) setWeekday(s.dayOfWeek);
        if (s.dayOfMonth !== null) setMonthDay(s.dayOfMonth);
        setSelected(s.types);
        setEmails(s.emails);
        setIncludeImages(s.includeImages);
      },
      { defer: false },
    ),
  );

  const disabledReason = () => {
    if (busy()) return "Saving…";
    if (saved.loading) return "Loading the schedule…";
    if (selected().length === 0) return "Select at least one content type.";
    if (emails().length === 0) return "Add at least one email address.";
    return undefined;
  };

  const save = async () => {
    setBusy(true);
    try {
      const result = await exportApi.saveSchedule({
        enabled: enabled(),
        frequency: frequency(),
        dayOfWeek: frequency() === "weekly" ? weekday() : null,
        dayOfMonth: frequency() === "monthly" ? monthDay() : null,
        types: selected(),
        emails: emails(),
        includeImages: includeImages(),
      });
      mutate(result);
      notifySuccess(
        "Schedule saved",
        result.schedule.nextRunAt
          ? `Next export: ${formatDateTime(result.schedule.nextRunAt)}.`
          : "Scheduled exports are off.",
      );
    } catch (err) {
      notifyError(err, "The schedule could not be saved");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack-l">
      <div class="row">
        <h2>Schedule Export</h2>
        <HelpLink topic="export" />
      </div>
      <Show when={saved.error}>
        <p class="field-error">The saved schedule could not be loaded: {errorMessage(saved.error)}</p>
      </Show>
      <Show when={lastGood(saved)?.schedule}>
        {(s) => (
          <div class="message" role="status">
            <Show when={s().enabled && s().nextRunAt} fallback="Scheduled exports are turned off.">
              Next scheduled export: <strong>{formatDateTime(s().nextRunAt as number)}</strong>
              <Show when={s().lastRunAt}> · last run {formatDateTime(s().lastRunAt as number)}</Show>
            </Show>
          </div>
        )}
      </Show>
      <Card>
        <div class="stack">
          <label class="check">
            <input
              type="checkbox"
              checked={enabled()}
              onChange={(e) => setEnabled(e.currentTarget.checked)}
            />
            Run scheduled exports
          </label>
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
                    <For each={Array.from({ length: 31 }, (_, i) => i + 1)}>
                      {(d) => (
                        <option value={d} selected={d === monthDay()}>
                          {d}
                        </option>
                      )}
                    </For>
                  </select>
                  <span class="muted small" id="short-month-note">
                    <Show when={monthDay() > 28} fallback="The export runs on this day every month.">
                      In months with fewer than {monthDay()} days, the export runs on the last day of the
                      month (for example on February 28).
                    </Show>
                  </span>
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
                  <For each={weekdays}>
                    {([value, name]) => (
                      <option value={value} selected={value === weekday()}>
                        {name}
                      </option>
                    )}
                  </For>
                </select>
              </div>
            </Show>
          </div>
          <p class="muted small">
            Exports run at about 03:00 in your store's timezone ({lastGood(options)?.timezone ?? "UTC"}). Each
            run emails the download links, valid for one week.
          </p>
        </div>
      </Card>
      <Card>
        <ContentTypePicker
          legend="Select content type to export"
          types={lastGood(options)?.types ?? []}
          selected={selected()}
          onChange={setSelected}
        />
      </Card>
      <Card>
        <IncludeImagesOption checked={includeImages()} onChange={setIncludeImages} scheduled />
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
        <Button disabled={!!disabledReason()} disabledReason={disabledReason()} showReason onClick={save}>
          Save
        </Button>
      </div>
    </div>
  );
}
