import { A, useParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, For, type JSX, on, Show } from "solid-js";
import { ApiError, errorMessage, lastGood } from "../api";
import { Button } from "../components/button";
import { Card } from "../components/card";
import { type Column, DataTable } from "../components/data-table";
import { StatusBadge } from "../components/status-badge";
import { DiffView } from "../components/vault/diff-view";
import { ImageStrip } from "../components/vault/image-strip";
import { JsonTree } from "../components/vault/json-tree";
import { changedFields, diffRecords } from "../components/vault/record-diff";
import { downloadJson, RecordSummary, SourceCode } from "../components/vault/record-views";
import { RestoreControl } from "../components/vault/restore-panel";
import { ThemeFilesLink } from "../components/vault/theme-files-link";
import {
  type JsonRecord,
  type RestoreHistoryEntry,
  sourceLabel,
  type VersionMeta,
  vaultItemsApi,
} from "../components/vault/vault-api";
import { type RecordView, ViewTabs } from "../components/vault/view-tabs";
import { formatDateTime } from "../format";
import "../components/vault/vault.css";
import { HelpLink } from "../components/help-link";

const changeLabel = { created: "Created", updated: "Updated", deleted: "Deleted" } as const;

const versionLabel = (v: VersionMeta) =>
  `${formatDateTime(v.capturedAt)} · ${changeLabel[v.change]} · ${sourceLabel[v.source] ?? v.source}`;

/** The version offered first: the newest one with content that is not the record's own after-restore state. */
const defaultVersion = (versions: VersionMeta[]) =>
  versions.find((v) => v.change !== "deleted" && v.source !== "restore") ??
  versions.find((v) => v.change !== "deleted") ??
  versions[0];

/**
 * Backup Vault > one record (guide sections 5 and 6): the Current version (fetched live from the store)
 * beside the Selected version, as Summary / Json / Source Code, View change only, Inspect all changes,
 * and Restore to this version with its confirmation, progress and result; then the record's restore history.
 */
