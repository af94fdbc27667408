import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { signins, stores, users } from "../db/schema";
import { notFound } from "../lib/errors";
import { apiRouter } from "./context";

const SessionInfo = z
  .object({
    store: z.object({
      hash: z.string(),
      name: z.string(),
      plan: z.string(),
      timezone: z.string(),
      domain: z.string().nullable(),
    }),
    user: z.object({ id: z.number(), email: z.string(), role: z.enum(["owner", "user"]) }),
    kind: z.enum(["embedded", "external"]),
    csrfToken: z.string(),
  })
  .openapi("SessionInfo");

const SigninList = z
  .object({
    signins: z.array(
      z.object({ email: z.string(), ip: z.string(), userAgent: z.string().nullable(), at: z.number() }),
    ),
  })
  .openapi("SigninList");

export const sessionRoutes = apiRouter();

sessionRoutes.openapi(
  createRoute({
    method: "get",
    path: "/signins",
    summary: "The last sign-ins to this store outside the control panel (who, when, from where)",
    responses: {
      200: { description: "Sign-ins, newest first", content: { "application/json": { schema: SigninList } } },
    },
  }),
  async (c) => {
    const rows = await getDb(c.env)
      .select({ email: signins.email, ip: signins.ip, userAgent: signins.userAgent, at: signins.at })
      .from(signins)
      .where(eq(signins.storeHash, c.get("session").storeHash))
      .orderBy(desc(signins.at))
      .limit(50);
    return c.json({ signins: rows }, 200);
  },
);

sessionRoutes.openapi(
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
        store: {
          hash: store.hash,
          name: store.name ?? store.hash,
          plan: store.plan,
          timezone: store.timezone,
          domain: store.domain,
        },
        user: { id: user.userId, email: user.email, role: user.role },
        kind: s.kind,
        csrfToken: s.csrfToken,
      },
      200,
    );
  },
);
