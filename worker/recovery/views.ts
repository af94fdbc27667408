import { getType, isTypeKey, restoreOrder } from "../bigcommerce/registry";
import { canUndo, changedSoFar, loadRestore } from "./actions";

/**
 * What the restore process page and Recovery history show, from D1 (`restores`, `restore_items`).
 * Status labels are the guide's: Progressing, Done, Fail (a cancelled restore is a Fail that says so).
 */

export type RecoveryStatus = "progressing" | "done" | "fail";

export const recoveryStatus = (status: string): RecoveryStatus =>
  status === "planned" || status === "progressing" ? "progressing" : status === "done" ? "done" : "fail";

type TypeCounts = {
  type: string;
  total: number;
  completed: number;
  success: number;
  errors: number;
  cancelled: number;
  updated: number;
  created: number;
  deleted: number;
};

export async function restoreProcess(env: Env, storeHash: string, restoreId: string) {
  const restore = await loadRestore(env, storeHash, restoreId);
  const full = await env.DB.prepare(
    `select target_at, target_backup_id, types, created_by, created_at, finished_at, total_count, success_count,
            error_count, error from restores where id = ?`,
  )
    .bind(restoreId)
    .first<{
      target_at: number;
      target_backup_id: string | null;
      types: string;
      created_by: string;
      created_at: number;
      finished_at: number | null;
      total_count: number;
      success_count: number;
      error_count: number;
      error: string | null;
    }>();
  if (!full) throw new Error("restore vanished");
  const { results } = await env.DB.prepare(
    `select type, count(*) as total, sum(status != 'pending') as completed,
            sum(status in ('done', 'skipped') and not (status = 'skipped' and message like 'Cancelled%')) as success,
            sum(status = 'error') as errors,
            sum(status = 'skipped' and message like 'Cancelled%') as cancelled,
            sum(status = 'done' and action = 'update') as updated,
            sum(status = 'done' and action = 'create') as created,
            sum(status = 'done' and action = 'delete') as deleted
     from restore_items where restore_id = ? group by type`,
  )
    .bind(restoreId)
    .all<TypeCounts>();
  const byType = new Map(results.map((r) => [r.type, r]));
  const options = JSON.parse(restore.options) as {
    plan?: Record<string, { update: number; create: number; delete: number }>;
    cancelRequested?: number;
    deleteCreated?: boolean;
  };
  const isRunning = restore.status === "planned" || restore.status === "progressing";
  const order = restoreOrder([...byType.keys()]);
  const activeType = isRunning
    ? order.find((t) => (byType.get(t)?.completed ?? 0) < (byType.get(t)?.total ?? 0))
    : undefined;
  const types = order.map((key) => {
    const c = byType.get(key) as TypeCounts;
    const n = (v: unknown) => Number(v ?? 0);
    let status: "waiting" | "progressing" | "done" | "fail" | "cancelled";
    if (n(c.cancelled) > 0) status = "cancelled";
    else if (n(c.completed) >= n(c.total)) status = n(c.errors) > 0 ? "fail" : "done";
    else status = key === activeType ? "progressing" : "waiting";
    return {
      type: key,
      label: isTypeKey(key) ? getType(key).label : key,
      status,
      total: n(c.total),
      completed: n(c.completed),
      successful: n(c.success),
      errors: n(c.errors),
      cancelled: n(c.cancelled),
      changed: { update: n(c.updated), create: n(c.created), delete: n(c.deleted) },
      planned: options.plan?.[key] ?? null,
    };
  });
  const completed = types.reduce((s, t) => s + t.completed, 0);
  const total = types.reduce((s, t) => s + t.total, 0);
  const changed = await changedSoFar(env, restoreId);
  return {
    restore: {
      id: restore.id,
      kind: restore.kind,
      status: recoveryStatus(restore.status),
      rawStatus: restore.status,
      cancelled: restore.status === "cancelled",
      cancelRequested: Boolean(options.cancelRequested) && isRunning,
      deleteCreated: Boolean(options.deleteCreated),
      targetAt: full.target_at,
      targetBackupId: full.target_backup_id,
      emails: JSON.parse(restore.emails) as string[],
      createdBy: full.created_by,
      createdAt: full.created_at,
      finishedAt: full.finished_at,
      percent: total === 0 ? 100 : Math.floor((completed / total) * 100),
      total,
      completed,
      successCount: full.success_count,
      errorCount: full.error_count,
      error: full.error,
      undoOf: restore.undo_of,
      undoneBy: restore.undone_by,
      canUndo: canUndo(
        restore,
        changed.reduce((s, c) => s + c.count, 0),
      ),
    },
    types,
    changed,
  };
}

