import { Toast, toaster } from "@kobalte/core/toast";
import { Show } from "solid-js";
import { errorMessage } from "../api";
import { CloseIcon } from "./icons";

type Tone = "info" | "success" | "error";

function show(tone: Tone, title: string, description?: string) {
  return toaster.show((props) => (
    <Toast
      toastId={props.toastId}
      class={`toast toast--${tone}`}
      priority={tone === "error" ? "high" : "low"}
    >
      <div class="toast__body">
        <Toast.Title class="toast__title">{title}</Toast.Title>
        <Show when={description}>
          <Toast.Description>{description}</Toast.Description>
        </Show>
      </div>
      <Toast.CloseButton class="toast__close" aria-label="Dismiss">
        <CloseIcon size={16} />
      </Toast.CloseButton>
    </Toast>
  ));
}

/** Announces a failed action: the ApiError's message (or a generic one) under `title`. */
export function notifyError(error: unknown, title = "That did not work") {
  return show("error", title, errorMessage(error));
}

export function notifySuccess(title: string, description?: string) {
  return show("success", title, description);
}

export function notifyInfo(title: string, description?: string) {
  return show("info", title, description);
}

/** Where toasts appear; mounted once by the shell. */
export function ToastRegion() {
  return (
    <Toast.Region class="toast-region" duration={6000}>
      <Toast.List class="toast-list" />
    </Toast.Region>
  );
}
