import { Show } from "solid-js";
import { formatNumber } from "../format";
import { Button } from "./button";

type PaginationProps = {
  /** 1-based current page. */
  page: number;
  pageSize: number;
  /** Total number of items, when the server knows it. */
  total?: number;
  /** Whether a next page exists, for cursor-style lists without a total. */
  hasMore?: boolean;
  onPageChange: (page: number) => void;
  /** What is being paged, e.g. "products" (used in the accessible name). */
  label?: string;
};

/** Previous/next paging with "1–25 of 1,024". */
export function Pagination(props: PaginationProps) {
  const first = () => (props.page - 1) * props.pageSize + 1;
  const last = () => {
    const end = props.page * props.pageSize;
    return props.total === undefined ? end : Math.min(end, props.total);
  };
  const hasNext = () => (props.total === undefined ? !!props.hasMore : last() < props.total);
  return (
    <nav class="pagination" aria-label={`Pages of ${props.label ?? "results"}`}>
      <span aria-live="polite">
        {formatNumber(first())}–{formatNumber(last())}
        <Show when={props.total !== undefined}> of {formatNumber(props.total)}</Show>
      </span>
      <Button
        variant="secondary"
        disabled={props.page <= 1}
        onClick={() => props.onPageChange(props.page - 1)}
      >
        Previous
      </Button>
      <Button variant="secondary" disabled={!hasNext()} onClick={() => props.onPageChange(props.page + 1)}>
        Next
      </Button>
    </nav>
  );
}
