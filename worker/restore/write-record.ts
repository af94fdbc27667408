import {
  type ApiRecord,
  type BigCommerceClient,
  readPath,
  recordIdOf,
  splitParentId,
} from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";
import { type ChildWrite, deleteParam, deletePath, writeSpecOf } from "../bigcommerce/write-spec";
import { omit } from "./body-paths";
import { carries, childForWrite, childLabel, childrenOf, differingFields, pairChildren } from "./compare";

/**
 * BigCommerce writes for one record, driven by the registry (`restore`) and the write spec: the
 * record's own fields, then its sub-resources (deletions first, in reverse order, so SKUs and option
 * values are free before anything is added; then updates and additions in order).
 */

type Vars = { id: string; parent?: string; child?: string };

function fill(path: string, vars: Vars): string {
  return path
    .replace("{id}", encodeURIComponent(vars.id))
    .replace("{parent}", encodeURIComponent(vars.parent ?? ""))
    .replace("{child}", encodeURIComponent(vars.child ?? ""));
}

const idFieldsOf = (type: ContentType) => (typeof type.idField === "string" ? [type.idField] : type.idField);

/** The record's parent id (per-parent types) and own id, from the vault's record id. */
export function varsOf(type: ContentType, liveId: string): Vars {
  if (!type.parent) return { id: liveId };
  const [parent, own] = splitParentId(liveId);
  return { id: own, parent };
}

/**
 * The record's own fields as BigCommerce accepts them: read-only, not-writable and sub-resource fields
 * removed. `forWrite` renames fields the way write endpoints name them (off for comparisons with reads).
 */
export function topLevelBody(type: ContentType, record: ApiRecord, forWrite = true): ApiRecord {
  const spec = writeSpecOf(type.key);
  const drop = [
    ...type.readOnly,
    ...(type.restore.mode === "automatic" ? (type.restore.dropOnWrite ?? []) : []),
    ...(spec.children ?? []).map((c) => c.field),
    ...(type.children ?? []).map((c) => ("into" in c ? c.into : c.key)),
  ];
  return omit(forWrite && spec.forWrite ? spec.forWrite(record) : record, drop);
}

function writePaths(type: ContentType) {
  if (type.restore.mode !== "automatic") throw new Error(`${type.label} are restored with our team's help`);
  return type.restore;
}

/** Singletons (store settings) are written at the path they were read from, with their data. */
function singletonWrite(type: ContentType, record: ApiRecord): { path: string; body: unknown } | null {
  if (type.list.paging !== "singletons") return null;
  return { path: String(record.path), body: record.data };
}

const unwrap = (type: ContentType, body: unknown): ApiRecord | null => {
  const data =
    type.api === "v3" && body && typeof body === "object" && "data" in body
      ? (body as { data: unknown }).data
      : body;
  return (Array.isArray(data) ? (data[0] ?? null) : (data ?? null)) as ApiRecord | null;
};

/** Creates the record (with the sub-resources its create call can carry). Returns the new vault id. */
export async function createRecord(
  client: BigCommerceClient,
  type: ContentType,
  target: ApiRecord,
  parentId?: string,
): Promise<string> {
  const paths = writePaths(type);
  const single = singletonWrite(type, target);
  if (single) {
    await client.request("PUT", type.api, single.path, { body: single.body });
    return String(target.setting);
  }
  const spec = writeSpecOf(type.key);
  let body: ApiRecord = { ...topLevelBody(type, target), ...(spec.onCreate ?? {}) };
  for (const child of spec.children ?? []) {
    if (!child.embedInCreate) continue;
    const list = childrenOf(target, child.field);
    if (list.length > 0)
      body[child.field] = list.map((c) =>
        childForWrite(child, child.prepare ? child.prepare(c, {}, target) : c),
      );
  }
  // Upserts keyed by the record's own id (email templates) name it in the path.
  const ownId = idFieldsOf(type).length === 1 ? String(target[idFieldsOf(type)[0]] ?? "") : "";
  if (type.parent && parentId) body = { ...body, [type.parent.field]: target[type.parent.field] ?? parentId };
  const path = fill(paths.create.path, { id: ownId, parent: parentId });
  const { body: res } = await client.request(
    "POST" === paths.create.method ? "POST" : "PUT",
    type.api,
    path,
    {
      body: spec.writeBody ? spec.writeBody(target) : paths.create.batch > 1 ? [body] : body,
    },
  );
  const created = unwrap(type, res);
  const newId = created ? recordIdOf(type, created, parentId) : "";
  if (newId && !newId.endsWith(":") && newId !== "undefined") return newId;
  // Some creates answer with a transaction id only (locations): find the record by its natural keys.
  const found = await findByNaturalKeys(client, type, target, parentId);
  if (!found)
    throw new Error(
      `BigCommerce accepted the ${type.label.toLowerCase()} but it cannot be found by ${type.naturalKeys.join(", ")}`,
    );
  return found;
}

