import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { discoveryRoutes } from "./activity/discovery";
import type { AppEnv } from "./api/context";
import { sessionRoutes } from "./api/session-routes";
import { requireSession } from "./auth/middleware";
import { authRoutes } from "./auth/routes";
import { loadSession } from "./auth/sessions";
import { signinRoutes } from "./auth/signin";
import { backupRoutes } from "./backup/routes";
import { themeFileRoutes } from "./backup/theme-files";
import { webhookRoutes } from "./backup/webhooks";
import { getDb } from "./db/client";
import { downloadRoutes } from "./export/download-routes";
import { exportRoutes } from "./export/routes";
import { imageRoutes } from "./images/routes";
import { integrityRoutes } from "./integrity/routes";
import { HttpError } from "./lib/errors";
import { securityHeaders } from "./lib/security-headers";
import { devRoutes } from "./notify/dev-routes";
import { plansRoutes } from "./plans/routes";
import { recoveryRoutes } from "./recovery/routes";
import { restoreRoutes } from "./restore/routes";
import { settingsRoutes } from "./settings/routes";
import { vaultRoutes } from "./vault/routes";

export const app = new OpenAPIHono<AppEnv>();

/** `/api` paths that need no session. */
const PUBLIC_API = new Set(["/api/health", "/api/openapi.json"]);

app.use("*", securityHeaders);
app.use(
  "/api/*",
  bodyLimit({
    maxSize: 256 * 1024,
    onError: (c) =>
      c.json(
        { error: { code: "payload_too_large", message: "The request body is larger than 256 KB." } },
        413,
      ),
  }),
);
app.use("/api/*", (c, next) => (PUBLIC_API.has(c.req.path) ? next() : requireSession(c, next)));

app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/auth", authRoutes);
app.route("/signin", signinRoutes);

// A visit to the app's own address (not the control panel's iframe) without a session signs in first.
app.get("/", async (c, next) => {
  const topLevel = c.req.header("sec-fetch-dest") === "document";
  if (topLevel && !(await loadSession(getDb(c.env), c))) return c.redirect("/signin", 302);
  return next();
});
app.route("/api", sessionRoutes);
app.route("/api", integrityRoutes);
app.route("/api", exportRoutes);
app.route("/downloads", downloadRoutes);
app.route("/__dev", devRoutes);
app.route("/api", backupRoutes);
app.route("/", webhookRoutes);
app.route("/api", vaultRoutes);
app.route("/api", themeFileRoutes);
app.route("/api", imageRoutes);
app.route("/api", restoreRoutes);
app.route("/api", recoveryRoutes);
app.route("/api", plansRoutes);
app.route("/api", settingsRoutes);
app.route("/api", discoveryRoutes);

app.doc31("/api/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Strongbox API",
    version: "1",
    description: "The JSON API the Strongbox app uses. Every route is scoped to the session's store.",
  },
});

app.notFound((c) => {
  if (c.req.path.startsWith("/api/") || c.req.method !== "GET") {
    return c.json(
      { error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` } },
      404,
    );
  }
  // SPA routes the worker runs first for (so they get the security headers): serve index.html.
  return c.env.ASSETS.fetch(new Request(new URL("/", c.req.url), { headers: c.req.raw.headers }));
});

app.onError((err, c) => {
  if (err instanceof HttpError) return c.json(err.body(), err.status);
  if (err instanceof HTTPException && err.status < 500) {
    return c.json({ error: { code: "bad_request", message: err.message || "Bad request" } }, err.status);
  }
  const requestId = crypto.randomUUID();
  console.error(`request ${requestId} failed`, err instanceof Error ? err.stack : err);
  return c.json(
    { error: { code: "internal", message: `Something went wrong (request ${requestId}).` } },
    500,
  );
});

export type AppType = typeof app;
