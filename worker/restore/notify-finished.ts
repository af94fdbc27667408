import { getType, isTypeKey } from "../bigcommerce/registry";
import { sendEmail } from "../notify/email";
import { restoreFinishedEmail } from "../notify/templates";

/**
 * The restore's summary to its notification emails (bulk recovery asks for them; a restore without
 * recipients sends nothing). Never throws: the restore is over whatever happens to the email.
 */
export async function notifyRestoreFinished(env: Env, storeHash: string, restoreId: string): Promise<void> {
  try {
    const restore = await env.DB.prepare(
      `select r.kind, r.status, r.target_at, r.finished_at, r.emails, r.total_count, r.success_count, r.error_count, r.error,
              s.name, s.timezone
       from restores r join stores s on s.hash = r.store_hash where r.id = ? and r.store_hash = ?`,
    )
      .bind(restoreId, storeHash)
      .first<{
        kind: "single" | "bulk" | "undo";
        status: string;
        target_at: number;
        finished_at: number | null;
        emails: string;
        total_count: number;
        success_count: number;
        error_count: number;
        error: string | null;
        name: string | null;
        timezone: string;
      }>();
    const to = restore ? (JSON.parse(restore.emails) as string[]) : [];
    if (!restore || to.length === 0) return;
    const { results: types } = await env.DB.prepare(
      "select type, count(*) as n, sum(case when status = 'error' then 1 else 0 end) as errors from restore_items where restore_id = ? group by type",
    )
      .bind(restoreId)
      .all<{ type: string; n: number; errors: number }>();
    const cancelled = restore.status === "cancelled";
    const mail = restoreFinishedEmail({
      storeName: restore.name ?? storeHash,
      status: restore.status === "done" ? "done" : "fail",
      kind: restore.kind,
      targetAt: restore.target_at,
      finishedAt: restore.finished_at ?? Date.now(),
      timezone: restore.timezone,
      total: restore.total_count,
      succeeded: restore.success_count,
      errors: restore.error_count,
      types: types.map((t) => ({
        label: isTypeKey(t.type) ? getType(t.type).label : t.type,
        count: t.n,
        errors: t.errors,
      })),
      detailUrl: `${env.APP_URL}/vault/recovery/restores/${restoreId}`,
      reason: cancelled
        ? "The restore was cancelled. The records listed as restored were changed; the others were left as they were."
        : (restore.error ?? undefined),
    });
    await sendEmail(env, { storeHash, kind: "restore_finished", to, ...mail });
  } catch (err) {
    console.error(`restore ${restoreId}: the summary email could not be sent`, err);
  }
}
