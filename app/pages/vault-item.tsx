import { A, useParams } from "@solidjs/router";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";

/**
 * Backup Vault > item version page (guide sections 5–6): Current version on the left, Selected version
 * on the right, Summary/Json/Source Code, Restore to this version. Placeholder for the compare work.
 */
export default function VaultItem() {
  const params = useParams();
  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/vault">Item Storage</A> ›{" "}
        <A href={`/vault/types/${encodeURIComponent(params.type ?? "")}`}>{params.type}</A> › {params.id}
      </nav>
      <h2>
        {params.type} #{params.id}
      </h2>
      <div style={{ display: "grid", "grid-template-columns": "1fr 1fr", gap: "16px" }}>
        <Card title="Current version" level={3}>
          <EmptyState title="Not loaded yet">The live record from your store will be shown here.</EmptyState>
        </Card>
        <Card title="Selected version" level={3}>
          <EmptyState title="No version selected">
            Choose a backed-up version to compare and restore.
          </EmptyState>
        </Card>
      </div>
    </div>
  );
}
