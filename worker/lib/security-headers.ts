import type { MiddlewareHandler } from "hono";

/**
 * Framing is allowed only by the BigCommerce control panel (and, in dev, the local sandbox's control
 * panel listed in FRAME_ANCESTORS). Everything else is same-origin: the SPA and API share one origin.
 */
export const securityHeaders: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  // Responses from the asset binding or fetch() have immutable headers.
  c.res = new Response(c.res.body, c.res);
  const extra = (c.env.FRAME_ANCESTORS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^https?:\/\/[a-z0-9.*:-]+$/i.test(s));
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors 'self' https://*.bigcommerce.com ${extra.join(" ")}`.trim(),
  ].join("; ");
  c.res.headers.set("Content-Security-Policy", csp);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (!c.res.headers.has("Cache-Control") && c.req.path.startsWith("/api/"))
    c.res.headers.set("Cache-Control", "no-store");
};