export default function VaultItem() {
  const params = useParams();
  const type = () => params.type ?? "";
  const id = () => params.id ?? "";
  const [detail, { refetch: refetchDetail }] = createResource(
    () => [type(), id()] as const,
    ([t, i]) => vaultItemsApi.item(t, i),
  );
  const [live, { refetch: refetchLive }] = createResource(
    () => [type(), id()] as const,
    ([t, i]) => vaultItemsApi.live(t, i),
  );
  const [selectedId, setSelectedId] = createSignal<number>();
  const [view, setView] = createSignal<RecordView>("summary");
  const [changeOnly, setChangeOnly] = createSignal(false);
  const [inspecting, setInspecting] = createSignal(false);
  let undoApi: { undo: (restoreId: string) => void } | undefined;

  const info = () => lastGood(detail);
  createEffect(
    on(info, (d) => {
      if (d && (selectedId() === undefined || !d.versions.some((v) => v.id === selectedId())))
        setSelectedId(defaultVersion(d.versions)?.id);
    }),
  );
  const selectedMeta = () => info()?.versions.find((v) => v.id === selectedId());
  const [selected] = createResource(
    () => (selectedId() !== undefined ? ([type(), id(), selectedId() as number] as const) : undefined),
    ([t, i, v]) => vaultItemsApi.version(t, i, v),
  );

  const liveBody = () => lastGood(live)?.body ?? null;
  const selectedBody = () => lastGood(selected)?.body ?? null;
  const delta = createMemo(() =>
    liveBody() || selectedBody() ? diffRecords(liveBody(), selectedBody()) : undefined,
  );
  const only = () => (changeOnly() ? changedFields(delta()) : undefined);
  const teamAssisted = () => info()?.type.restoreMode === "team_assisted";
  /** BigCommerce refused the store's token: restores cannot run, the vault's versions still can be read. */
  const tokenRevoked = () => live.error instanceof ApiError && live.error.code === "token_revoked";
  const currentDeleted = () => lastGood(live)?.status === "deleted";

  const refreshAfterRestore = () => {
    void refetchDetail();
    void refetchLive();
  };

  // `record` is an accessor: a refetch (after a restore) updates the view without remounting it.
  const renderRecord = (record: () => JsonRecord, label: string): JSX.Element => (
    <Show
      when={view() === "summary"}
      fallback={
        <Show
          when={view() === "json"}
          fallback={<SourceCode record={record()} only={only()} label={label} />}
        >
          <JsonTree value={record()} only={only()} />
        </Show>
      }
    >
      <RecordSummary record={record()} fields={info()?.type.summary ?? []} only={only()} />
    </Show>
  );

  const historyColumns: Column<RestoreHistoryEntry>[] = [
    { header: "When", cell: (h) => formatDateTime(h.createdAt) },
    { header: "Who", cell: (h) => h.createdBy },
    {
      header: "What",
      cell: (h) =>
        h.kind === "undo"
          ? "Undo of a restore"
          : h.kind === "bulk"
            ? "Bulk recovery"
            : "Restore to a version",
    },
    {
      header: "From version",
      cell: (h) => {
        const v = info()?.versions.find((x) => x.id === h.fromVersionId);
        return v ? formatDateTime(v.capturedAt) : h.fromVersionId === null ? "—" : `#${h.fromVersionId}`;
      },
    },
    {
      header: "Result",
      cell: (h) => (
        <StatusBadge status={h.status === "error" ? "fail" : h.status === "skipped" ? "done" : h.status} />
      ),
    },
    { header: "Details", cell: (h) => <span class="small">{h.message}</span> },
    {
      header: "Actions",
      hideHeader: true,
      cell: (h) => (
        <Show
          when={h.kind !== "undo" && h.status === "done" && h.action !== "unchanged" && !h.undoneBy}
          fallback={h.undoneBy ? <span class="muted small">Undone</span> : null}
        >
          <Button variant="link" onClick={() => undoApi?.undo(h.restoreId)}>
            Undo this restore
          </Button>
        </Show>
      ),
    },
  ];

  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/vault">Item Storage</A> ›{" "}
        <A href={`/vault/types/${encodeURIComponent(type())}`}>{info()?.type.label ?? type()}</A> ›{" "}
        {info()?.record.name ?? id()}
      </nav>
      <div class="page-header__text">
        <div class="row">
          <div class="row">
            <h2>{info()?.record.name ?? `${type()} #${id()}`}</h2>
            <HelpLink topic="compare" />
          </div>
          <Show when={info()?.record.deleted}>
            <StatusBadge status="deleted" />
          </Show>
        </div>
        <p class="muted">
          {info()?.type.label} · ID {id()}
          <Show when={info()?.record.deletedAt}>{(at) => <> · deleted on {formatDateTime(at())}</>}</Show>
          <Show when={info()?.currentId}>
            {(newId) => (
              <>
                {" "}
                · re-created as{" "}
                <A href={`/vault/items/${encodeURIComponent(type())}/${encodeURIComponent(newId())}`}>
                  #{newId()}
                </A>
              </>
            )}
          </Show>
        </p>
      </div>
      <Show when={detail.error}>
        <p class="message message--danger" role="alert">
          {errorMessage(detail.error)}
        </p>
      </Show>

      <Show when={teamAssisted()}>
        <div class="message" role="note">
          <strong>Restored with our team's help.</strong> {info()?.type.teamAssistedReason} Contact support to
          restore it, or download this version's JSON to keep it.
          <div style={{ "margin-top": "8px" }}>
            <Button
              variant="secondary"
              disabledReason={selectedBody() ? null : "Choose a version first."}
              onClick={() => downloadJson(`${type()}-${id()}-version-${selectedId()}.json`, selectedBody())}
            >
              Download JSON
            </Button>
            <ThemeFilesLink type={type()} id={id()} versionId={selectedId()} body={selectedBody()} />
          </div>
        </div>
      </Show>

      <div class="compare-toolbar">
        <ViewTabs value={view()} onChange={setView} />
        <label class="row small">
          <input
            type="checkbox"
            checked={changeOnly()}
            onChange={(e) => setChangeOnly(e.currentTarget.checked)}
          />
          View change only
        </label>
        <Button variant="secondary" onClick={() => setInspecting(!inspecting())} aria-expanded={inspecting()}>
          Inspect all changes
        </Button>
      </div>

      <div class="compare-grid">
        <Card
          title="Current version"
          level={3}
          description={
            lastGood(live)
              ? `Fetched from your store at ${formatDateTime(lastGood(live)?.fetchedAt ?? 0)}`
              : undefined
          }
        >
          <div aria-busy={live.loading ? "true" : undefined}>
            <Show
              when={!live.error}
              fallback={
                <p class="message message--danger" role="alert">
                  {errorMessage(live.error)}
                </p>
              }
            >
              <Show when={lastGood(live)} fallback={<div class="skeleton" style={{ height: "160px" }} />}>
                {(l) => (
                  <Show
                    when={l().body}
                    fallback={
                      <p class="message">
                        This record no longer exists in your store: it was deleted. Restore a version to
                        re-create it.
                      </p>
                    }
                  >
                    {(body) => renderRecord(body, "Current version")}
                  </Show>
                )}
              </Show>
            </Show>
          </div>
        </Card>
        <Card
          title="Selected version"
          level={3}
          actions={
            <div class="field">
              <label for="selected-version" class="visually-hidden">
                Selected version
              </label>
              <select
                id="selected-version"
                class="input"
                value={selectedId() ?? ""}
                onChange={(e) => setSelectedId(Number(e.currentTarget.value))}
              >
                <For each={info()?.versions ?? []}>
                  {(v) => (
                    <option value={v.id} selected={v.id === selectedId()}>
                      {versionLabel(v)}
                    </option>
                  )}
                </For>
              </select>
            </div>
          }
        >
          <div aria-busy={selected.loading ? "true" : undefined}>
            <Show
              when={!selected.error}
              fallback={
                <p class="message message--danger" role="alert">
                  {errorMessage(selected.error)}
                </p>
              }
            >
              <Show when={lastGood(selected)} fallback={<div class="skeleton" style={{ height: "160px" }} />}>
                {(s) => (
                  <Show
                    when={s().body}
                    fallback={<p class="message">This version records the record's deletion.</p>}
                  >
                    {(body) => renderRecord(body, "Selected version")}
                  </Show>
                )}
              </Show>
            </Show>
            <ImageStrip type={type()} id={id()} versionId={selectedId()} />
          </div>
        </Card>
      </div>

      <Show when={inspecting()}>
        <Card
          title="All changes"
          level={3}
          description="From the current version to the selected version: removed values struck through, added values highlighted, moved items marked."
        >
          <DiffView left={liveBody()} delta={delta()} />
        </Card>
      </Show>

      <Show when={info() && tokenRevoked()}>
        <Card title="Restores are unavailable" level={3}>
          <p class="message message--warning" role="note">
            {errorMessage(live.error)}
          </p>
          <Button
            variant="secondary"
            disabledReason={selectedBody() ? null : "Choose a version first."}
            onClick={() => downloadJson(`${type()}-${id()}-version-${selectedId()}.json`, selectedBody())}
          >
            Download JSON
          </Button>
        </Card>
      </Show>

      <Show when={info() && !teamAssisted() && !tokenRevoked()}>
        <Card title="Restore" level={3}>
          <RestoreControl
            type={type()}
            id={id()}
            recordName={info()?.record.name ?? id()}
            version={selectedMeta()}
            currentDeleted={currentDeleted()}
            onFinished={refreshAfterRestore}
            register={(api) => {
              undoApi = api;
            }}
          />
        </Card>
      </Show>

      <Card title="Restore history" level={3}>
        <DataTable
          caption="Restore history of this record"
          columns={historyColumns}
          rows={info()?.history}
          rowKey={(h) => h.restoreId}
          loading={detail.loading}
          empty={<p class="muted">This record was never restored.</p>}
        />
      </Card>
    </div>
  );
}
