import { createSignal, For, onMount, Show } from "solid-js";
import { CloseIcon } from "./icons";

/** The format the guide asks for: name@example.com (a dot in the domain, no spaces). */
const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const isValidEmail = (value: string) => emailPattern.test(value.trim());

type EmailChipsProps = {
  /** The chosen recipients. */
  emails: string[];
  onChange: (emails: string[]) => void;
  /** Added when the list starts empty (usually the signed-in user's email). */
  defaultEmail?: string;
  /** Field label; the guide calls it "Your emails". */
  label?: string;
  /** id for the input, so an outer label or error can point at it. */
  id?: string;
};

let nextId = 0;

/**
 * Notification recipients as chips (guide section 13): type an address and press Enter or click
 * "+ Add"; each chip has a remove button; invalid and duplicate addresses are refused with a message.
 */
export function EmailChips(props: EmailChipsProps) {
  const uid = ++nextId;
  const inputId = props.id ?? `email-chips-${uid}`;
  const messageId = `email-chips-message-${uid}`;
  const [draft, setDraft] = createSignal("");
  const [message, setMessage] = createSignal<string>();
  let input: HTMLInputElement | undefined;

  onMount(() => {
    if (props.emails.length === 0 && props.defaultEmail && isValidEmail(props.defaultEmail)) {
      props.onChange([props.defaultEmail.trim()]);
    }
  });

  const add = () => {
    const email = draft().trim().replace(/,$/, "");
    if (!email) {
      input?.focus();
      return;
    }
    if (!isValidEmail(email)) {
      setMessage(`"${email}" is not a valid email address. Use the format name@example.com.`);
      return;
    }
    if (props.emails.some((existing) => existing.toLowerCase() === email.toLowerCase())) {
      setMessage(`${email} is already in the list.`);
      return;
    }
    props.onChange([...props.emails, email]);
    setDraft("");
    setMessage(undefined);
    input?.focus();
  };

  const remove = (email: string) => {
    props.onChange(props.emails.filter((existing) => existing !== email));
    setMessage(undefined);
    input?.focus();
  };

  return (
    <div class="field">
      <label for={inputId}>{props.label ?? "Your emails"}</label>
      <div class="email-chips">
        <ul aria-label="Recipients">
          <For each={props.emails}>
            {(email) => (
              <li class="chip">
                <span>{email}</span>
                <button type="button" aria-label={`Remove ${email}`} onClick={() => remove(email)}>
                  <CloseIcon size={14} />
                </button>
              </li>
            )}
          </For>
        </ul>
        <input
          ref={input}
          id={inputId}
          class="input"
          type="email"
          inputMode="email"
          autocomplete="email"
          placeholder="name@example.com"
          value={draft()}
          aria-invalid={message() ? "true" : undefined}
          aria-describedby={messageId}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            if (message()) setMessage(undefined);
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" || event.key === ",") {
              event.preventDefault();
              add();
            } else if (event.key === "Backspace" && !draft() && props.emails.length > 0) {
              remove(props.emails[props.emails.length - 1]);
            }
          }}
        />
        <button type="button" class="btn btn--link" onClick={add}>
          + Add
        </button>
      </div>
      <p id={messageId} class="field-error" aria-live="polite">
        <Show when={message()}>{message()}</Show>
      </p>
      <Show when={props.emails.length === 0 && !message()}>
        <p class="muted small">Add at least one email address to receive notifications.</p>
      </Show>
    </div>
  );
}
