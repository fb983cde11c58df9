import type { Context } from "hono";
import type { JSX } from "preact";
import { renderPage } from "./render_page.tsx";
import { PAGE_CSP } from "./security_headers.ts";
import type { BuiltAssets } from "./static_assets.ts";

/** Options for {@linkcode htmlPage}. */
export interface HtmlPageOptions {
  /** The page's own title; the document's reads `<title> · HALO`. */
  title: string;
  /** The build whose stylesheet, icon and island bundles the page links. */
  assets: BuiltAssets;
  /** The session's CSRF token, for islands' fetches (absent when logged out). */
  csrfToken?: string;
  /** @default 200 */
  status?: 200 | 400 | 401 | 403 | 404 | 429 | 500 | 503;
}

/**
 * Answers with `page` as a full document, under {@linkcode PAGE_CSP} and
 * never cached (pages show one person's live view).
 *
 * @throws {AssetsNotBuiltError} when the assets were not built.
 * @example
 * app.get("/", (c) => htmlPage(c, <Home />, { title: "Home", assets }));
 */
export function htmlPage(c: Context, page: JSX.Element, options: HtmlPageOptions): Response {
  const { html } = renderPage(page, {
    title: options.title,
    manifest: options.assets.manifest(),
    ...(options.csrfToken ? { csrfToken: options.csrfToken } : {}),
  });
  c.header("content-security-policy", PAGE_CSP);
  c.header("cache-control", "no-store");
  return c.html(html, options.status ?? 200);
}
