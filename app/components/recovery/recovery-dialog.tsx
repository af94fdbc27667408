import { Dialog } from "@kobalte/core/dialog";
import type { JSX } from "solid-js";
import { Button } from "../button";

/** A read-only dialog (Version differences, View Detail): a title, content, and Close. */
export function RecoveryDialog(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: JSX.Element;
  actions?: JSX.Element;
}) {
  return (
    <Dialog open={props.open} onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay class="dialog-overlay" />
        <div class="dialog-positioner">
          <Dialog.Content class="dialog" style={{ "max-width": "min(960px, 94vw)", width: "100%" }}>
            <Dialog.Title as="h2">{props.title}</Dialog.Title>
            <div class="stack" style={{ "max-height": "70vh", overflow: "auto" }}>
              {props.children}
            </div>
            <div class="dialog__actions">
              {props.actions}
              <Dialog.CloseButton as={Button} variant="secondary" aria-label="Close">
                Close
              </Dialog.CloseButton>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  );
}
