import { For } from "solid-js";

export type RecordView = "summary" | "json" | "source";

const views: { key: RecordView; label: string }[] = [
  { key: "summary", label: "Summary" },
  { key: "json", label: "Json" },
  { key: "source", label: "Source Code" },
];

/** Summary / Json / Source Code, shared by both sides of the compare view (arrow keys move between tabs). */
export function ViewTabs(props: { value: RecordView; onChange: (view: RecordView) => void }) {
  const move = (e: KeyboardEvent) => {
    const i = views.findIndex((v) => v.key === props.value);
    const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const view = views[(next + views.length) % views.length];
    props.onChange(view.key);
    document.getElementById(`record-view-${view.key}`)?.focus();
  };
  return (
    <div class="tabs view-tabs" role="tablist" aria-label="Record view" onKeyDown={move}>
      <For each={views}>
        {(v) => (
          <button
            type="button"
            role="tab"
            id={`record-view-${v.key}`}
            aria-selected={props.value === v.key}
            tabindex={props.value === v.key ? 0 : -1}
            class="view-tabs__tab"
            onClick={() => props.onChange(v.key)}
          >
            {v.label}
          </button>
        )}
      </For>
    </div>
  );
}
