import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { getType, isTypeKey } from "../bigcommerce/registry";
import { notFound } from "../lib/errors";
import { imageStorage, imagesOfVersion } from "./catalog";
import { imageKey } from "./files";

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
const errors = {
  400: { description: "Invalid input", content: { "application/json": { schema: ErrorSchema } } },
  404: { description: "Not in this store's vault", content: { "application/json": { schema: ErrorSchema } } },
};

/** Served inline only as these (never HTML or SVG, which could run script in the app's origin). */
const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"]);

const VersionImage = z
  .object({
    sha256: z.string().nullable(),
    url: z.string(),
    label: z.string(),
    bytes: z.number().nullable(),
    contentType: z.string().nullable(),
  })
  .openapi("VersionImage");

/** Image files in the vault: a version's images, the bytes of one file, the Item Storage row. Scoped to the session's store. */
export const imageRoutes = apiRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/images/{sha256}",
      summary: "The bytes of one image file the store's vault holds (404 for any other store's file)",
      request: {
        params: z.object({
          sha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .openapi({ example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }),
        }),
      },
      responses: {
        200: { description: "The file", content: { "image/*": { schema: z.string() } } },
        ...errors,
      },
    }),
    async (c) => {
      const { sha256 } = c.req.valid("param");
      const storeHash = c.get("session").storeHash;
      const file = await c.env.DB.prepare(
        "select content_type from image_files where store_hash = ? and sha256 = ?",
      )
        .bind(storeHash, sha256)
        .first<{ content_type: string }>();
      const obj = file ? await c.env.VAULT.get(imageKey(storeHash, sha256)) : null;
      if (!file || !obj) throw notFound("This image file is not in your store's vault.");
      const inline = INLINE_TYPES.has(file.content_type);
      return new Response(obj.body, {
        headers: {
          "content-type": inline ? file.content_type : "application/octet-stream",
          "content-length": String(obj.size),
          // Content-addressed: the bytes behind this URL never change; private, since it needs the session.
          "cache-control": "private, max-age=86400, immutable",
          ...(inline ? {} : { "content-disposition": `attachment; filename="${sha256}"` }),
        },
      }) as never;
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/items/{type}/{id}/versions/{versionId}/images",
      summary: "The image files one version references, in order, with their stored size",
      request: {
        params: z.object({
          type: z.string().openapi({ example: "products" }),
          id: z.string().min(1).max(200).openapi({ example: "112" }),
          versionId: z.coerce.number().int().min(1),
        }),
      },
      responses: {
        200: {
          description: "The version's images",
          content: { "application/json": { schema: z.object({ images: z.array(VersionImage) }) } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { type, id, versionId } = c.req.valid("param");
      if (!isTypeKey(type)) throw notFound(`There is no content type "${type}".`);
      const storeHash = c.get("session").storeHash;
      const v = await c.env.DB.prepare(
        "select hash from versions where id = ? and store_hash = ? and type = ? and record_id = ?",
      )
        .bind(versionId, storeHash, getType(type).key, id)
        .first<{ hash: string | null }>();
      if (!v) throw notFound("This version is not in your store's vault.");
      return c.json({ images: await imagesOfVersion(c.env, storeHash, type, v.hash) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/vault/image-storage",
      summary: "Item Storage's image files row: files held (each once) and their bytes",
      responses: {
        200: {
          description: "Image files held",
          content: {
            "application/json": { schema: z.object({ files: z.number(), bytes: z.number() }) },
          },
        },
      },
    }),
    async (c) => c.json(await imageStorage(c.env, c.get("session").storeHash), 200),
  );
