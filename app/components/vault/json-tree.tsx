import { For, type JSX, Match, Show, Switch } from "solid-js";

type JsonTreeProps = {
  value: unknown;
  /** Top-level fields to show (View change only); all when undefined. */
  only?: Set<string>;
  /** Levels open at first. */
  openDepth?: number;
};

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  v !== null && typeof v === "object";

function Scalar(props: { value: unknown }): JSX.Element {
  return (
    <Switch fallback={<span class="json-tree__string">"{String(props.value)}"</span>}>
      <Match when={props.value === null}>
        <span class="json-tree__null">null</span>
      </Match>
      <Match when={typeof props.value === "number" || typeof props.value === "boolean"}>
        <span class="json-tree__number">{String(props.value)}</span>
      </Match>
    </Switch>
  );
}

function Node(props: { name: string; value: unknown; depth: number; openDepth: number }): JSX.Element {
  return (
    <Show
      when={isContainer(props.value)}
      fallback={
        <li>
          <span class="json-tree__key">{props.name}</span>: <Scalar value={props.value} />
        </li>
      }
    >
      <li>
        <details open={props.depth < props.openDepth}>
          <summary>
            <span class="json-tree__key">{props.name}</span>{" "}
            <span class="muted small">
              {Array.isArray(props.value)
                ? `[${(props.value as unknown[]).length}]`
                : `{${Object.keys(props.value as object).length}}`}
            </span>
          </summary>
          <Entries
            value={props.value as Record<string, unknown>}
            depth={props.depth + 1}
            openDepth={props.openDepth}
          />
        </details>
      </li>
    </Show>
  );
}

function Entries(props: {
  value: Record<string, unknown> | unknown[];
  depth: number;
  openDepth: number;
  only?: Set<string>;
}): JSX.Element {
  const entries = () =>
    Object.entries(props.value).filter(([k]) => !props.only || props.only.has(k)) as [string, unknown][];
  return (
    <ul class="json-tree__list">
      <For each={entries()}>
        {([k, v]) => <Node name={k} value={v} depth={props.depth} openDepth={props.openDepth} />}
      </For>
    </ul>
  );
}

/** A record as a collapsible tree (objects and arrays fold; the first level is open). */
export function JsonTree(props: JsonTreeProps) {
  return (
    <div class="json-tree" role="tree" aria-label="JSON">
      <Show when={isContainer(props.value)} fallback={<Scalar value={props.value} />}>
        <Entries
          value={props.value as Record<string, unknown>}
          depth={0}
          openDepth={props.openDepth ?? 1}
          only={props.only}
        />
      </Show>
    </div>
  );
}
