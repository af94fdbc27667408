import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { stores, users } from "../db/schema";
import { notFound } from "../lib/errors";
import { apiRouter } from "./context";

const SessionInfo = z
  .object({
    store: z.object({ hash: z.string(), name: z.string(), plan: z.string(), timezone: z.string(), domain: z.string().nullable() }),
    user: z.object({ id: z.number(), email: z.string(), role: z.enum(["owner", "user"]) }),
    kind: z.enum(["embedded", "external"]),
    csrfToken: z.string(),
  })
  .openapi("SessionInfo");

export const sessionRoutes = apiRouter().openapi(
  createRoute({
    method: "get",
    path: "/session",
    summary: "The signed-in user, their store, and the CSRF token to send on changes",
    responses: { 200: { description: "Session", content: { "application/json": { schema: SessionInfo } } } },
  }),
  async (c) => {
    const s = c.get("session");
    const db = getDb(c.env);
    const [store] = await db.select().from(stores).where(eq(stores.hash, s.storeHash)).limit(1);
    const [user] = await db
      .select()
      .from(users)
      .where(and(eq(users.storeHash, s.storeHash), eq(users.userId, s.userId)))
      .limit(1);
    if (!store || !user) throw notFound("Store not found");
    return c.json(
      {
        store: { hash: store.hash, name: store.name ?? store.hash, plan: store.plan, timezone: store.timezone, domain: store.domain },
        user: { id: user.userId, email: user.email, role: user.role },
        kind: s.kind,
        csrfToken: s.csrfToken,
      },
      200,
    );
  },
);
