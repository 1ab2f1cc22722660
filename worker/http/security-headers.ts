/**
 * Security headers on every response, the single-page app's files included
 * (they reach the client through the worker: `run_worker_first = true`).
 * The policy allows only the app's own files: no inline script or style
 * element, no plugins, no <base>, no framing; data: for the favicon and
 * inline images. HSTS only in production (a local http:// origin must not
 * pin itself to https). Authenticated and account JSON is never stored by
 * a cache.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../resources";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

export const HSTS = "max-age=63072000; includeSubDomains";

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    // A WebSocket handshake carries no document: leave it exactly as it is.
    if (c.res.status === 101) return;
    // Responses from the assets binding (and fetch) have immutable headers: copy once. Hono's c.res setter copies
    // the response and its headers again, so it is used only then, not on every answer.
    let res = c.res;
    try {
      res.headers.set("x-content-type-options", "nosniff");
    } catch {
      c.res = new Response(res.body, res);
      res = c.res;
    }
    // A route's own stricter policy (an avatar's sandbox) stands.
    for (const [k, v] of Object.entries(SECURITY_HEADERS))
      if (!(k === "content-security-policy" && res.headers.has(k))) res.headers.set(k, v);
    if (c.env.ENVIRONMENT === "production") res.headers.set("strict-transport-security", HSTS);
    if (c.req.path.startsWith("/api/") && !res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
  };
}