async function findByNaturalKeys(
  client: BigCommerceClient,
  type: ContentType,
  target: ApiRecord,
  parentId?: string,
): Promise<string | null> {
  const keys = type.naturalKeys.filter((k) => readPath(target, k) !== undefined);
  if (keys.length === 0) return null;
  for await (const page of client.pages(type, { parentId })) {
    const hit = page.records.find((r) =>
      keys.every((k) => String(readPath(r, k)) === String(readPath(target, k))),
    );
    if (hit) return recordIdOf(type, hit, parentId);
  }
  return null;
}

/** Writes the record's own fields when they differ from the live ones. Returns whether it wrote. */
export async function updateRecord(
  client: BigCommerceClient,
  type: ContentType,
  liveId: string,
  target: ApiRecord,
  live: ApiRecord,
): Promise<boolean> {
  writePaths(type);
  const single = singletonWrite(type, target);
  if (single) {
    if (carries(single.body, live.data)) return false;
    await client.request("PUT", type.api, single.path, { body: single.body });
    return true;
  }
  const spec = writeSpecOf(type.key);
  const body = topLevelBody(type, target);
  // Only what differs is written: fewer side effects (slugs, dates, tree moves) and the same result.
  const differing = differingFields(topLevelBody(type, target, false), live);
  const cleared = toClear(type, target, live);
  if (differing.length === 0 && cleared.length === 0) return false;
  if (spec.writeBody) {
    await client.request("PUT", type.api, fill(writePaths(type).update?.path ?? "", varsOf(type, liveId)), {
      body: spec.writeBody(target),
    });
    return true;
  }
  const renamed = Object.keys(body).filter((k) => !(k in live));
  // Upserts (same call creates and updates) find the record by its natural keys: they go along.
  const { create, update } = writePaths(type);
  const upsert = create.method === "PUT" && create.path === update?.path;
  const keys = upsert ? type.naturalKeys.filter((k) => !k.includes(".")) : [];
  await writeFields(client, type, liveId, {
    ...Object.fromEntries(
      Object.entries(body).filter(([k]) => differing.includes(k) || renamed.includes(k) || keys.includes(k)),
    ),
    ...Object.fromEntries(cleared.map((k) => [k, null])),
  });
  return true;
}

/** Clearable fields the live record has and the version does not. */
function toClear(type: ContentType, target: ApiRecord, live: ApiRecord): string[] {
  return (writeSpecOf(type.key).clearable ?? []).filter(
    (k) => (target[k] === undefined || target[k] === null) && live[k] !== undefined && live[k] !== null,
  );
}

/** PUTs fields of an existing record, in the body shape its update endpoint takes. */
export async function writeFields(
  client: BigCommerceClient,
  type: ContentType,
  liveId: string,
  fields: ApiRecord,
): Promise<void> {
  const { update } = writePaths(type);
  if (!update) throw new Error(`BigCommerce cannot update ${type.label.toLowerCase()} in place`);
  const vars = varsOf(type, liveId);
  const path = fill(update.path, vars);
  if (update.path.includes("{id}")) {
    await client.request("PUT", type.api, path, { body: fields });
    return;
  }
  // Batch endpoints take an array of records naming themselves (compound ids field by field: "12:USD").
  const ids = idFieldsOf(type);
  const parts = ids.length === 1 ? [vars.id] : vars.id.split(":");
  const named = Object.fromEntries(ids.map((f, i) => [f, asIdValue(parts[i] ?? "")]));
  await client.request("PUT", type.api, path, { body: [{ ...named, ...fields }] });
}

export async function deleteRecord(
  client: BigCommerceClient,
  type: ContentType,
  liveId: string,
): Promise<void> {
  const paths = writePaths(type);
  const { undeletable } = writeSpecOf(type.key);
  if (undeletable) throw new Error(undeletable);
  const vars = varsOf(type, liveId);
  if (paths.delete) {
    await client.request("DELETE", type.api, fill(paths.delete.path, vars), {
      query: { [deleteParam(type)]: vars.id },
      allow404: true,
    });
  } else {
    // Compound ids ("12:USD") fill one path segment per part.
    const parts = idFieldsOf(type).length === 1 ? [vars.id] : vars.id.split(":");
    let path = deletePath(type).replace("{parent}", encodeURIComponent(vars.parent ?? ""));
    for (const part of parts) path = path.replace("{id}", encodeURIComponent(part));
    await client.request("DELETE", type.api, path, { allow404: true });
  }
}

