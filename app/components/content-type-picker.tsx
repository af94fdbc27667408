import { createEffect, createMemo, For, type JSX, Show } from "solid-js";
import type { ContentGroup } from "../api";

export type PickableType = { type: string; label: string; group: ContentGroup };

/** The two content groups, in the order and words of the guide's Item Storage. */
export const contentGroups: { group: ContentGroup; label: string }[] = [
  { group: "store", label: "Store business data" },
  { group: "content", label: "Theme and content data" },
];

type ContentTypePickerProps = {
  /** Types to offer (from the API, e.g. `GET /api/vault/types`). Groups without types are not shown. */
  types: PickableType[];
  /** Selected type keys. */
  selected: string[];
  onChange: (selected: string[]) => void;
  /** Heading of the picker; the guide uses "Select content type to export" or "Select categories to restore". */
  legend?: string;
  /** A reason a type cannot be picked (e.g. outside the plan), or undefined when it can. */
  disabledReason?: (type: PickableType) => string | undefined;
  /** Extra text after a type's label, e.g. an item count. */
  detail?: (type: PickableType) => JSX.Element;
};

let nextId = 0;

/**
 * A checkbox tree of content types grouped as in Item Storage, with an "All items" checkbox per group
 * (checked when all of the group's available types are, mixed when some are).
 */
export function ContentTypePicker(props: ContentTypePickerProps) {
  const uid = ++nextId;
  const selectedSet = createMemo(() => new Set(props.selected));
  const groups = createMemo(() =>
    contentGroups
      .map((g) => ({ ...g, types: props.types.filter((t) => t.group === g.group) }))
      .filter((g) => g.types.length > 0),
  );
  const available = (types: PickableType[]) => types.filter((t) => !props.disabledReason?.(t));

  const toggle = (type: string, on: boolean) => {
    const next = new Set(selectedSet());
    if (on) next.add(type);
    else next.delete(type);
    props.onChange(props.types.map((t) => t.type).filter((t) => next.has(t)));
  };
  const toggleAll = (types: PickableType[], on: boolean) => {
    const next = new Set(selectedSet());
    for (const t of available(types)) {
      if (on) next.add(t.type);
      else next.delete(t.type);
    }
    props.onChange(props.types.map((t) => t.type).filter((t) => next.has(t)));
  };

  return (
    <div class="stack">
      <Show when={props.legend}>
        <h3 id={`type-picker-${uid}`}>{props.legend}</h3>
      </Show>
      <fieldset class="type-picker" aria-labelledby={props.legend ? `type-picker-${uid}` : undefined}>
        <For each={groups()}>
          {(group) => {
            const pickable = () => available(group.types);
            const count = () => pickable().filter((t) => selectedSet().has(t.type)).length;
            const all = () => pickable().length > 0 && count() === pickable().length;
            const some = () => count() > 0 && !all();
            return (
              <fieldset class="type-group">
                <legend>{group.label}</legend>
                <label class="check check--all">
                  <input
                    type="checkbox"
                    checked={all()}
                    ref={(el) => createEffect(() => (el.indeterminate = some()))}
                    disabled={pickable().length === 0}
                    aria-label={`All items (${group.label})`}
                    onChange={(event) => toggleAll(group.types, event.currentTarget.checked)}
                  />
                  All items
                </label>
                <ul>
                  <For each={group.types}>
                    {(type) => {
                      const reason = () => props.disabledReason?.(type);
                      return (
                        <li>
                          <label class="check" title={reason()}>
                            <input
                              type="checkbox"
                              name="content-type"
                              value={type.type}
                              checked={selectedSet().has(type.type)}
                              disabled={!!reason()}
                              onChange={(event) => toggle(type.type, event.currentTarget.checked)}
                            />
                            <span>
                              {type.label}
                              <Show when={props.detail}>
                                <span class="muted small"> {props.detail?.(type)}</span>
                              </Show>
                              <Show when={reason()}>
                                <span class="muted small"> ({reason()})</span>
                              </Show>
                            </span>
                          </label>
                        </li>
                      );
                    }}
                  </For>
                </ul>
              </fieldset>
            );
          }}
        </For>
      </fieldset>
    </div>
  );
}
