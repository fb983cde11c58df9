import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * The pages' Content-Security-Policy: scripts and styles only from the
 * server itself, no inline script or style, no framing, forms only to us.
 * The islands layer needs no more: its data is a JSON script, not code.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Hono's secure headers (no sniffing, no framing, HSTS and the rest of its
 * defaults) with resources readable by this origin only: what every answer
 * of a server that serves these pages carries.
 *
 * @example
 * app.use(securityHeaders());
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({ crossOriginResourcePolicy: "same-origin" });
}
