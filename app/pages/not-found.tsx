import { A } from "@solidjs/router";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";

export default function NotFound() {
  return (
    <div class="stack-l">
      <PageHeader title="Page not found" />
      <EmptyState title="There is nothing at this address">
        Go back to <A href="/">Discovery</A> or pick a page in the navigation.
      </EmptyState>
    </div>
  );
}
