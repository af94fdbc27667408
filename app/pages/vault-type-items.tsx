import { A, useParams, useSearchParams } from "@solidjs/router";
import { createResource, For, Show } from "solid-js";
import { errorMessage, lastGood } from "../api";
import { Card } from "../components/card";
import { type Column, DataTable } from "../components/data-table";
import { EmptyState } from "../components/empty-state";
import { Pagination } from "../components/pagination";
import { SearchInput } from "../components/search-input";
import { StatusBadge } from "../components/status-badge";
import {
  type DeletedFilter,
  type ItemSort,
  type VaultItem,
  vaultItemsApi,
} from "../components/vault/vault-api";
import { formatBytes, formatDateTime, formatNumber } from "../format";
import "../components/vault/vault.css";
import { HelpLink } from "../components/help-link";

const PAGE_SIZE = 50;

const sorts: { value: ItemSort; label: string }[] = [
  { value: "changed_desc", label: "Last change, newest first" },
  { value: "changed_asc", label: "Last change, oldest first" },
  { value: "name_asc", label: "Name, A to Z" },
  { value: "name_desc", label: "Name, Z to A" },
];

const deletedFilters: { value: DeletedFilter; label: string }[] = [
  { value: "include", label: "All items" },
  { value: "exclude", label: "Without deleted items" },
  { value: "only", label: "Deleted items only" },
];

const itemHref = (type: string, id: string) =>
  `/vault/items/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

/**
 * Backup Vault > a content type's items (guide section 4): searchable by name, SKU, email, code or id,
 * sortable by last change, deleted records marked with their deletion date; and a search across every
 * type that also finds old names and deleted records. State lives in the URL so Back returns to the page.
 */
export default function VaultTypeItems() {
  const params = useParams();
  const [search, setSearch] = useSearchParams<{
    q?: string;
    page?: string;
    sort?: string;
    deleted?: string;
    all?: string;
  }>();
  const query = () => ({
    type: params.type ?? "",
    q: search.q ?? "",
    page: Math.max(1, Number(search.page ?? 1) || 1),
    pageSize: PAGE_SIZE,
    sort: (sorts.some((s) => s.value === search.sort) ? search.sort : "changed_desc") as ItemSort,
    deleted: (deletedFilters.some((d) => d.value === search.deleted)
      ? search.deleted
      : "include") as DeletedFilter,
  });
  const [page] = createResource(query, ({ type, ...q }) => vaultItemsApi.items(type, q));
  const [everywhere] = createResource(
    () => search.all?.trim() || undefined,
    (q) => vaultItemsApi.search(q),
  );
  const data = () => lastGood(page);
  const label = () => data()?.type.label ?? params.type;

  const columns: Column<VaultItem>[] = [
    {
      header: "Name",
      cell: (item) => <A href={itemHref(params.type ?? "", item.id)}>{item.name}</A>,
    },
    { header: "ID", cell: (item) => <code>{item.id}</code> },
    { header: "Last change", cell: (item) => formatDateTime(item.lastChangedAt) },
    { header: "Versions", numeric: true, cell: (item) => formatNumber(item.versionCount) },
    { header: "Size", numeric: true, cell: (item) => formatBytes(item.size) },
    {
      header: "Status",
      cell: (item) => (
        <Show when={item.deleted} fallback={<span class="muted">In store</span>}>
          <span class="row">
            <StatusBadge status="deleted" />
            <span class="small">{item.deletedAt ? `on ${formatDateTime(item.deletedAt)}` : ""}</span>
          </span>
        </Show>
      ),
    },
  ];

  return (
    <div class="stack-l">
      <nav aria-label="Breadcrumb" class="small">
        <A href="/vault">Item Storage</A> › {label()}
      </nav>
      <div class="page-header__text">
        <div class="row">
          <h2>{label()}</h2>
          <HelpLink topic="vault" />
        </div>
        <Show when={data()}>
          {(d) => (
            <p class="muted">
              {formatNumber(d().total)} {d().total === 1 ? "item" : "items"}
              {d().type.restoreMode === "team_assisted" ? " · restored with our team's help" : ""}
            </p>
          )}
        </Show>
      </div>

      <Card>
        <div class="stack">
          <div class="vault-filters">
            <SearchInput
              label={`Search ${label()} by name, SKU, email, code or ID`}
              placeholder="Name, SKU, email, code or ID"
              value={search.q ?? ""}
              onSearch={(q) => setSearch({ q: q || undefined, page: undefined })}
            />
            <div class="field">
              <label for="vault-sort">Sort by</label>
              <select
                id="vault-sort"
                class="input"
                value={query().sort}
                onChange={(e) => setSearch({ sort: e.currentTarget.value, page: undefined })}
              >
                <For each={sorts}>{(s) => <option value={s.value}>{s.label}</option>}</For>
              </select>
            </div>
            <div class="field">
              <label for="vault-deleted">Show</label>
              <select
                id="vault-deleted"
                class="input"
                value={query().deleted}
                onChange={(e) => setSearch({ deleted: e.currentTarget.value, page: undefined })}
              >
                <For each={deletedFilters}>{(d) => <option value={d.value}>{d.label}</option>}</For>
              </select>
            </div>
          </div>
          <Show when={page.error}>
            <p class="message message--danger" role="alert">
              {errorMessage(page.error)}
            </p>
          </Show>
          <DataTable
            caption={`${label()} in the vault`}
            columns={columns}
            rows={data()?.items}
            rowKey={(item) => item.id}
            loading={page.loading}
            empty={
              <EmptyState title={query().q ? "No item matches your search" : "No backed-up items yet"}>
                {query().q
                  ? "Try another name, SKU, email, code or ID."
                  : "Items appear here after the first backup."}
              </EmptyState>
            }
          />
          <Pagination
            label={`${label()} pages`}
            page={query().page}
            pageSize={PAGE_SIZE}
            total={data()?.total}
            onPageChange={(p) => setSearch({ page: p > 1 ? String(p) : undefined })}
          />
        </div>
      </Card>

      <Card
        title="Search every content type"
        level={3}
        description="Finds a record by any name, SKU or email it ever had, deleted records included."
      >
        <div class="stack">
          <SearchInput
            label="Search every content type"
            placeholder="Name, SKU or email"
            value={search.all ?? ""}
            onSearch={(q) => setSearch({ all: q || undefined })}
          />
          <Show when={everywhere.error}>
            <p class="message message--danger" role="alert">
              {errorMessage(everywhere.error)}
            </p>
          </Show>
          <Show when={lastGood(everywhere)}>
            {(result) => (
              <Show
                when={result().items.length > 0}
                fallback={<p class="muted">No record of any type matches.</p>}
              >
                <ul class="search-results" aria-label="Records of every type">
                  <For each={result().items}>
                    {(hit) => (
                      <li>
                        <A href={itemHref(hit.type, hit.id)}>{hit.name}</A>{" "}
                        <span class="muted small">
                          {hit.typeLabel} · #{hit.id}
                        </span>
                        <Show when={hit.deleted}>
                          {" "}
                          <StatusBadge status="deleted" />
                        </Show>
                        <Show when={hit.matchedOldVersion}>
                          <span class="muted small"> · matched an earlier version</span>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            )}
          </Show>
        </div>
      </Card>
    </div>
  );
}
