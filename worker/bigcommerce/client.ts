import { type Clock, QuotaPacer, realClock } from "./pacer";
import type { ChildSpec, ContentType } from "./registry";

/** A BigCommerce record as the API returns it. */
export type ApiRecord = Record<string, unknown>;

/**
 * Where a listing stands; saved by jobs after every page so a resumed job asks for the next page,
 * never a page it already stored. `page` for page/v2 paging, `after` for cursors, `offset` for
 * sites, `index` for singletons.
 */
/** Where a listing continues; `total` carries a v2 list's size (from its count endpoint) to its later pages. */
export type ListCursor = { page?: number; after?: string; offset?: number; index?: number; total?: number };

export type ListOptions = {
  cursor?: ListCursor | null;
  parentId?: string;
  /** Only records modified at or after this time (the type's incremental filter). */
  modifiedSince?: number;
  /** Ids only (`include_fields=id` at the largest page): for cheap deletion checks. */
  idsOnly?: boolean;
  /** A long v2 list asks its count endpoint (registry `list.count`) once, so its pages can be read ahead. */
  withTotal?: boolean;
};

/** The v2 page that asks for the count too: two full pages came before it, so the list is long. */
const COUNT_AT_PAGE = 3;

/** `bytes`: the page's JSON text length, where known (what holding it parsed costs, roughly). */
export type ListPage = {
  records: ApiRecord[];
  next: ListCursor | null;
  total: number | null;
  bytes?: number;
};

export class BigCommerceError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`BigCommerce ${method} ${path} answered ${status}${detail ? `: ${detail.slice(0, 300)}` : ""}`);
  }
}

export type ClientOptions = {
  baseUrl: string;
  storeHash: string;
  token: string;
  pacer?: QuotaPacer;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Attempts for 5xx and network errors before giving up (default 4). */
  maxAttempts?: number;
  /** First back-off after a 5xx or network error; doubles each attempt (default 500 ms). */
  retryBaseMs?: number;
  /** 429s tolerated for one call before giving up (default 12). */
  maxThrottles?: number;
  /** A request that has not answered after this long is aborted and retried like a network error (default 60 s). */
  timeoutMs?: number;
};

type Query = Record<string, string | number | undefined>;

/**
 * Per-record child calls (complex rules) in flight at once. BigCommerce documents no concurrency cap
 * for these GETs (the caps it documents, 1–50, are on batch writes and a few other endpoints).
 */
const PER_RECORD_IN_FLIGHT = 4;

/**
 * Typed access to one store's v2 and v3 REST API. Every call goes through the store's pacer,
 * retries 5xx and network errors with bounded exponential back-off, and sleeps out 429s.
 */
export class BigCommerceClient {
  readonly pacer: QuotaPacer;
  private readonly doFetch: typeof fetch;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxThrottles: number;
  private readonly timeoutMs: number;
  /** Calls made by this client (the pacer counts the store's calls across clients). */
  calls = 0;
  /** Children found missing on this store (404/403 on their endpoint), skipped from then on. */
  readonly unavailable: Set<string>;

  constructor(
    private readonly opts: ClientOptions,
    unavailable = new Set<string>(),
  ) {
    this.clock = opts.clock ?? realClock;
    this.pacer = opts.pacer ?? new QuotaPacer(this.clock);
    this.doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxThrottles = opts.maxThrottles ?? 12;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.unavailable = unavailable;
  }

  /**
   * A client of the same store sharing this one's pacer and what it learnt, with its own call count:
   * work running beside this client's own (a listing page read ahead) counts its calls apart.
   */
  fork(): BigCommerceClient {
    return new BigCommerceClient({ ...this.opts, pacer: this.pacer, clock: this.clock }, this.unavailable);
  }

