import { A, useParams } from "@solidjs/router";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { PageHeader } from "../components/page-header";
import { helpTopics } from "./knowledge-base";

/** One Knowledge Base page. Placeholder until the help content is written. */
export default function KnowledgeBaseTopic() {
  const params = useParams();
  const topic = () => helpTopics.find((t) => t.slug === params.topic);
  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/help">Knowledge Base</A> › {topic()?.title ?? params.topic}
      </nav>
      <PageHeader title={topic()?.title ?? "Help page not found"} />
      <Card>
        <EmptyState title="This page is being written">
          Meanwhile, <A href="/help">browse the Knowledge Base</A>.
        </EmptyState>
      </Card>
    </div>
  );
}
