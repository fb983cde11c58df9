import type { JSX } from "preact";
import { renderToString } from "preact-render-to-string";
import { IslandCollector, IslandContext } from "./island.tsx";
import { type Manifest, scriptsFor } from "./manifest.ts";

/** Options for {@linkcode renderPage}. */
export interface RenderPageOptions {
  title: string;
  manifest: Manifest;
  /** URL prefix of the built assets. @default "/static/" */
  staticBase?: string;
  /** The session's CSRF token, for islands' fetches (absent when logged out). */
  csrfToken?: string;
}

/** A rendered page and the islands it uses. */
export interface RenderedPage {
  html: string;
  islands: string[];
}

/**
 * Renders a page to a full HTML document. Islands inside it are listed in
 * one JSON script (not executed, so no inline script for the CSP) that the
 * runtime reads; a page without islands gets no script tags at all.
 */
export function renderPage(body: JSX.Element, options: RenderPageOptions): RenderedPage {
  const base = options.staticBase ?? "/static/";
  const collector = new IslandCollector();
  const html = renderToString(
    <IslandContext.Provider value={collector}>{body}</IslandContext.Provider>,
  );
  const islands = collector.names();
  const scripts = scriptsFor(options.manifest, islands);
  const data = {
    islands: collector.uses,
    urls: Object.fromEntries(islands.map((n) => [n, base + options.manifest.islands[n]])),
  };
  const head = [
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(options.title)} · HALO</title>`,
    `<link rel="icon" type="image/svg+xml" href="${base}${options.manifest.icon}">`,
    `<link rel="stylesheet" href="${base}${options.manifest.css}">`,
    options.csrfToken ? `<meta name="csrf-token" content="${escapeHtml(options.csrfToken)}">` : "",
    ...scripts.map((f) => `<link rel="modulepreload" href="${base}${f}">`),
    scripts.length
      ? `<script type="module" src="${base}${options.manifest.runtime}"></script>`
      : "",
  ].filter(Boolean).join("\n");
  const islandData = islands.length
    ? `\n<script type="application/json" id="halo-islands">${jsonForScript(data)}</script>`
    : "";
  return {
    html:
      `<!DOCTYPE html>\n<html lang="en">\n<head>\n${head}\n</head>\n<body>${html}${islandData}</body>\n</html>\n`,
    islands,
  };
}

/** JSON that cannot end its `<script>` element early or break in old parsers. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