const asIdValue = (id: string): string | number => (/^\d+$/.test(id) ? Number(id) : id);

export type ChildOp =
  | { kind: "delete"; spec: ChildWrite; live: ApiRecord }
  | { kind: "update"; spec: ChildWrite; want: ApiRecord; live: ApiRecord }
  | { kind: "create"; spec: ChildWrite; want: ApiRecord };

/**
 * What bringing the live sub-resources to the version takes, without writing anything. `byId` is false
 * for a re-created record (its sub-resources all have new ids). Nested lists are planned when written.
 */
export function planChildren(
  specs: ChildWrite[],
  target: ApiRecord,
  live: ApiRecord,
  byId: boolean,
): ChildOp[] {
  const ops: ChildOp[] = [];
  for (const spec of specs) {
    const { pairs, missing, extra } = pairChildren(
      spec,
      childrenOf(target, spec.field),
      childrenOf(live, spec.field),
      byId,
    );
    for (const l of extra) if (!spec.permanent?.(l)) ops.push({ kind: "delete", spec, live: l });
    for (const [w, l] of pairs) {
      const nestedDiffers =
        spec.nested !== undefined &&
        (() => {
          const n = pairChildren(
            spec.nested,
            childrenOf(w, spec.nested.field),
            childrenOf(l, spec.nested.field),
            byId,
          );
          return (
            n.missing.length + n.extra.length > 0 ||
            n.pairs.some(([a, b]) => !carries(childForWrite(spec.nested as ChildWrite, a), b))
          );
        })();
      const want = spec.prepare ? spec.prepare(w, live, target) : w;
      if (!nestedDiffers && differingFields(childForWrite(spec, want), l).length === 0) continue;
      if (spec.immutable) ops.push({ kind: "delete", spec, live: l }, { kind: "create", spec, want: w });
      else ops.push({ kind: "update", spec, want: w, live: l });
    }
    for (const w of missing) ops.push({ kind: "create", spec, want: w });
  }
  return ops;
}

/** Brings the live record's sub-resources to the version's. Returns the calls made. */
export async function syncChildren(
  client: BigCommerceClient,
  type: ContentType,
  liveId: string,
  target: ApiRecord,
  live: ApiRecord,
  byId: boolean,
): Promise<number> {
  const specs = writeSpecOf(type.key).children ?? [];
  const vars = varsOf(type, liveId);
  const before = client.calls;
  const ops = planChildren(specs, target, live, byId);

  // Removals first, last spec first: variants go before the option values they use.
  const deletions = ops.filter((o) => o.kind === "delete");
  for (const spec of [...specs].reverse()) {
    const mine = deletions.filter((o) => o.spec === spec).map((o) => o.live);
    if (mine.length > 0) await deleteChildren(client, type, spec, vars, mine);
  }

  const current: ApiRecord = { ...live };
  for (const spec of specs) {
    // Planned again against what is live now: earlier sub-resources may have new ids this one refers to.
    const mine = planChildren([spec], target, current, byId).filter((o) => o.kind !== "delete");
    if (mine.length === 0) continue;
    const updates = mine.filter((o) => o.kind === "update") as Extract<ChildOp, { kind: "update" }>[];
    const creates = mine.filter((o) => o.kind === "create") as Extract<ChildOp, { kind: "create" }>[];
    const prepared = (w: ApiRecord) =>
      childForWrite(spec, spec.prepare ? spec.prepare(w, current, target) : w);
    const withParent = (body: ApiRecord) =>
      spec.parentField ? { ...body, [spec.parentField]: asIdValue(vars.id) } : body;

    if (spec.shape === "array") {
      if (updates.length > 0) {
        await client.request("PUT", type.api, fill(spec.path, vars), {
          body: updates.map((u) => withParent({ [spec.idField]: u.live[spec.idField], ...prepared(u.want) })),
        });
      }
      if (creates.length > 0) {
        await client.request(spec.createMethod ?? "POST", type.api, fill(spec.path, vars), {
          body: creates.map((c) => withParent(prepared(c.want))),
        });
      }
    } else {
      for (const u of updates) {
        const childVars = { ...vars, child: String(u.live[spec.idField]) };
        const body = prepared(u.want);
        if (differingFields(body, u.live).length > 0) {
          await client.request(
            "PUT",
            type.api,
            `${fill(spec.path, vars)}/${encodeURIComponent(childVars.child)}`,
            { body },
          );
        }
        if (spec.nested) await syncNested(client, type, spec.nested, childVars, u.want, u.live, byId);
      }
      for (const c of creates) {
        const body = prepared(c.want);
        if (spec.nested && !spec.nested.afterOwner) {
          body[spec.nested.field] = childrenOf(c.want, spec.nested.field).map((n) =>
            childForWrite(spec.nested as ChildWrite, n),
          );
        }
        const { body: res } = await client.request<{ data?: ApiRecord }>(
          spec.createMethod ?? "POST",
          type.api,
          fill(spec.path, vars),
          { body: spec.createWrap ? { [spec.createWrap]: [withParent(body)] } : withParent(body) },
        );
        const createdId = res?.data?.[spec.idField];
        if (
          spec.nested?.afterOwner &&
          createdId !== undefined &&
          childrenOf(c.want, spec.nested.field).length > 0
        )
          await syncNested(
            client,
            type,
            spec.nested,
            { ...vars, child: String(createdId) },
            c.want,
            {},
            false,
          );
      }
    }
    // Later sub-resources may name these by id (variants name option values): read back what BigCommerce assigned.
    if ((spec.nested || spec.refreshAfter) && (creates.length > 0 || updates.length > 0)) {
      const { body } = await client.request<{ data?: ApiRecord[] }>("GET", type.api, fill(spec.path, vars), {
        query: { limit: 250 },
      });
      current[spec.field] = body?.data ?? [];
    }
  }
  return client.calls - before;
}

