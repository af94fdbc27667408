import { Dialog } from "@kobalte/core/dialog";
import { createSignal, type JSX, Show } from "solid-js";
import { errorMessage } from "../api";
import { Button } from "./button";

type ConfirmDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  children?: JSX.Element;
  /** Label of the confirming button (default "Confirm", as the guide names it). */
  confirmLabel?: string;
  cancelLabel?: string;
  variant?: "primary" | "danger";
  /**
   * Runs when the merchant confirms. While its promise is pending the buttons are disabled; if it
   * rejects, the message is shown inside the dialog and the dialog stays open.
   */
  onConfirm: () => unknown | Promise<unknown>;
};

/** A modal asking to confirm an action that changes data (role "dialog", focus trapped, Escape cancels). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onOpenChange(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onOpenChange={(open) => {
        if (!busy()) {
          setError(undefined);
          props.onOpenChange(open);
        }
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay class="dialog-overlay" />
        <div class="dialog-positioner">
          <Dialog.Content class="dialog">
            <Dialog.Title as="h2">{props.title}</Dialog.Title>
            <Show when={props.children}>
              <Dialog.Description as="div">{props.children}</Dialog.Description>
            </Show>
            <Show when={error()}>
              <p class="field-error" role="alert">
                {error()}
              </p>
            </Show>
            <div class="dialog__actions">
              <Dialog.CloseButton as={Button} variant="secondary" disabled={busy()}>
                {props.cancelLabel ?? "Cancel"}
              </Dialog.CloseButton>
              <Button variant={props.variant ?? "primary"} disabled={busy()} onClick={confirm}>
                {props.confirmLabel ?? "Confirm"}
              </Button>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  );
}
