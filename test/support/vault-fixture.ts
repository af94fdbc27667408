import { type AppSession, installViaOAuth, sandbox } from "./install";
import { jobsOf, settleJobs } from "./stores";
import { SANDBOX_URL } from "./test-env";

/**
 * A sandbox store with the app installed and a finished backup of the given types: what the vault
 * and restore tests start from. The store's quota is lifted so tests are not paced.
 */
export async function storeWithBackup(types: string[], profile: "demo" | "empty" = "demo", seed = 7) {
  const session = await installViaOAuth(profile, seed);
  await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
    method: "PUT",
    json: { quota: "unlimited" },
  });
  await runBackup(session.storeHash, types);
  return { ...session, bc: storeApi(session.storeHash, session.sandboxToken) };
}

export const jobs = jobsOf;

/** Waits for the store's running job (backup or restore) to finish; null when it never ran one. */
export const waitForJob = (storeHash: string, timeoutMs = 50_000) => settleJobs(storeHash, timeoutMs);

export async function runBackup(storeHash: string, types: string[]) {
  await jobs(storeHash).startBackup({ kind: "manual", types });
  const status = await waitForJob(storeHash);
  if (status?.status !== "done") throw new Error(`backup ended ${status?.status}: ${status?.error}`);
}

/** The sandbox store's API with its admin token: how a test plays the merchant changing things. */
export function storeApi(storeHash: string, token: string) {
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${SANDBOX_URL}/stores/${storeHash}${path}`, {
      method,
      headers: {
        "x-auth-token": token,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    call,
    get: <T = unknown>(path: string) => call<{ data: T }>("GET", path).then((r) => r.data),
    put: <T = unknown>(path: string, body: unknown) => call<{ data: T }>("PUT", path, body),
    post: <T = unknown>(path: string, body: unknown) => call<{ data: T }>("POST", path, body),
    del: (path: string) => call("DELETE", path),
    export: () => sandbox<Record<string, Record<string, unknown>[]>>(`/__sandbox/stores/${storeHash}/export`),
  };
}

export type StoreFixture = Awaited<ReturnType<typeof storeWithBackup>>;

/** Starts "Restore to this version" through the API and waits for its result. */
export async function restoreThrough(session: AppSession, type: string, id: string, versionId: number) {
  const res = await session.api(`/api/vault/items/${type}/${encodeURIComponent(id)}/restore`, {
    method: "POST",
    json: { versionId },
  });
  if (res.status !== 202) throw new Error(`restore refused: ${res.status} ${await res.text()}`);
  const { restoreId } = await res.json<{ restoreId: string }>();
  return finishedRestore(session, restoreId);
}

export async function finishedRestore(session: AppSession, restoreId: string) {
  await waitForJob(session.storeHash);
  const view = await session.api(`/api/restores/${restoreId}`);
  return view.json<RestoreView>();
}

export type RestoreView = {
  restore: {
    id: string;
    status: string;
    kind: string;
    successCount: number;
    errorCount: number;
    undoneBy: string | null;
  };
  items: {
    type: string;
    recordId: string;
    action: string;
    status: string;
    newId: string | null;
    message: string | null;
    beforeVersionId: number | null;
  }[];
};

/** The versions of a record, newest first, through the API. */
export async function versionsOf(session: AppSession, type: string, id: string) {
  const res = await session.api(`/api/vault/items/${type}/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new Error(`item ${type}/${id}: ${res.status} ${await res.text()}`);
  return res.json<{
    record: { deleted: boolean; name: string };
    currentId: string | null;
    versions: { id: number; source: string; change: string; capturedAt: number }[];
    history: {
      restoreId: string;
      status: string;
      action: string;
      message: string | null;
      createdBy: string;
    }[];
  }>();
}
