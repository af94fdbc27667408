import { createSignal, For, type JSX, Show } from "solid-js";
import { Button } from "../button";
import type { JsonRecord } from "./vault-api";

const readPath = (record: JsonRecord, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (cur, part) => (cur && typeof cur === "object" ? (cur as JsonRecord)[part] : undefined),
      record,
    );

const humanize = (field: string) => field.replace(/[._]/g, " ").replace(/^\w/, (c) => c.toUpperCase());

/** What a merchant recognises in a sub-resource: its name, SKU, label or id. */
function itemLabel(item: unknown): string {
  if (!item || typeof item !== "object") return String(item);
  const r = item as JsonRecord;
  const name = r.sku ?? r.name ?? r.display_name ?? r.label ?? r.email ?? r.address1 ?? r.code ?? r.id;
  const price = r.price !== undefined && r.price !== null ? ` · ${String(r.price)}` : "";
  return `${String(name ?? "item")}${price}`;
}

/** Re-renders when the value changes (a refetched record), so it reads `props.value` inside the JSX. */
function SummaryValue(props: { value: unknown }): JSX.Element {
  return <>{summaryValue(props.value)}</>;
}

function summaryValue(v: unknown): JSX.Element {
  if (v === undefined || v === null || v === "") return <span class="muted">—</span>;
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">none</span>;
    if (v.every((x) => typeof x !== "object")) return <>{v.join(", ")}</>;
    return (
      <details>
        <summary>
          {v.length} {v.length === 1 ? "item" : "items"}
        </summary>
        <ul class="summary-list">
          <For each={v.slice(0, 50)}>{(item) => <li>{itemLabel(item)}</li>}</For>
          <Show when={v.length > 50}>
            <li class="muted">and {v.length - 50} more</li>
          </Show>
        </ul>
      </details>
    );
  }
  if (typeof v === "object") {
    return (
      <>
        {Object.entries(v as JsonRecord)
          .filter(([, x]) => typeof x !== "object" || x === null)
          .slice(0, 6)
          .map(([k, x]) => `${humanize(k)}: ${String(x)}`)
          .join(" · ")}
      </>
    );
  }
  if (typeof v === "boolean") return <>{v ? "Yes" : "No"}</>;
  return <>{String(v)}</>;
}

/** The Summary tab: the type's important fields (from the registry), in order. */
export function RecordSummary(props: { record: JsonRecord; fields: string[]; only?: Set<string> }) {
  const fields = () => props.fields.filter((f) => !props.only || props.only.has(f.split(".")[0]));
  return (
    <Show when={fields().length > 0} fallback={<p class="muted">No summary field differs.</p>}>
      <dl class="record-summary">
        <For each={fields()}>
          {(field) => (
            <div
              class="record-summary__row"
              data-changed={props.only?.has(field.split(".")[0]) ? "true" : undefined}
            >
              <dt>{humanize(field)}</dt>
              <dd>
                <SummaryValue value={readPath(props.record, field)} />
              </dd>
            </div>
          )}
        </For>
      </dl>
    </Show>
  );
}

/** Pretty-printed JSON with a copy button (Source Code tab). */
export function SourceCode(props: { record: JsonRecord; only?: Set<string>; label: string }) {
  const [copied, setCopied] = createSignal(false);
  const text = () => {
    const shown = props.only
      ? Object.fromEntries(Object.entries(props.record).filter(([k]) => props.only?.has(k)))
      : props.record;
    return JSON.stringify(shown, null, 2);
  };
  const copy = async () => {
    await navigator.clipboard.writeText(text());
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div class="source-code">
      <div class="row">
        <span class="spacer" />
        <Button variant="secondary" onClick={copy} aria-label={`Copy ${props.label}`}>
          {copied() ? "Copied" : "Copy"}
        </Button>
      </div>
      <section aria-label={`${props.label} source`}>
        <pre tabindex="0">
          <code>{text()}</code>
        </pre>
      </section>
    </div>
  );
}

/** Offers a version's JSON as a file (team-assisted types, or to keep a copy). */
export function downloadJson(name: string, record: unknown) {
  const blob = new Blob([JSON.stringify(record, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
