import { For, type JSX, Show } from "solid-js";

export type Column<Row> = {
  /** Column heading. */
  header: string;
  /** Cell content for a row. */
  cell: (row: Row) => JSX.Element;
  /** Right-aligned, tabular figures (counts, sizes). */
  numeric?: boolean;
  /** Hide the heading visually (e.g. an actions column) but keep it for screen readers. */
  hideHeader?: boolean;
};

type DataTableProps<Row> = {
  /** Caption naming the table for assistive technology (visually hidden unless `showCaption`). */
  caption: string;
  showCaption?: boolean;
  columns: Column<Row>[];
  rows: Row[] | undefined;
  /** Stable key of a row, used as the row's `data-key`. */
  rowKey?: (row: Row) => string;
  loading?: boolean;
  /** Shown instead of the table when there are no rows (typically an EmptyState). */
  empty?: JSX.Element;
  /** Shown under the table, typically a Pagination. */
  footer?: JSX.Element;
};

/** A plain, accessible table (real `<table>` with a caption and column headers). */
export function DataTable<Row>(props: DataTableProps<Row>) {
  return (
    <Show
      when={props.loading || (props.rows && props.rows.length > 0) || !props.empty}
      fallback={props.empty}
    >
      <div class="table-wrap">
        <table class="table" aria-busy={props.loading ? "true" : undefined}>
          <caption class={props.showCaption ? "muted small" : "visually-hidden"}>{props.caption}</caption>
          <thead>
            <tr>
              <For each={props.columns}>
                {(column) => (
                  <th scope="col" class={column.numeric ? "num" : undefined}>
                    {column.hideHeader ? <span class="visually-hidden">{column.header}</span> : column.header}
                  </th>
                )}
              </For>
            </tr>
          </thead>
          <tbody>
            <Show
              when={!props.loading}
              fallback={
                <tr>
                  <td colSpan={props.columns.length}>
                    <div class="skeleton" style={{ height: "20px" }} />
                  </td>
                </tr>
              }
            >
              <For each={props.rows}>
                {(row) => (
                  <tr data-key={props.rowKey?.(row)}>
                    <For each={props.columns}>
                      {(column) => <td class={column.numeric ? "num" : undefined}>{column.cell(row)}</td>}
                    </For>
                  </tr>
                )}
              </For>
            </Show>
          </tbody>
        </table>
      </div>
      {props.footer}
    </Show>
  );
}