  /** `path` starting with `/v2/` or `/v3/` overrides `api`. Returns null body for 204/404-as-null when `allow404`. */
  async request<T = unknown>(
    method: string,
    api: "v2" | "v3",
    path: string,
    init: { query?: Query; body?: unknown; form?: FormData; allow404?: boolean } = {},
  ): Promise<{ status: number; body: T | null; headers: Headers; bytes?: number }> {
    const url = this.url(api, path, init.query);
    let failures = 0;
    let throttles = 0;
    for (;;) {
      await this.pacer.acquire();
      this.calls++;
      let res: Response;
      try {
        res = await this.doFetch(url, {
          method,
          headers: {
            "X-Auth-Token": this.opts.token,
            Accept: "application/json",
            ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
          },
          // A multipart form (image upload) sets its own Content-Type with the boundary.
          body: init.form ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
          // A hung connection must not stall the job's step forever.
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        failures++;
        if (failures >= this.maxAttempts) {
          throw new BigCommerceError(
            0,
            method,
            path,
            `network error after ${failures} attempts: ${String(err)}`,
          );
        }
        await this.clock.sleep(this.retryBaseMs * 2 ** (failures - 1));
        continue;
      }
      this.pacer.observe(res.headers);
      if (res.status === 429) {
        await res.body?.cancel();
        throttles++;
        if (throttles > this.maxThrottles)
          throw new BigCommerceError(429, method, path, "still rate limited after repeated waits");
        await this.pacer.onThrottled(res.headers);
        continue;
      }
      if (res.status >= 500) {
        const text = await res.text().catch(() => "");
        failures++;
        if (failures >= this.maxAttempts)
          throw new BigCommerceError(res.status, method, path, `${text} (after ${failures} attempts)`);
        await this.clock.sleep(this.retryBaseMs * 2 ** (failures - 1));
        continue;
      }
      if (res.status === 204) return { status: 204, body: null, headers: res.headers };
      if (res.status === 404 && init.allow404) {
        await res.body?.cancel();
        return { status: 404, body: null, headers: res.headers };
      }
      const text = await res.text();
      if (res.status >= 400) throw new BigCommerceError(res.status, method, path, text);
      return {
        status: res.status,
        body: text ? (JSON.parse(text) as T) : null,
        headers: res.headers,
        bytes: text.length,
      };
    }
  }

  /** One page of a type's list, from `cursor` (null = first page). */
  async listPage(type: ContentType, options: ListOptions = {}): Promise<ListPage> {
    const { list } = type;
    const cursor = options.cursor ?? {};
    if (list.paging === "singletons") return this.singletonPage(type, cursor.index ?? 0);

    const path = options.parentId
      ? list.path.replace("{parent}", encodeURIComponent(options.parentId))
      : list.path;
    const limit = list.pageSize;
    const query: Query = { ...(list.query ?? {}) };
    if (options.idsOnly) {
      delete query.include;
      query.include_fields = "id";
    }
    if (options.modifiedSince !== undefined && type.incremental) {
      query[type.incremental.param] = formatDate(options.modifiedSince, type.incremental.format);
    }
    query.limit = limit;

    switch (list.paging) {
      case "v3_page": {
        const page = cursor.page ?? 1;
        query.page = page;
        const { body, bytes } = await this.request<V3List>("GET", type.api, path, { query });
        const records = body?.data ?? [];
        const p = body?.meta?.pagination;
        const more = p ? p.current_page < p.total_pages : records.length >= limit;
        return { records, next: more ? { page: page + 1 } : null, total: p?.total ?? null, bytes };
      }
      case "v3_cursor": {
        if (cursor.after) query.after = cursor.after;
        else if (cursor.page) query.page = cursor.page;
        const { body } = await this.request<V3List>("GET", type.api, path, { query });
        const records = body?.data ?? [];
        const c = body?.meta?.cursor_pagination;
        if (c) {
          const more = Boolean(c.links?.next) && Boolean(c.end_cursor) && records.length > 0;
          return { records, next: more ? { after: c.end_cursor as string } : null, total: null };
        }
        // Endpoints that answer cursor requests with page metadata.
        const p = body?.meta?.pagination;
        const page = cursor.page ?? 1;
        const more = p ? p.current_page < p.total_pages : records.length >= limit;
        return { records, next: more ? { page: page + 1 } : null, total: p?.total ?? null };
      }
      case "v2_page": {
        const page = cursor.page ?? 1;
        // A v2 list says nothing of its size; its count endpoint (same filters) does, asked once with
        // the third page (a list of one or two pages gains nothing from it), so that the later pages
        // can be read ahead two at a time (backup-job.ts).
        let total = cursor.total ?? null;
        // The count takes the list's filters, not its own settings (includes, sort, paging).
        const filters = Object.fromEntries(
          Object.entries(query).filter(([k]) => k !== "limit" && !(k in (list.query ?? {}))),
        );
        const counted =
          page === COUNT_AT_PAGE && total === null && list.count && options.withTotal
            ? this.request<{ count?: number }>("GET", type.api, list.count, { query: filters })
            : null;
        counted?.catch(() => undefined);
        query.page = page;
        const { status, body, bytes } = await this.request<ApiRecord[]>("GET", type.api, path, { query });
        const records = status === 204 || !Array.isArray(body) ? [] : body;
        if (counted) {
          const c = (await counted).body?.count;
          total = typeof c === "number" ? c : null;
        }
        const next =
          records.length >= limit ? { page: page + 1, ...(total !== null ? { total } : {}) } : null;
        return { records, next, total, bytes };
      }
      case "v2_min_id": {
        if (cursor.after) query.min_id = Number(cursor.after) + 1;
        const { status, body } = await this.request<ApiRecord[]>("GET", type.api, path, { query });
        const records = status === 204 || !Array.isArray(body) ? [] : body;
        const last = records.length ? String(records[records.length - 1].id) : null;
        return { records, next: records.length >= limit && last ? { after: last } : null, total: null };
      }
      case "sites_offset": {
        const offset = cursor.offset ?? 0;
        query.offset = offset;
        const { body } = await this.request<V3List>("GET", type.api, path, { query });
        const records = body?.data ?? [];
        const p = body?.meta?.pagination;
        const total = p?.total_items ?? p?.total ?? null;
        const nextOffset = offset + records.length;
        const more = total !== null ? nextOffset < total : records.length >= limit;
        return { records, next: more && records.length > 0 ? { offset: nextOffset } : null, total };
      }
    }
  }

  /** All pages of a type's list, as an async iterator of pages. */
  async *pages(type: ContentType, options: ListOptions = {}): AsyncGenerator<ListPage> {
    let cursor: ListCursor | null = options.cursor ?? null;
    do {
      const page = await this.listPage(type, { ...options, cursor });
      yield page;
      cursor = page.next;
    } while (cursor);
  }

  /**
   * The record as it is now, with its children, or null when BigCommerce no longer has it.
   * `id` is the vault's record id (parent-prefixed for per-parent types). `children: false` leaves
   * the children to a caller that fetches them for many records at once.
   */
  async getRecord(
    type: ContentType,
    id: string,
    opts: { children?: boolean } = {},
  ): Promise<ApiRecord | null> {
    if (type.list.paging === "singletons") {
      const path = type.list.singletons?.[id];
      if (!path) return null;
      return this.fetchSingleton(type, id, path);
    }
    let record: ApiRecord | null = null;
    if (type.get) {
      const { path, query } = type.get;
      const filled = Object.fromEntries(
        Object.entries(query ?? {}).map(([k, v]) => [k, v.replace("{id}", id)]),
      );
      const { status, body } = await this.request<unknown>(
        "GET",
        type.api,
        path.replace("{id}", encodeURIComponent(id)),
        {
          query: filled,
          allow404: true,
        },
      );
      if (status !== 404 && body !== null) {
        const data = type.api === "v3" ? (body as { data: unknown }).data : body;
        record = (Array.isArray(data) ? (data[0] ?? null) : data) as ApiRecord | null;
      }
    } else {
      // No single GET: find it in the list (small types only: trees, locations, redirects, per-parent types).
      const [parentId, ownId] = type.parent ? splitParentId(id) : [undefined, id];
      for await (const page of this.pages(type, { parentId })) {
        const found = page.records.find(
          (r) => String(recordIdOf(type, r, parentId)) === (type.parent ? id : ownId),
        );
        if (found) {
          record = found;
          break;
        }
      }
      if (record && type.parent && parentId) record = withParent(type, record, parentId);
    }
    if (!record) return null;
    if (opts.children !== false) await this.fetchChildren(type, [record]);
    return record;
  }

  /**
   * Fetches the type's children for a page of records and stores them in each record's body.
   * Results are sorted by id so an unchanged record hashes the same on every backup.
   */
  async fetchChildren(
    type: ContentType,
    records: ApiRecord[],
    opts: { skip?: string[] } = {},
  ): Promise<void> {
    for (const child of type.children ?? []) {
      if (this.unavailable.has(`${type.key}.${child.key}`) || opts.skip?.includes(child.key)) continue;
      try {
        await this.fetchChild(type, child, records);
      } catch (err) {
        // A store without the feature (or the scope) has no such endpoint: back up the rest of the record.
        if (!isUnavailable(err)) throw err;
        this.unavailable.add(`${type.key}.${child.key}`);
        for (const r of records)
          for (const field of child.fetch === "by_ids" ? child.pick : [child.into]) delete r[field];
      }
    }
  }

  private async fetchChild(type: ContentType, child: ChildSpec, records: ApiRecord[]) {
    const idOf = (r: ApiRecord) =>
      String(readPath(r, typeof type.idField === "string" ? type.idField : type.idField[0]));
    if (child.fetch === "by_ids") {
      const wanted = records.filter(child.when);
      for (let i = 0; i < wanted.length; i += child.chunk) {
        const chunk = wanted.slice(i, i + child.chunk);
        const { body } = await this.request<V3List>("GET", type.api, child.path, {
          query: { ...child.query, [child.idsParam]: chunk.map(idOf).join(","), limit: child.chunk },
        });
        const byId = new Map((body?.data ?? []).map((d) => [String(d.id), d]));
        for (const r of chunk) {
          const d = byId.get(idOf(r));
          for (const field of child.pick) r[field] = sortById((d?.[field] as unknown[]) ?? []);
        }
      }
      return;
    }
    if (child.fetch === "by_resource_ids") {
      for (let i = 0; i < records.length; i += child.chunk) {
        const chunk = records.slice(i, i + child.chunk);
        const grouped = new Map<string, ApiRecord[]>();
        let page = 1;
        for (;;) {
          const { body } = await this.request<V3List>("GET", "v3", child.path, {
            query: { "resource_id:in": chunk.map(idOf).join(","), limit: child.pageSize, page },
          });
          const data = body?.data ?? [];
          for (const m of data) {
            const key = String(m.resource_id);
            grouped.set(key, [...(grouped.get(key) ?? []), m]);
          }
          const p = body?.meta?.pagination;
          const more = p ? p.current_page < p.total_pages : data.length >= child.pageSize;
          if (!more) break;
          page++;
        }
        for (const r of chunk) r[child.into] = sortById(grouped.get(idOf(r)) ?? []);
      }
      return;
    }
    if (child.fetch === "by_nested_ids") {
      const items = records.flatMap((r) =>
        Array.isArray(r[child.within]) ? (r[child.within] as ApiRecord[]) : [],
      );
      for (let i = 0; i < items.length; i += child.chunk) {
        const chunk = items.slice(i, i + child.chunk);
        const grouped = await this.byResourceIds(
          child.path,
          chunk.map((it) => String(it.id)),
          child.pageSize,
        );
        for (const it of chunk) it[child.into] = sortById(grouped.get(String(it.id)) ?? []);
      }
      return;
    }
    if (child.fetch !== "per_record") return;
    // One call per record, a few in flight at once: the pacer still spaces them to the quota, and an
    // unlimited (or Pro) quota is no longer spent waiting on one round trip at a time.
    const wanted = records.filter((r) => !child.when || child.when(r));
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const r = wanted[next++];
        const { body } = await this.request<V3List>(
          "GET",
          type.api,
          child.path.replace("{id}", encodeURIComponent(idOf(r))),
          { allow404: true },
        );
        r[child.into] = sortById(body?.data ?? []);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PER_RECORD_IN_FLIGHT, wanted.length) }, worker));
  }

  /** A store-wide child list filtered by `resource_id:in`, every page, grouped by resource id. */
  private async byResourceIds(
    path: string,
    ids: string[],
    pageSize: number,
  ): Promise<Map<string, ApiRecord[]>> {
    const grouped = new Map<string, ApiRecord[]>();
    for (let page = 1; ; page++) {
      const { body } = await this.request<V3List>("GET", "v3", path, {
        query: { "resource_id:in": ids.join(","), limit: pageSize, page },
      });
      const data = body?.data ?? [];
      for (const m of data)
        grouped.set(String(m.resource_id), [...(grouped.get(String(m.resource_id)) ?? []), m]);
      const p = body?.meta?.pagination;
      if (!(p ? p.current_page < p.total_pages : data.length >= pageSize)) return grouped;
    }
  }

  /**
   * One page of a store-wide child list (e.g. every product metafield), for a full backup that
   * attaches children from the whole list instead of asking per page of records. Null when the
   * store has no such endpoint.
   */
  async storeWideChildPage(
    type: ContentType,
    child: Extract<ChildSpec, { fetch: "by_resource_ids" | "by_nested_ids" }>,
    page: number,
  ): Promise<{ items: ApiRecord[]; next: number | null; total: number | null } | null> {
    if (this.unavailable.has(`${type.key}.${child.key}`)) return null;
    try {
      const { body } = await this.request<V3List>("GET", "v3", child.path, {
        query: { limit: child.pageSize, page },
      });
      const items = body?.data ?? [];
      const p = body?.meta?.pagination;
      const more = p ? p.current_page < p.total_pages : items.length >= child.pageSize;
      return { items, next: more ? page + 1 : null, total: p?.total ?? null };
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      this.unavailable.add(`${type.key}.${child.key}`);
      return null;
    }
  }

  private async singletonPage(type: ContentType, index: number): Promise<ListPage> {
    const entries = Object.entries(type.list.singletons ?? {});
    const [id, path] = entries[index];
    const record = await this.fetchSingleton(type, id, path);
    const next = index + 1 < entries.length ? { index: index + 1 } : null;
    return { records: record ? [record] : [], next, total: entries.length };
  }

  /** A settings endpoint as one record: `{ setting, path, data }`. Endpoints the store lacks (404/403) are skipped. */
  private async fetchSingleton(type: ContentType, id: string, path: string): Promise<ApiRecord | null> {
    try {
      const { status, body } = await this.request<unknown>("GET", type.api, path, { allow404: true });
      if (status === 404 || body === null) return null;
      const data = path.startsWith("/v2/") ? body : ((body as { data?: unknown }).data ?? body);
      return { setting: id, path, data };
    } catch (err) {
      if (err instanceof BigCommerceError && (err.status === 403 || err.status === 422)) return null;
      throw err;
    }
  }

  private url(api: "v2" | "v3", path: string, query?: Query): string {
    const explicit = path.match(/^\/(v2|v3)(\/.*)$/);
    const [version, rest] = explicit ? [explicit[1], explicit[2]] : [api, path];
    const base = this.opts.baseUrl.replace(/\/$/, "");
    const qs = Object.entries(query ?? {})
      .filter(([, v]) => v !== undefined)
      // BigCommerce's filters keep ":" in names (id:in) and "," in lists; encode everything else.
      .map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(String(v))}`)
      .join("&");
    return `${base}/stores/${this.opts.storeHash}/${version}${rest}${qs ? `?${qs}` : ""}`;
  }
}

export type V3List = {
  data?: ApiRecord[];
  meta?: {
    pagination?: { total?: number; total_pages: number; current_page: number; total_items?: number };
    cursor_pagination?: { end_cursor?: string; links?: { next?: string } };
  };
};

const encodeQuery = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ":").replace(/%2C/gi, ",");

/** BigCommerce answers 404 for an endpoint the store does not have and 403 for a scope the app lacks. */
export function isUnavailable(err: unknown): boolean {
  return err instanceof BigCommerceError && (err.status === 404 || err.status === 403);
}

/** Reads a dotted path (`identity.variant_id`). */
export function readPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The vault's id for a record: its id field(s), prefixed by the parent id for per-parent types. */
export function recordIdOf(type: ContentType, record: ApiRecord, parentId?: string): string {
  const fields = typeof type.idField === "string" ? [type.idField] : type.idField;
  const own = fields.map((f) => String(readPath(record, f) ?? "")).join(":");
  return type.parent && parentId !== undefined ? `${parentId}:${own}` : own;
}

/** Per-parent ids are `{parentId}:{ownId}`. */
export function splitParentId(id: string): [string, string] {
  const i = id.indexOf(":");
  return [id.slice(0, i), id.slice(i + 1)];
}

/** Stamps the parent's id on a per-parent record (codes and routes do not carry it), so restore knows where it goes. */
export function withParent(type: ContentType, record: ApiRecord, parentId: string): ApiRecord {
  if (!type.parent || record[type.parent.field] !== undefined) return record;
  return { [type.parent.field]: /^\d+$/.test(parentId) ? Number(parentId) : parentId, ...record };
}

export function sortById(items: unknown[]): unknown[] {
  return [...items].sort((a, b) => {
    const x = (a as { id?: unknown })?.id;
    const y = (b as { id?: unknown })?.id;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x).localeCompare(String(y));
  });
}

function formatDate(ms: number, format: "iso" | "rfc2822"): string {
  const d = new Date(ms);
  return format === "iso"
    ? d.toISOString().replace(/\.\d{3}Z$/, "Z")
    : d.toUTCString().replace("GMT", "+0000");
}
