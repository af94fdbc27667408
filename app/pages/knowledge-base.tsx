import { A } from "@solidjs/router";
import { createMemo, createSignal, For, Show } from "solid-js";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";
import { SearchInput } from "../components/search-input";

/** The help topics; their pages are written by the Knowledge Base work. */
export const helpTopics = [
  {
    slug: "getting-started",
    title: "Getting started",
    summary: "Your first backup and what Discovery shows.",
  },
  {
    slug: "what-is-backed-up",
    title: "What is backed up",
    summary: "Content types covered, and what is not (and why).",
  },
  {
    slug: "compare-and-restore",
    title: "Compare and restore one record",
    summary: "Find a record, compare versions, restore.",
  },
  {
    slug: "bulk-recovery",
    title: "Bulk Recovery",
    summary: "Restore many records and what team-assisted means.",
  },
  { slug: "exports", title: "Exports and schedules", summary: "Quick Export, Schedule Export and History." },
  {
    slug: "troubleshooting",
    title: "Troubleshooting",
    summary: "When a change, a restore or an export is not what you expect.",
  },
  { slug: "best-practices", title: "Best practices", summary: "Habits that keep your store safe." },
];

export default function KnowledgeBase() {
  const [query, setQuery] = createSignal("");
  const found = createMemo(() => {
    const q = query().toLowerCase();
    return helpTopics.filter((t) => !q || `${t.title} ${t.summary}`.toLowerCase().includes(q));
  });
  return (
    <div class="stack-l">
      <PageHeader
        title="Knowledge Base"
        description="How Strongbox works and what to do when something looks wrong."
      />
      <SearchInput label="Search the Knowledge Base" onSearch={setQuery} />
      <Show
        when={found().length > 0}
        fallback={
          <EmptyState title="No help pages match">
            Try another word, such as "restore" or "export".
          </EmptyState>
        }
      >
        <ul class="summary-grid" style={{ "list-style": "none", padding: 0, margin: 0 }}>
          <For each={found()}>
            {(topic) => (
              <li>
                <Card>
                  <h2 style={{ "font-size": "1.0625rem" }}>
                    <A href={`/help/${topic.slug}`}>{topic.title}</A>
                  </h2>
                  <p class="muted small">{topic.summary}</p>
                </Card>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
