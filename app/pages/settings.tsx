import { createResource, createSignal, ErrorBoundary, For, Show } from "solid-js";
import { ApiError, errorMessage } from "../api";
import { type Frequency, plansApi, type SettingsInput, type SettingsView } from "../api-plans";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { EmailChips } from "../components/email-chips";
import { HelpLink } from "../components/help-link";
import { PageHeader } from "../components/page-header";
import { SigninLog } from "../components/signin-log";
import { notifySuccess } from "../components/toast";
import { formatDateTime, formatNumber } from "../format";
import { planName, useSession } from "../session";

const hours = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${((h + 11) % 12) + 1}:00 ${h < 12 ? "AM" : "PM"}`;

const frequencyLabels: Record<Frequency | "manual", string> = {
  hourly: "Every hour",
  daily: "Daily",
  weekly: "Weekly (Sundays)",
  sync: "Automatic sync",
  manual: "Only when you run a backup",
};

function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.("timeZone") ?? [];
  const list = all.includes("UTC") ? all : ["UTC", ...all];
  return list.includes(current) ? list : [current, ...list];
}

/** The editable part of the settings, as the form holds it. */
type Draft = SettingsView["settings"] & { typeFrequencies: Record<string, Frequency> };

function draftOf(view: SettingsView): Draft {
  const typeFrequencies: Record<string, Frequency> = {};
  for (const t of view.types) if (t.frequency !== "manual") typeFrequencies[t.type] = t.frequency;
  return { ...view.settings, typeFrequencies };
}

/** Settings: when and how often the store is backed up, sync, emails, API quota reserve and retention. */
export default function Settings() {
  const [view, { mutate }] = createResource(plansApi.settings);
  return (
    <div class="stack-l">
      <PageHeader
        title="Settings"
        description={
          <>
            How and when Strongbox backs up your store.
            <HelpLink topic="settings" />
          </>
        }
      />
      <Show when={view.error}>
        <div class="message message--danger" role="alert">
          <span>Settings could not load: {errorMessage(view.error)}</span>
        </div>
      </Show>
      <ErrorBoundary
        fallback={(err) => (
          <div class="message message--danger" role="alert">
            <span>Settings could not be shown: {errorMessage(err)}</span>
          </div>
        )}
      >
        <Show when={view.latest}>
          {(v) => <SettingsForm view={v()} onSaved={(saved) => mutate(saved)} />}
        </Show>
      </ErrorBoundary>
      <SigninLog />
    </div>
  );
}

function SettingsForm(props: { view: SettingsView; onSaved: (saved: SettingsView) => void }) {
  const session = useSession();
  const view = () => props.view;
  const [draft, setDraft] = createSignal<Draft>();
  const [fieldError, setFieldError] = createSignal<{ field?: string; message: string }>();
  const [saving, setSaving] = createSignal(false);

  const current = () => draft() ?? draftOf(view());
  const update = (patch: Partial<Draft>) => setDraft({ ...current(), ...patch });
  const errorFor = (field: string) => {
    const e = fieldError();
    return e?.field && (e.field === field || e.field.startsWith(`${field}.`)) ? e.message : undefined;
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const d = current();
    const v = view();
    setSaving(true);
    setFieldError(undefined);
    const input: SettingsInput = {
      backupHour: d.backupHour,
      timezone: d.timezone,
      notificationEmails: d.notificationEmails,
      quotaReservePct: d.quotaReservePct,
      retentionDays: d.retentionDays,
    };
    if (v.limits.canAutoSync) input.autoSync = d.autoSync;
    if (v.limits.canSchedule) {
      // Only the types the merchant changed: choices the current plan narrows (say hourly on Standard)
      // stay stored, so moving back up restores them.
      const shown = draftOf(v).typeFrequencies;
      const changed = Object.entries(d.typeFrequencies).filter(([type, f]) => shown[type] !== f);
      if (changed.length > 0) input.typeFrequencies = Object.fromEntries(changed);
    }
    try {
      const saved = await plansApi.saveSettings(input);
      props.onSaved(saved);
      setDraft(undefined);
      session.store.timezone = saved.settings.timezone;
      notifySuccess(
        "Settings saved",
        saved.nextBackupAt ? `Next scheduled backup: ${formatDateTime(saved.nextBackupAt)}` : undefined,
      );
    } catch (err) {
      setFieldError({ field: err instanceof ApiError ? err.field : undefined, message: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="stack-l" onSubmit={save} aria-label="Store settings" novalidate>
      <Card
        title="Daily backup"
        description={
          view().limits.canSchedule
            ? `Next scheduled backup: ${view().nextBackupAt ? formatDateTime(view().nextBackupAt) : "not scheduled"}.`
            : `The ${planName(view().limits.plan)} plan has no scheduled backups: run Backup all data from Backup Vault when you need one.`
        }
      >
        <div class="row" style={{ gap: "24px", "flex-wrap": "wrap" }}>
          <div class="field">
            <label for="settings-backup-hour">Backup time</label>
            <select
              id="settings-backup-hour"
              class="input"
              value={current().backupHour}
              onChange={(e) => update({ backupHour: Number(e.currentTarget.value) })}
            >
              <For each={hours}>{(h) => <option value={h}>{hourLabel(h)}</option>}</For>
            </select>
          </div>
          <div class="field">
            <label for="settings-timezone">Time zone</label>
            <select
              id="settings-timezone"
              class="input"
              value={current().timezone}
              onChange={(e) => update({ timezone: e.currentTarget.value })}
              aria-invalid={!!errorFor("timezone")}
            >
              <For each={timeZones(current().timezone)}>{(tz) => <option value={tz}>{tz}</option>}</For>
            </select>
            <Show when={errorFor("timezone")}>
              <span class="field-error">{errorFor("timezone")}</span>
            </Show>
          </div>
        </div>
      </Card>

      <Card
        title="Automatic sync"
        description="Saves each change within seconds of BigCommerce announcing it; the daily backup still runs as a safety net."
        actions={<HelpLink topic="automatic-sync" />}
      >
        <label class="check">
          <input
            type="checkbox"
            checked={current().autoSync}
            disabled={!view().limits.canAutoSync}
            onChange={(e) => update({ autoSync: e.currentTarget.checked })}
          />
          Turn on automatic sync
        </label>
        <Show when={!view().limits.canAutoSync}>
          <p class="muted small">Automatic sync needs the Pro plan.</p>
        </Show>
      </Card>

      <Card
        title="Backup frequency per content type"
        description="Expected API calls per day are computed from the number of records in your store; they are an upper bound."
      >
        <div class="table-wrap">
          <table class="table" aria-label="Backup frequency per content type">
            <thead>
              <tr>
                <th scope="col">Content type</th>
                <th scope="col" class="num">
                  Items
                </th>
                <th scope="col">Frequency</th>
                <th scope="col" class="num">
                  API calls per day (up to)
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={view().types}>
                {(t) => (
                  <tr>
                    <td>{t.label}</td>
                    <td class="num">{formatNumber(t.items)}</td>
                    <td>
                      <Show when={t.choices.length > 0} fallback={frequencyLabels.manual}>
                        <select
                          class="input"
                          aria-label={`Frequency for ${t.label}`}
                          value={current().typeFrequencies[t.type] ?? "daily"}
                          onChange={(e) =>
                            update({
                              typeFrequencies: {
                                ...current().typeFrequencies,
                                [t.type]: e.currentTarget.value as Frequency,
                              },
                            })
                          }
                        >
                          <For each={t.choices}>
                            {(f) => (
                              <option value={f} disabled={f === "sync" && !current().autoSync}>
                                {frequencyLabels[f]}
                              </option>
                            )}
                          </For>
                        </select>
                      </Show>
                      <Show when={errorFor(`typeFrequencies.${t.type}`)}>
                        <span class="field-error">{errorFor(`typeFrequencies.${t.type}`)}</span>
                      </Show>
                    </td>
                    <td class="num">{formatNumber(t.callsPerDay)}</td>
                  </tr>
                )}
              </For>
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colspan={3}>
                  Total (as saved)
                </th>
                <td class="num">{formatNumber(view().totalCallsPerDay)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </Card>

      <Card
        title="Notification emails"
        description="Filled in by default when you start a restore or an export."
      >
        <EmailChips
          id="settings-emails"
          label="Default emails"
          emails={current().notificationEmails}
          onChange={(emails) => update({ notificationEmails: emails })}
          defaultEmail={session.user.email}
        />
        <Show when={errorFor("notificationEmails")}>
          <span class="field-error">{errorFor("notificationEmails")}</span>
        </Show>
      </Card>

      <Card title="API quota and retention">
        <div class="row" style={{ gap: "24px", "flex-wrap": "wrap" }}>
          <div class="field">
            <label for="settings-reserve">
              API quota left to other apps (%, {view().limits.quotaReserveMin}–{view().limits.quotaReserveMax}
              )
            </label>
            <input
              id="settings-reserve"
              class="input"
              type="number"
              min={view().limits.quotaReserveMin}
              max={view().limits.quotaReserveMax}
              value={current().quotaReservePct}
              aria-invalid={!!errorFor("quotaReservePct")}
              onInput={(e) => update({ quotaReservePct: Number(e.currentTarget.value) })}
            />
            <Show when={errorFor("quotaReservePct")}>
              <span class="field-error">{errorFor("quotaReservePct")}</span>
            </Show>
          </div>
          <div class="field">
            <label for="settings-retention">
              Keep versions for (days, up to {formatNumber(view().limits.maxRetentionDays)})
            </label>
            <input
              id="settings-retention"
              class="input"
              type="number"
              min={1}
              max={view().limits.maxRetentionDays}
              value={current().retentionDays}
              aria-invalid={!!errorFor("retentionDays")}
              onInput={(e) => update({ retentionDays: Number(e.currentTarget.value) })}
            />
            <Show when={errorFor("retentionDays")}>
              <span class="field-error">{errorFor("retentionDays")}</span>
            </Show>
          </div>
        </div>
      </Card>

      <Show when={fieldError()}>
        <div class="message message--danger" role="alert">
          <span>{fieldError()!.message}</span>
        </div>
      </Show>
      <div class="row" style={{ "justify-content": "flex-end", gap: "var(--space-m)" }}>
        <Show when={view().updatedAt}>
          <span class="muted small">
            Last changed {formatDateTime(view().updatedAt)} by {view().updatedBy}
          </span>
        </Show>
        <Button type="submit" disabled={saving()}>
          {saving() ? "Saving…" : "Save"}
        </Button>
      </div>
    </form>
  );
}
