import type { Context } from "hono";
import type { JSX } from "preact";
import { renderPage } from "./render_page.tsx";
import type { PortalSession } from "../lib/session.ts";
import type { PortalAssets } from "./static_assets.ts";

/**
 * The portal's Content-Security-Policy: scripts and styles only from the
 * gateway itself, no inline script or style, no framing, forms only to us.
 */
export const PORTAL_CSP = [
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

/** Options for {@linkcode htmlPage}. */
export interface HtmlPageOptions {
  title: string;
  session?: PortalSession | null;
  status?: 200 | 400 | 401 | 403 | 404 | 429 | 500 | 503;
}

/** Renders `page` as a full document with the portal's CSP and no caching. */
export function htmlPage(
  c: Context,
  assets: PortalAssets,
  page: JSX.Element,
  options: HtmlPageOptions,
): Response {
  const { html } = renderPage(page, {
    title: options.title,
    manifest: assets.manifest(),
    ...(options.session ? { csrfToken: options.session.csrfToken } : {}),
  });
  c.header("content-security-policy", PORTAL_CSP);
  c.header("cache-control", "no-store");
  return c.html(html, options.status ?? 200);
}
