import { A } from "@solidjs/router";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { ApiError, errorMessage } from "../../api";
import { formatDateTime } from "../../format";
import { Button } from "../button";
import { ConfirmDialog } from "../confirm-dialog";
import { ProgressBar } from "../progress-bar";
import { StatusBadge } from "../status-badge";
import { type RestoreView, type VersionMeta, vaultItemsApi } from "./vault-api";

const POLL_MS = 700;

/** Follows a restore until it is over; the latest view, or the error that stopped the polling. */
export function watchRestore(onDone: (view: RestoreView) => void) {
  const [view, setView] = createSignal<RestoreView>();
  const [error, setError] = createSignal<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (restoreId: string) => {
    try {
      const v = await vaultItemsApi.restoreStatus(restoreId);
      setView(v);
      if (v.restore.status === "planned" || v.restore.status === "progressing") {
        timer = setTimeout(() => poll(restoreId), POLL_MS);
      } else onDone(v);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  onCleanup(() => timer && clearTimeout(timer));
  return {
    view,
    error,
    start: (restoreId: string) => {
      setError(undefined);
      setView(undefined);
      void poll(restoreId);
    },
  };
}

/** A restore's outcome in the merchant's words. */
export function RestoreResult(props: { view: RestoreView; type: string; onUndo?: () => void }) {
  const item = () => props.view.items[0];
  const running = () =>
    props.view.restore.status === "planned" || props.view.restore.status === "progressing";
  return (
    <div class="stack" role="status" aria-live="polite">
      <Show
        when={!running()}
        fallback={
          <ProgressBar
            label={props.view.restore.kind === "undo" ? "Undoing the restore" : "Restoring"}
            state="running"
            detail="Writing to your store and checking the result..."
          />
        }
      >
        <div class="row">
          <StatusBadge status={props.view.restore.status} />
          <strong>
            {props.view.restore.status === "done"
              ? props.view.restore.kind === "undo"
                ? "Undo complete"
                : "Restore complete"
              : props.view.restore.kind === "undo"
                ? "Undo failed"
                : "Restore failed"}
          </strong>
        </div>
        <For each={props.view.items}>
          {(i) => (
            <p class={i.status === "error" ? "message message--danger" : "message"}>
              {i.message}
              <Show when={i.newId}>
                {(newId) => (
                  <>
                    {" "}
                    <A href={`/vault/items/${encodeURIComponent(i.type)}/${encodeURIComponent(newId())}`}>
                      Open the new record #{newId()}
                    </A>
                  </>
                )}
              </Show>
            </p>
          )}
        </For>
        <Show
          when={
            props.onUndo &&
            props.view.restore.status === "done" &&
            !props.view.restore.undoneBy &&
            item()?.action !== "unchanged"
          }
        >
          <div>
            <Button variant="secondary" onClick={() => props.onUndo?.()}>
              Undo this restore
            </Button>
          </div>
        </Show>
      </Show>
    </div>
  );
}

type RestoreButtonProps = {
  type: string;
  id: string;
  recordName: string;
  version: VersionMeta | undefined;
  currentDeleted: boolean;
  onFinished: () => void;
  /** Hands the page a way to ask for an undo (from the history table). */
  register?: (api: { undo: (restoreId: string) => void }) => void;
};

/** Restore to this version: confirm, then progress, then the result (with undo). */
export function RestoreControl(props: RestoreButtonProps) {
  const [confirming, setConfirming] = createSignal(false);
  const [undoing, setUndoing] = createSignal<string>();
  const watch = watchRestore(() => props.onFinished());

  const disabledReason = () => {
    if (!props.version) return "Choose a version first.";
    if (props.version.change === "deleted")
      return "This version records the deletion; choose one with the record's content.";
    const v = watch.view();
    if (v && (v.restore.status === "planned" || v.restore.status === "progressing"))
      return "A restore is running.";
    return null;
  };

  const start = async () => {
    if (!props.version) return;
    try {
      const { restoreId } = await vaultItemsApi.restore(props.type, props.id, props.version.id);
      watch.start(restoreId);
    } catch (err) {
      if (err instanceof ApiError && err.code === "job_running")
        throw new Error(
          "A backup or another restore is running for your store. Try again when it has finished.",
        );
      throw err;
    }
  };

  const undo = async (restoreId: string) => {
    const { restoreId: undoId } = await vaultItemsApi.undo(restoreId);
    watch.start(undoId);
  };
  props.register?.({ undo: (restoreId) => setUndoing(restoreId) });

  return (
    <div class="stack">
      <div>
        <Button variant="primary" onClick={() => setConfirming(true)} disabledReason={disabledReason()}>
          Restore to this version
        </Button>
      </div>
      <ConfirmDialog
        open={confirming()}
        onOpenChange={setConfirming}
        title="Restore to this version?"
        confirmLabel="Confirm"
        onConfirm={start}
      >
        <p>
          {props.currentDeleted
            ? `"${props.recordName}" was deleted from your store. It will be re-created as it was on ${formatDateTime(props.version?.capturedAt ?? 0)}; BigCommerce gives it a new ID.`
            : `"${props.recordName}" in your store will be changed to match the version of ${formatDateTime(props.version?.capturedAt ?? 0)}.`}
        </p>
        <p class="muted small">
          Its current state is saved first, so you can undo this restore from this page.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={undoing() !== undefined}
        onOpenChange={(open) => !open && setUndoing(undefined)}
        title="Undo this restore?"
        confirmLabel="Confirm"
        onConfirm={() => undo(undoing() as string)}
      >
        <p>
          The record goes back to the state saved just before the restore. A record the restore re-created is
          deleted again.
        </p>
      </ConfirmDialog>
      <Show when={watch.error()}>
        <p class="field-error" role="alert">
          {watch.error()}
        </p>
      </Show>
      <Show when={watch.view()}>
        {(v) => <RestoreResult view={v()} type={props.type} onUndo={() => setUndoing(v().restore.id)} />}
      </Show>
    </div>
  );
}