export async function restoreItemsPage(
  env: Env,
  storeHash: string,
  restoreId: string,
  opts: { type: string; status?: "pending" | "done" | "error" | "skipped"; page: number; pageSize: number },
) {
  await loadRestore(env, storeHash, restoreId);
  const statusFilter = opts.status ? "and status = ?3" : "";
  const args = [restoreId, opts.type, ...(opts.status ? [opts.status] : [])];
  const [rows, count] = await env.DB.batch<{
    record_id: string;
    display_name: string;
    action: string;
    status: string;
    message: string | null;
    new_id: string | null;
    finished_at: number | null;
    n: number;
  }>([
    env.DB.prepare(
      `select record_id, display_name, action, status, message, new_id, finished_at from restore_items
       where restore_id = ?1 and type = ?2 ${statusFilter}
       order by case status when 'error' then 0 when 'pending' then 2 else 1 end, record_id
       limit ${opts.pageSize} offset ${(opts.page - 1) * opts.pageSize}`,
    ).bind(...args),
    env.DB.prepare(
      `select count(*) as n from restore_items where restore_id = ?1 and type = ?2 ${statusFilter}`,
    ).bind(...args),
  ]);
  return {
    items: rows.results.map((r) => ({
      recordId: r.record_id,
      name: r.display_name,
      action: r.action,
      status: r.status,
      message: r.message,
      newId: r.new_id,
      finishedAt: r.finished_at,
    })),
    total: Number(count.results[0]?.n ?? 0),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}

/** Recovery history: bulk restores and their undos, newest first. */
export async function recoveryHistory(
  env: Env,
  storeHash: string,
  opts: { from?: number; to?: number; status?: RecoveryStatus; page: number; pageSize: number },
) {
  const where = [
    "store_hash = ?1",
    "(kind = 'bulk' or (kind = 'undo' and json_extract(options, '$.batched')))",
    "(?2 = 0 or created_at >= ?2)",
    "(?3 = 0 or created_at <= ?3)",
    ...(opts.status === "progressing" ? ["status in ('planned', 'progressing')"] : []),
    ...(opts.status === "done" ? ["status = 'done'"] : []),
    ...(opts.status === "fail" ? ["status in ('fail', 'cancelled')"] : []),
  ].join(" and ");
  const args = [storeHash, opts.from ?? 0, opts.to ?? 0];
  const [rows, count] = await env.DB.batch<{
    id: string;
    kind: "bulk" | "undo";
    status: string;
    target_at: number;
    created_at: number;
    finished_at: number | null;
    success_count: number;
    error_count: number;
    total_count: number;
    types: string;
    undo_of: string | null;
    undone_by: string | null;
    changed: number;
    n: number;
  }>([
    env.DB.prepare(
      `select id, kind, status, target_at, created_at, finished_at, success_count, error_count, total_count, types,
              undo_of, undone_by,
              (select count(*) from restore_items i where i.restore_id = restores.id and i.status = 'done' and i.action != 'unchanged') as changed
       from restores where ${where} order by created_at desc limit ${opts.pageSize} offset ${(opts.page - 1) * opts.pageSize}`,
    ).bind(...args),
    env.DB.prepare(`select count(*) as n from restores where ${where}`).bind(...args),
  ]);
  return {
    rows: rows.results.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: recoveryStatus(r.status),
      cancelled: r.status === "cancelled",
      versionAt: r.target_at,
      recoveredAt: r.created_at,
      finishedAt: r.finished_at,
      successCount: r.success_count,
      errorCount: r.error_count,
      totalCount: r.total_count,
      types: (JSON.parse(r.types) as string[]).map((t) => (isTypeKey(t) ? getType(t).label : t)),
      undoOf: r.undo_of,
      undoneBy: r.undone_by,
      canUndo: canUndo(r, r.changed),
    })),
    total: Number(count.results[0]?.n ?? 0),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}
