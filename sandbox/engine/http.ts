import type { Rec } from "./table.ts";

export const STATUS_DOC = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

/** An error answered in BigCommerce's shape: v3 `{status,title,type,errors}`, v2 `[{status,message}]`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly errors: Record<string, string> = {},
  ) {
    super(title);
  }

  v3Body(): Rec {
    return { status: this.status, title: this.title, type: STATUS_DOC, errors: this.errors };
  }

  v2Body(): Rec[] {
    const details = Object.keys(this.errors).length ? { details: { invalid_reason: this.errors } } : {};
    return [{ status: this.status, message: this.title, ...details }];
  }
}

export const notFound = (what = "The requested resource was not found.") => new ApiError(404, what);

export function invalid(errors: Record<string, string>, title = "JSON data is missing or invalid"): ApiError {
  return new ApiError(422, title, errors);
}

const encoder = new TextEncoder();
const nodeBuffer = (
  globalThis as {
    Buffer?: { from(s: string, enc: "utf8"): Uint8Array; concat(parts: Uint8Array[]): Uint8Array };
  }
).Buffer;
/** UTF-8 bytes of a body: Node's Buffer is the fastest way there (and spares undici a USVString pass). */
export const utf8 = (s: string): Uint8Array => (nodeBuffer ? nodeBuffer.from(s, "utf8") : encoder.encode(s));

/** Joins byte chunks into one body. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (nodeBuffer) return nodeBuffer.concat(parts);
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * JSON assembled ahead (fast list pages), as text or as UTF-8 chunks (cached record bytes);
 * to JSON.stringify it is the value it encodes.
 */
export class RawJson {
  constructor(readonly text: string | Uint8Array[]) {}
  bytes(): Uint8Array {
    return typeof this.text === "string" ? utf8(this.text) : concatBytes(this.text);
  }
  toJSON(): unknown {
    return JSON.parse(typeof this.text === "string" ? this.text : new TextDecoder().decode(this.bytes()));
  }
}

/** JSON response whose byte size is known, so stats can count bytes sent. */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): Response {
  if (status === 204) return new Response(null, { status, headers });
  const bytes = body instanceof RawJson ? body.bytes() : utf8(JSON.stringify(body));
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status,
    headers: { "content-type": "application/json", "content-length": String(bytes.byteLength), ...headers },
  });
}

const pad = (n: number) => String(n).padStart(2, "0");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** v3 dates: `2018-08-15T14:49:05+00:00`. */
export function isoDate(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** v2 dates (RFC 2822): `Wed, 15 Aug 2018 14:49:05 +0000`. */
export function rfc2822(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Parses a date filter value: unix seconds, ISO 8601 or RFC 2822. NaN when unreadable. */
export function parseDateParam(v: string): number {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  return Date.parse(v);
}
