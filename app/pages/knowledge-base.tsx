import { A, useSearchParams } from "@solidjs/router";
import { createMemo, For, Show } from "solid-js";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";
import { SearchInput } from "../components/search-input";
import { searchArticles } from "../help/articles";

/** The Knowledge Base: every help page, searchable by title and text (in the browser, no server call). */
export default function KnowledgeBase() {
  const [params, setParams] = useSearchParams<{ q?: string }>();
  const query = () => params.q ?? "";
  const hits = createMemo(() => searchArticles(query()));
  return (
    <div class="stack-l">
      <PageHeader
        title="Knowledge Base"
        description="How Strongbox works, and what to do when something looks wrong."
      />
      <SearchInput
        label="Search the Knowledge Base"
        placeholder="Search help, e.g. restore, export, automatic sync"
        value={query()}
        onSearch={(q) => setParams({ q: q || undefined }, { replace: true })}
      />
      <Show when={query()}>
        <p class="muted small" role="status">
          {hits().length === 0
            ? `No help pages match "${query()}".`
            : `${hits().length} help page${hits().length === 1 ? "" : "s"} match "${query()}".`}
        </p>
      </Show>
      <Show
        when={hits().length > 0}
        fallback={
          <EmptyState title="No help pages match">
            Try another word, such as "restore", "export" or "schedule", or browse{" "}
            <A href="/help">all help pages</A>.
          </EmptyState>
        }
      >
        <ul
          class="summary-grid"
          aria-label="Help pages"
          style={{ "list-style": "none", padding: 0, margin: 0 }}
        >
          <For each={hits()}>
            {(hit) => (
              <li>
                <Card>
                  <h2 style={{ "font-size": "1.0625rem" }}>
                    <A href={`/help/${hit.article.slug}`}>{hit.article.title}</A>
                  </h2>
                  <p class="muted small">{hit.snippet ?? hit.article.summary}</p>
                </Card>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