async function syncNested(
  client: BigCommerceClient,
  type: ContentType,
  spec: ChildWrite,
  vars: Vars,
  want: ApiRecord,
  live: ApiRecord,
  byId: boolean,
): Promise<void> {
  const { pairs, missing, extra } = pairChildren(
    spec,
    childrenOf(want, spec.field),
    childrenOf(live, spec.field),
    byId,
  );
  const base = fill(spec.path, vars);
  for (const l of extra)
    await client.request("DELETE", type.api, `${base}/${encodeURIComponent(String(l[spec.idField]))}`, {
      allow404: true,
    });
  for (const [w, l] of pairs) {
    const body = childForWrite(spec, w);
    if (differingFields(body, l).length > 0) {
      await client.request("PUT", type.api, `${base}/${encodeURIComponent(String(l[spec.idField]))}`, {
        body,
      });
    }
  }
  for (const w of missing) await client.request("POST", type.api, base, { body: childForWrite(spec, w) });
}

async function deleteChildren(
  client: BigCommerceClient,
  type: ContentType,
  spec: ChildWrite,
  vars: Vars,
  items: ApiRecord[],
) {
  if (spec.shape === "array") {
    await client.request("DELETE", type.api, fill(spec.path, vars), {
      query: { [`${spec.idField}:in`]: items.map((i) => String(i[spec.idField])).join(",") },
      allow404: true,
    });
    return;
  }
  for (const item of items) {
    await client.request(
      "DELETE",
      type.api,
      `${fill(spec.path, vars)}/${encodeURIComponent(String(item[spec.idField]))}`,
      { allow404: true },
    );
  }
}

/** Fields and sub-resources of the version the live record does not carry (after a restore: what BigCommerce did not accept). */
export function mismatches(type: ContentType, target: ApiRecord, live: ApiRecord, byId: boolean): string[] {
  const spec = writeSpecOf(type.key);
  const single = singletonWrite(type, target);
  if (single) return carries(single.body, live.data) ? [] : ["data"];
  // Fields set on purpose when re-creating (a new password required) are not the version's to compare.
  const ignored = new Set([...(spec.derived ?? []), ...(byId ? [] : Object.keys(spec.onCreate ?? {}))]);
  const out = differingFields(topLevelBody(type, target, false), live).filter((f) => !ignored.has(f));
  for (const f of toClear(type, target, live)) out.push(`${f} (set now, not in the version)`);
  for (const op of planChildren(spec.children ?? [], target, live, byId)) {
    if (op.kind === "delete") out.push(`${childLabel(op.spec, op.live)} (not in the version)`);
    else if (op.kind === "create") out.push(`${childLabel(op.spec, op.want)} (missing)`);
    else {
      const fields = differingFields(
        childForWrite(op.spec, op.spec.prepare ? op.spec.prepare(op.want, live, target) : op.want),
        op.live,
      );
      out.push(`${childLabel(op.spec, op.want)}${fields.length ? `: ${fields.join(", ")}` : ""}`);
    }
  }
  return out;
}
