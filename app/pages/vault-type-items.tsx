import { A, useParams } from "@solidjs/router";
import { createResource, Show } from "solid-js";
import { lastGood, vaultApi } from "../api";
import { Card } from "../components/card";
import { EmptyState } from "../components/empty-state";
import { SearchInput } from "../components/search-input";
import { formatBytes, formatNumber } from "../format";

/**
 * Backup Vault > a content type's items (guide section 4). Placeholder: the searchable, paginated item
 * list is built with the vault item API.
 */
export default function VaultTypeItems() {
  const params = useParams();
  const [types] = createResource(vaultApi.types);
  const row = () => lastGood(types)?.find((t) => t.type === params.type);
  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/vault">Item Storage</A> › {row()?.label ?? params.type}
      </nav>
      <div class="page-header__text">
        <h2>{row()?.label ?? params.type}</h2>
        <Show when={row()}>
          {(r) => (
            <p class="muted">
              {formatNumber(r().items)} items · {formatBytes(r().bytes)}
            </p>
          )}
        </Show>
      </div>
      <Card>
        <div class="stack">
          <SearchInput label={`Search ${row()?.label ?? "items"}`} onSearch={() => {}} />
          <EmptyState title="Item list coming soon">
            The items of this content type, with their versions, will be listed here.
          </EmptyState>
        </div>
      </Card>
    </div>
  );
}
