import { eq } from "drizzle-orm";
import { typeKeys } from "../bigcommerce/registry";
import { getDb } from "../db/client";
import { exportsTable } from "../db/schema";
import { accessRevoked } from "../jobs/store-jobs";
import { conflict } from "../lib/errors";
import { newId } from "../lib/ids";
import { dedupeEmails } from "../notify/email";
import type { ExportParams, ExportSource } from "./export-job";
import { rememberTokenAccepted, tokenAcceptedRecently } from "./token-cache";

export type StartExportInput = {
  storeHash: string;
  kind: "manual" | "weekly" | "monthly";
  types: string[];
  emails: string[];
  includeImages?: boolean;
  /** "live" (default): read the store now; "vault": from the latest backup, no token needed. */
  source?: ExportSource;
  createdBy: string;
  /** Given by scheduled runs so a redelivered queue message starts the same export, not a second one. */
  exportId?: string;
  /** Tests only: smaller ZIPs and parts. */
  sizes?: Pick<ExportParams, "splitBytes" | "partBytes">;
};

const JOB_NAMES: Record<string, string> = { backup: "A backup", restore: "A restore", export: "An export" };

export const jobRunningMessage = (kind?: string) =>
  `${JOB_NAMES[kind ?? ""] ?? "Another job"} is already running for this store. Start the export again when it has finished.`;

const storeJobs = (env: Env, storeHash: string) => env.STORE_JOBS.get(env.STORE_JOBS.idFromName(storeHash));

/** How long the token check waits (a quota-starved store's pacer may hold the call): then assume valid. */
const TOKEN_CHECK_MS = 4_000;

/**
 * Whether BigCommerce refuses the store's token right now (revoked: the app was uninstalled, or its
 * access changed, and the uninstall callback may not have arrived). One paced call (the store's
 * information), the same the item page makes through `fetchLive`, unless the token was accepted in
 * the last two minutes (worker/export/token-cache.ts). Anything but a refusal (a slow quota, a 5xx) counts as not
 * revoked: the export then reads the store and reports its own errors.
 */
export async function tokenRevoked(env: Env, storeHash: string): Promise<boolean> {
  if (await tokenAcceptedRecently(storeHash)) return false;
  const answer = await checkToken(env, storeHash);
  if (answer === "accepted") await rememberTokenAccepted(storeHash);
  return answer === "refused";
}

async function checkToken(env: Env, storeHash: string): Promise<"accepted" | "refused" | "unknown"> {
  const check = storeJobs(env, storeHash)
    .fetchLive("store_settings", "store_information")
    .then(
      () => "accepted" as const,
      (err: unknown) => (accessRevoked(err) !== null ? ("refused" as const) : ("unknown" as const)),
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"unknown">((resolve) => {
    timer = setTimeout(() => resolve("unknown"), TOKEN_CHECK_MS);
  });
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records the export (History shows it from now on) and starts it in the store's Durable Object.
 * Refused with 409 `job_running` while any job of the store runs: one job at a time per store.
 */
export async function startExport(env: Env, input: StartExportInput, now = Date.now()): Promise<string> {
  const stub = storeJobs(env, input.storeHash);
  const running = await stub.currentJob();
  if (running) throw conflict(jobRunningMessage((running as { kind: string }).kind), "job_running");
  const id = input.exportId ?? newId(now);
  const wanted = new Set(input.types);
  const db = getDb(env);
  await db
    .insert(exportsTable)
    .values({
      id,
      storeHash: input.storeHash,
      kind: input.kind,
      status: "queued",
      types: typeKeys.filter((k) => wanted.has(k)),
      emails: dedupeEmails(input.emails),
      includeImages: input.includeImages ?? false,
      source: input.source ?? "live",
      createdBy: input.createdBy,
      createdAt: now,
    })
    .onConflictDoNothing();
  try {
    const started = await stub.startJob("export", {
      exportId: id,
      source: input.source ?? "live",
      ...input.sizes,
    } satisfies ExportParams);
    // A job started since the check above: refused like it (the row would otherwise stay queued forever).
    if (!started.started) throw new Error(started.message);
  } catch (err) {
    await db.delete(exportsTable).where(eq(exportsTable.id, id));
    if (String((err as Error)?.message ?? err).includes("already running"))
      throw conflict(jobRunningMessage(), "job_running");
    throw err;
  }
  return id;
}
