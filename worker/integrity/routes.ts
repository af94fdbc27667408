import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter } from "../api/context";
import { checkVault } from "./vault-check";

const Report = z
  .object({
    storeHash: z.string(),
    versions: z.number(),
    bodiesChecked: z.number(),
    packs: z.number(),
    problems: z.array(
      z.object({
        kind: z.string(),
        detail: z.string(),
        versionId: z.number().optional(),
        type: z.string().optional(),
        recordId: z.string().optional(),
      }),
    ),
  })
  .openapi("VaultCheckReport");

export const integrityRoutes = apiRouter().openapi(
  createRoute({
    method: "post",
    path: "/vault/check",
    summary: "Re-read every version body of this store and check it against its SHA-256 and the index",
    responses: {
      200: {
        description: "What was checked and every problem found",
        content: { "application/json": { schema: Report } },
      },
    },
  }),
  async (c) => c.json(await checkVault(c.env, c.get("session").storeHash), 200),
);
