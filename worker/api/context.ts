import { OpenAPIHono } from "@hono/zod-openapi";
import { HttpError } from "../lib/errors";

/** What an authenticated `/api` request knows: the store comes from the session, never from the browser. */
export type SessionContext = {
  storeHash: string;
  userId: number;
  email: string;
  role: "owner" | "user";
  kind: "embedded" | "external";
  csrfToken: string;
};

export type AppEnv = { Bindings: Env; Variables: { session: SessionContext; requestId: string } };

/**
 * A feature router under `/api`. Validation failures answer in the one error shape with the
 * offending field, so every route reports bad input the same way.
 */
export function apiRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.join(".") || undefined;
        throw new HttpError(
          400,
          "invalid_input",
          issue ? `${field ?? "input"}: ${issue.message}` : "Invalid input",
          field,
        );
      }
    },
  });
}
