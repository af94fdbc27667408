import { eq } from "drizzle-orm";
import { getType, isTypeKey } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { type Export, exportsTable, stores } from "../db/schema";
import { sendEmail } from "../notify/email";
import { exportFailedEmail, exportReadyEmail, formatDate } from "../notify/templates";
import { downloadUrl, signDownloadToken } from "./links";

export type ExportLink = { name: string; size: number; url: string };

type LinkEnv = Pick<Env, "LINK_SIGNING_SECRET" | "APP_URL">;

/** The export's download links, or none once they expired (or before the export is done). */
export async function exportLinks(env: LinkEnv, row: Export, now = Date.now()): Promise<ExportLink[]> {
  if (row.status !== "done" || !row.expiresAt || row.expiresAt <= now) return [];
  return Promise.all(
    row.files.map(async (f, i) => ({
      name: f.name,
      size: f.size,
      url: downloadUrl(
        env.APP_URL,
        await signDownloadToken(env.LINK_SIGNING_SECRET, {
          e: row.id,
          f: i,
          s: row.storeHash,
          exp: row.expiresAt as number,
        }),
      ),
    })),
  );
}

const label = (t: string) => (isTypeKey(t) ? getType(t).label : t);

async function load(env: Env, exportId: string) {
  const db = getDb(env);
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, exportId)).limit(1);
  if (!row) return null;
  const [store] = await db.select().from(stores).where(eq(stores.hash, row.storeHash)).limit(1);
  return { row, storeName: store?.name ?? row.storeHash, timezone: store?.timezone ?? "UTC" };
}

const historyUrl = (env: Env) => `${env.APP_URL.replace(/\/$/, "")}/export/history`;

/** What an export from the vault says in its email and result screen, in the store's timezone. */
export function vaultSourceNote(asOf: number | null, timezone = "UTC"): string {
  return asOf
    ? `Built from Strongbox's latest backup of your store (as of ${formatDate(asOf, timezone)}), not read from BigCommerce.`
    : "Built from Strongbox's backups of your store, which hold nothing of these content types yet.";
}

export async function notifyExportReady(
  env: Env,
  storeHash: string,
  exportId: string,
  source: { kind: "live" } | { kind: "vault"; asOf: number | null } = { kind: "live" },
) {
  const found = await load(env, exportId);
  if (!found || found.row.storeHash !== storeHash || !found.row.emails.length) return;
  const { row } = found;
  const mail = exportReadyEmail({
    storeName: found.storeName,
    kind: row.kind,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt ?? Date.now(),
    timezone: found.timezone,
    types: row.types.map((t) => ({ label: label(t), count: t in row.counts ? row.counts[t] : null })),
    links: await exportLinks(env, row),
    historyUrl: historyUrl(env),
    ...(source.kind === "vault" ? { sourceNote: vaultSourceNote(source.asOf, found.timezone) } : {}),
  });
  await sendEmail(env, { storeHash, kind: "export_ready", to: row.emails, ...mail });
}

export async function notifyExportFailed(env: Env, storeHash: string, exportId: string, reason: string) {
  const found = await load(env, exportId);
  if (!found || found.row.storeHash !== storeHash || !found.row.emails.length) return;
  const mail = exportFailedEmail({
    storeName: found.storeName,
    kind: found.row.kind,
    createdAt: found.row.createdAt,
    timezone: found.timezone,
    reason,
    historyUrl: historyUrl(env),
  });
  await sendEmail(env, { storeHash, kind: "export_failed", to: found.row.emails, ...mail });
}
