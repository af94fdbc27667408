import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one error shape every route answers with: `{ error: { code, message, field? } }`. */
export type ErrorBody = { error: { code: string; message: string; field?: string } };

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}

export const badRequest = (message: string, field?: string) =>
  new HttpError(400, "bad_request", message, field);
export const unauthorized = (message: string) => new HttpError(401, "unauthorized", message);
export const forbidden = (message: string, code = "forbidden") => new HttpError(403, code, message);
export const notFound = (message: string) => new HttpError(404, "not_found", message);
export const conflict = (message: string, code = "conflict") => new HttpError(409, code, message);
export const unprocessable = (message: string, field?: string) =>
  new HttpError(422, "unprocessable", message, field);
