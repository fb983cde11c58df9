import { gzipSync } from "node:zlib";
import type { Context, MiddlewareHandler } from "hono";
import { BUILD_DIR, type Manifest, readManifest } from "./manifest.ts";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** One built file, kept in memory with its gzip form. */
export interface Asset {
  type: string;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** The browser assets were not built into this server. */
export class AssetsNotBuiltError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = "AssetsNotBuiltError";
  }
}

/**
 * The built assets, read once from the build (embedded in a compiled
 * executable) and kept in memory with their gzip form.
 */
export class BuiltAssets {
  #manifest: Manifest | null = null;
  readonly #files = new Map<string, Asset>();

  /** @throws {TypeError} when `dir` is not a folder URL (ending in `/`). */
  constructor(readonly dir: URL = BUILD_DIR) {
    if (!dir.href.endsWith("/")) {
      throw new TypeError(`Assets folder must end with "/": ${dir.href}`);
    }
  }

  /** The manifest. @throws {AssetsNotBuiltError} telling how to build when there is none. */
  manifest(): Manifest {
    try {
      return this.#manifest ??= readManifest(this.dir);
    } catch (error) {
      throw new AssetsNotBuiltError(error as Error);
    }
  }

  /** The built file `name` (a name the manifest lists, of a type we serve), or null. */
  get(name: string): Asset | null {
    const cached = this.#files.get(name);
    if (cached) return cached;
    const manifest = this.manifest();
    const known = name === manifest.css || name === manifest.icon || name in manifest.files;
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (!known || !type) return null;
    const body = Deno.readFileSync(new URL(name, this.dir));
    const hash = /-([A-Za-z0-9]+)\.\w+$/.exec(name)?.[1] ?? String(body.length);
    const gzip = new Uint8Array(gzipSync(body, { level: 9 }));
    const asset = { type, body, gzip, etag: `"${hash}"` };
    this.#files.set(name, asset);
    return asset;
  }
}

/** Options for {@linkcode staticAssets}. */
export interface StaticAssetsOptions {
  /** The build to serve. @default new BuiltAssets() */
  assets?: BuiltAssets;
  /** The route parameter that holds the file name. @default "file" */
  param?: string;
}

/**
 * Serves the build's files at a route such as `/static/:file`. Every file but
 * the manifest has a content hash in its name, so it is cached for a year as
 * immutable; the ETag serves revalidation by tools that ignore that. Files the
 * manifest does not list (the manifest itself, anything outside the build)
 * are 404.
 *
 * @example
 * app.get("/static/:file", staticAssets({ assets }));
 */
export function staticAssets(options: StaticAssetsOptions = {}): MiddlewareHandler {
  const assets = options.assets ?? new BuiltAssets();
  const param = options.param ?? "file";
  if (!/^\w+$/.test(param)) {
    throw new TypeError(`Route parameter must be a word, like "file": ${JSON.stringify(param)}`);
  }
  return function staticAssets(c) {
    return Promise.resolve(serveAsset(c, assets.get(c.req.param(param) ?? "")));
  };
}

function serveAsset(c: Context, asset: Asset | null): Response {
  if (!asset) return c.text("Not found", 404);
  const headers = new Headers({
    "content-type": asset.type,
    "cache-control": "public, max-age=31536000, immutable",
    etag: asset.etag,
    vary: "accept-encoding",
  });
  if (c.req.header("if-none-match") === asset.etag) {
    return new Response(null, { status: 304, headers });
  }
  const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  if (gzip) headers.set("content-encoding", "gzip");
  return new Response(gzip ? asset.gzip : asset.body, { status: 200, headers });
}

/** Options for {@linkcode faviconRedirect}. */
export interface FaviconRedirectOptions {
  /** The build whose icon to point at. */
  assets: BuiltAssets;
  /** URL prefix the assets are served under. @default "/static/" */
  staticBase?: string;
}

/**
 * Answers `/favicon.ico`, which browsers ask for whatever the page links,
 * with a permanent redirect to the hashed icon.
 *
 * @example
 * app.get("/favicon.ico", faviconRedirect({ assets }));
 */
export function faviconRedirect(options: FaviconRedirectOptions): MiddlewareHandler {
  const base = options.staticBase ?? "/static/";
  if (!base.startsWith("/") || !base.endsWith("/")) {
    throw new TypeError(`Static base must start and end with "/": ${JSON.stringify(base)}`);
  }
  return function faviconRedirect(c) {
    return Promise.resolve(c.redirect(`${base}${options.assets.manifest().icon}`, 301));
  };
}
