import { productState } from "./support/catalog-fixture";
import { type AppSession, installViaOAuth, sandbox } from "./support/install";
import { runBackup, storeApi, waitForJob } from "./support/vault-fixture";

/** What bulk recovery tests back up: products and the records they reference. */
export const CATALOG = ["products", "brands", "categories", "category_trees"];

type Export = Record<string, Record<string, unknown>[]>;

/**
 * A demo store with the app installed and an unlimited quota, backed up (the version to return to),
 * then hit by `mutate` (a bad import by default) and backed up again, as the nightly backup would.
 */
export async function storeAfterMutation(
  seed: number,
  mutation: { kind: "bad-import" | "delete"; type?: string; share?: number } = { kind: "bad-import" },
  alsoBeforeBackup?: (bc: ReturnType<typeof storeApi>) => Promise<void>,
) {
  const session = await installViaOAuth("demo", seed);
  await sandbox(`/__sandbox/stores/${session.storeHash}/quota`, {
    method: "PUT",
    json: { quota: "unlimited" },
  });
  const bc = storeApi(session.storeHash, session.sandboxToken);
  await runBackup(session.storeHash, CATALOG);
  const before = await bc.export();
  const mutated = await sandbox<{
    changed: Record<string, { created: number[]; updated: number[]; deleted: number[] }>;
    before: Record<string, Record<string, Record<string, unknown>>>;
  }>(`/__sandbox/stores/${session.storeHash}/mutate`, {
    method: "POST",
    json: { type: "products", seed, ...mutation },
  });
  await alsoBeforeBackup?.(bc);
  const after = await bc.export();
  await runBackup(session.storeHash, CATALOG);
  const versions = await json<{ versions: { backupId: string; at: number }[] }>(
    session.api("/api/recovery/versions"),
  );
  // Newest first: the backup before the mutation is the second.
  const version = versions.versions[1];
  return { ...session, bc, before, after, mutated, version };
}

export async function json<T>(res: Promise<Response> | Response): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return r.json<T>();
}

export type Process = {
  restore: {
    id: string;
    status: string;
    rawStatus: string;
    cancelled: boolean;
    percent: number;
    total: number;
    completed: number;
    successCount: number;
    errorCount: number;
    canUndo: boolean;
    emails: string[];
  };
  types: {
    type: string;
    status: string;
    total: number;
    completed: number;
    successful: number;
    errors: number;
    changed: { update: number; create: number; delete: number };
    planned: { update: number; create: number; delete: number } | null;
  }[];
  changed: { type: string; action: string; count: number }[];
};

export type Item = {
  recordId: string;
  name: string;
  action: string;
  status: string;
  message: string | null;
  newId: string | null;
};

export const startBulk = (session: AppSession, body: Record<string, unknown>) =>
  session.api("/api/recovery/restores", { method: "POST", json: body });

export async function finished(session: AppSession, restoreId: string): Promise<Process> {
  await waitForJob(session.storeHash, 120_000);
  return json<Process>(session.api(`/api/recovery/restores/${restoreId}`));
}

export async function itemsOf(session: AppSession, restoreId: string, type: string): Promise<Item[]> {
  const out: Item[] = [];
  for (let page = 1; ; page++) {
    const r = await json<{ items: Item[]; total: number }>(
      session.api(`/api/recovery/restores/${restoreId}/items?type=${type}&page=${page}&pageSize=200`),
    );
    out.push(...r.items);
    if (out.length >= r.total || r.items.length === 0) return out;
  }
}

/** Every product as a merchant compares it (server-assigned ids aside), by id. */
export function productsOf(ex: Export): Map<number, unknown> {
  return new Map(ex.products.map((p) => [p.id as number, productState(ex, p.id as number)]));
}

/**
 * A re-created product's state with its images compared by order, text and thumbnail flag: they are
 * uploaded again from the vault's files, and BigCommerce's CDN names an uploaded image anew.
 */
export function reuploaded(state: unknown): unknown {
  const s = state as { images?: Record<string, unknown>[] } | null | undefined;
  if (!s?.images) return s;
  return {
    ...s,
    images: s.images
      .map(
        ({ image_url: url, ...image }): Record<string, unknown> => ({
          ...image,
          hasUrl: typeof url === "string" && url !== "",
        }),
      )
      .sort((a, b) => Number(a.sort_order) - Number(b.sort_order)),
  };
}

/** Everything in the export except products and their sub-resources: what a products restore must not touch. */
export function otherRecords(ex: Export): Export {
  const { store: _store, ...rest } = ex;
  return Object.fromEntries(
    Object.entries(rest).filter(([k]) => !k.startsWith("product") && k !== "variants"),
  ) as Export;
}
