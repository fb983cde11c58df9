import { gzipSync } from "node:zlib";
import type { Context } from "hono";
import { BUILD_DIR, type Manifest, readManifest } from "./manifest.ts";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

interface Asset {
  type: string;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** The portal's assets were not built into this gateway. */
export class PortalNotBuiltError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = "PortalNotBuiltError";
  }
}

/**
 * The portal's built assets, read once from the build (embedded in a compiled
 * gateway) and kept in memory with their gzip form. Every file but the
 * manifest has a content hash in its name, so it is cached for a year as
 * immutable; the ETag serves revalidation by tools that ignore that.
 */
export class PortalAssets {
  #manifest: Manifest | null = null;
  readonly #files = new Map<string, Asset>();

  constructor(private readonly dir: URL = BUILD_DIR) {}

  /** The manifest. @throws {Error} telling how to build when there is none. */
  manifest(): Manifest {
    try {
      return this.#manifest ??= readManifest(this.dir);
    } catch (error) {
      throw new PortalNotBuiltError(error as Error);
    }
  }

  /** Answers `GET /static/:file`. */
  serve(c: Context, name: string): Response {
    const asset = this.#asset(name);
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

  #asset(name: string): Asset | null {
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
