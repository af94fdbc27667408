import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import type { ApiRecord, BigCommerceClient } from "../bigcommerce/client";
import type { ContentType } from "../bigcommerce/registry";
import { notFound } from "../lib/errors";
import { canonicalJson } from "./canonical";

/**
 * A theme's files (the zip BigCommerce builds for a download), stored once per theme version: the R2
 * key is addressed by the theme record's content hash, the same SHA-256 the vault gives that version,
 * so a backup writes a zip only for a theme whose record changed (or whose zip is missing), and the
 * item page finds a version's files without an index row.
 */
export const themeFilesKey = (storeHash: string, themeUuid: string, versionHash: string) =>
  `theme-files/${storeHash}/${themeUuid}/${versionHash}.zip`;

/** Download jobs usually finish in seconds; a job still running after this is retried by the next backup. */
const POLLS = 10;
const POLL_MS = 1_500;

async function versionHash(record: ApiRecord): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJson(record)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

type DownloadJob = { status?: string; result?: { download_url?: string }; errors?: { message?: string }[] };

/** POST `/themes/{uuid}/actions/download`, poll the job, fetch the link (valid about 60 s). Null if it did not finish. */
async function downloadTheme(client: BigCommerceClient, uuid: string): Promise<ArrayBuffer | null> {
  const { body } = await client.request<{ job_id?: string; data?: { job_id?: string } }>(
    "POST",
    "v3",
    `/themes/${encodeURIComponent(uuid)}/actions/download`,
    { body: { which: "last_created" } },
  );
  const jobId = body?.job_id ?? body?.data?.job_id;
  if (!jobId) return null;
  for (let i = 0; i < POLLS; i++) {
    const { body: polled } = await client.request<{ data?: DownloadJob }>(
      "GET",
      "v3",
      `/themes/jobs/${encodeURIComponent(jobId)}`,
    );
    const job = polled?.data;
    if (job?.status === "FAILED") throw new Error(job.errors?.[0]?.message ?? "theme download failed");
    const url = job?.status === "COMPLETED" ? job.result?.download_url : undefined;
    if (url) {
      // A signed CDN link: no token, and not an API call (no quota).
      const res = await fetch(url);
      if (!res.ok) throw new Error(`theme download link answered ${res.status}`);
      return res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return null;
}

/**
 * For the records of a type whose registry entry has `files` (custom themes: `is_private`; themes
 * from the marketplace can be installed again from there), stores the theme's zip unless the vault
 * already holds the files of this exact version. Returns the zips written.
 */
export async function storeThemeFiles(
  env: Env,
  storeHash: string,
  client: BigCommerceClient,
  type: ContentType,
  records: ApiRecord[],
): Promise<number> {
  const files = type.files;
  if (!files) return 0;
  let written = 0;
  for (const record of records.filter(files.when)) {
    const uuid = String(record.uuid);
    const key = themeFilesKey(storeHash, uuid, await versionHash(record));
    if (await env.VAULT.head(key)) continue;
    try {
      const zip = await downloadTheme(client, uuid);
      if (!zip) continue;
      await env.VAULT.put(key, zip, {
        httpMetadata: { contentType: "application/zip" },
        customMetadata: { theme: uuid, name: String(record.name ?? "") },
      });
      written++;
    } catch (err) {
      // The record itself is backed up; the files are tried again by the next backup (no zip yet).
      console.warn(`theme files of ${uuid} (${storeHash}) not stored`, err);
    }
  }
  return written;
}

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

/** `GET /api/vault/items/themes/{id}/versions/{versionId}/files`: the theme's zip as that version had it. */
export const themeFileRoutes = apiRouter().openapi(
  createRoute({
    method: "get",
    path: "/vault/items/themes/{id}/versions/{versionId}/files",
    summary: "The theme's files (zip) stored with one version of a custom theme",
    request: {
      params: z.object({
        id: z.string().uuid().openapi({ example: "7e6d2a5c-1f7e-4c5e-9d6a-0b6f4c1e2a3b" }),
        versionId: z.coerce.number().int().min(1),
      }),
    },
    responses: {
      200: { description: "The theme's zip", content: { "application/zip": { schema: z.string() } } },
      400: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
      404: {
        description: "No files stored for this version",
        content: { "application/json": { schema: ErrorSchema } },
      },
    },
  }),
  async (c) => {
    const { id, versionId } = c.req.valid("param");
    const storeHash = c.get("session").storeHash;
    const version = await c.env.DB.prepare(
      "select hash from versions where store_hash = ? and type = 'themes' and record_id = ? and id = ?",
    )
      .bind(storeHash, id, versionId)
      .first<{ hash: string | null }>();
    const obj = version?.hash ? await c.env.VAULT.get(themeFilesKey(storeHash, id, version.hash)) : null;
    if (!obj) {
      throw notFound(
        "No theme files are stored for this version: only custom themes are downloaded, from their first backup on.",
      );
    }
    const name = (obj.customMetadata?.name || id).replace(/[^\w .-]+/g, "_");
    return new Response(obj.body, {
      headers: {
        "content-type": "application/zip",
        "content-length": String(obj.size),
        "content-disposition": `attachment; filename="${name} (version ${versionId}).zip"`,
        "cache-control": "private, max-age=86400, immutable",
      },
    }) as never;
  },
);
