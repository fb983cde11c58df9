import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { assertEquals, assertMatch, assertThrows } from "../../lib/testing/assert.ts";
import type { Manifest } from "./manifest.ts";
import {
  AssetsNotBuiltError,
  BuiltAssets,
  faviconRedirect,
  staticAssets,
} from "./static_assets.ts";

const RUNTIME = "boot-0a1b2c3d4e.js";
const CSS = "portal-5f6a7b8c9d.css";
const ICON = "icon-1e2f3a4b5c.svg";

/** A build folder as `ui/build.ts` writes one, plus a file the manifest does not list. */
async function fixtureBuild(): Promise<
  { dir: URL; bytes: (name: string) => Uint8Array } & AsyncDisposable
> {
  const path = await Deno.makeTempDir({ prefix: "halo-assets-" });
  const dir = new URL(`file://${path}/`);
  const files: Record<string, string> = {
    [RUNTIME]: `import "./chunk-6d7e8f9a0b.js";\n${"console.log('runtime');\n".repeat(50)}`,
    "chunk-6d7e8f9a0b.js": "export const shared = 1;\n",
    [CSS]: "body { margin: 0; }\n",
    [ICON]: `<svg xmlns="http://www.w3.org/2000/svg"/>\n`,
    "notes-aaaaaaaaaa.txt": "listed, but not a type we serve\n",
    "unlisted-bbbbbbbbbb.js": "never served\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(new URL(name, dir), text);
  }
  const manifest: Manifest = {
    version: 1,
    runtime: RUNTIME,
    css: CSS,
    icon: ICON,
    islands: {},
    files: {
      [RUNTIME]: { bytes: 1, gzipBytes: 1, imports: ["chunk-6d7e8f9a0b.js"] },
      "chunk-6d7e8f9a0b.js": { bytes: 1, gzipBytes: 1, imports: [] },
      "notes-aaaaaaaaaa.txt": { bytes: 1, gzipBytes: 1, imports: [] },
    },
  };
  await Deno.writeTextFile(new URL("manifest.json", dir), JSON.stringify(manifest));
  return {
    dir,
    bytes: (name) => new TextEncoder().encode(files[name]),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

function appFor(assets: BuiltAssets): Hono {
  const app = new Hono();
  app.get("/static/:file", staticAssets({ assets }));
  app.get("/favicon.ico", faviconRedirect({ assets }));
  return app;
}

Deno.test("staticAssets() serves the build's hashed files", async (t) => {
  await using build = await fixtureBuild();
  const app = appFor(new BuiltAssets(build.dir));

  await t.step("a hashed file is immutable for a year, typed, with its hash as ETag", async () => {
    const res = await app.request(`/static/${RUNTIME}`);
    assertEquals(res.status, 200);
    assertEquals(Object.fromEntries(res.headers), {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
      etag: '"0a1b2c3d4e"',
      vary: "accept-encoding",
    });
    assertEquals(await res.bytes(), build.bytes(RUNTIME));
  });

  await t.step("a client that accepts gzip gets the file gzipped", async () => {
    const res = await app.request(`/static/${RUNTIME}`, {
      headers: { "accept-encoding": "br, gzip;q=0.8" },
    });
    assertEquals(res.headers.get("content-encoding"), "gzip");
    const body = await res.bytes();
    assertEquals(new Uint8Array(gunzipSync(body)), build.bytes(RUNTIME));
    assertEquals(body.length < build.bytes(RUNTIME).length, true, "gzip made it smaller");
    const plain = await app.request(`/static/${RUNTIME}`, {
      headers: { "accept-encoding": "br, identity" },
    });
    assertEquals(plain.headers.get("content-encoding"), null);
    assertEquals(await plain.bytes(), build.bytes(RUNTIME));
  });

  await t.step(
    "a matching If-None-Match is 304 without a body; a stale one gets the file",
    async () => {
      const fresh = await app.request(`/static/${CSS}`, {
        headers: { "if-none-match": '"5f6a7b8c9d"' },
      });
      assertEquals(fresh.status, 304);
      assertEquals(fresh.headers.get("etag"), '"5f6a7b8c9d"');
      assertEquals(fresh.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assertEquals(await fresh.text(), "");
      const stale = await app.request(`/static/${CSS}`, { headers: { "if-none-match": '"old"' } });
      assertEquals(stale.status, 200);
      assertEquals(stale.headers.get("content-type"), "text/css; charset=utf-8");
      assertEquals(await stale.bytes(), build.bytes(CSS));
    },
  );

  await t.step("the stylesheet and the icon have their types", async () => {
    const icon = await app.request(`/static/${ICON}`);
    assertEquals(icon.headers.get("content-type"), "image/svg+xml");
    assertEquals(await icon.bytes(), build.bytes(ICON));
  });

  await t.step("anything the manifest does not list, or of another type, is 404", async () => {
    for (
      const path of [
        "/static/manifest.json",
        "/static/unlisted-bbbbbbbbbb.js",
        "/static/notes-aaaaaaaaaa.txt",
        "/static/..%2Fmanifest.json",
        "/static/%2E%2E%2Fetc%2Fpasswd",
      ]
    ) {
      const res = await app.request(path);
      assertEquals([res.status, await res.text()], [404, "Not found"], path);
    }
  });

  await t.step("a file is read once and then served from memory", async () => {
    await Deno.remove(new URL(RUNTIME, build.dir));
    const again = await app.request(`/static/${RUNTIME}`);
    assertEquals(again.status, 200, "served before, so served without the file");
    assertEquals(await again.bytes(), build.bytes(RUNTIME));
  });
});

Deno.test("faviconRedirect() sends browsers to the hashed icon", async () => {
  await using build = await fixtureBuild();
  const assets = new BuiltAssets(build.dir);
  const res = await appFor(assets).request("/favicon.ico");
  assertEquals(res.status, 301);
  assertEquals(res.headers.get("location"), `/static/${ICON}`);
  const app = new Hono();
  app.get("/favicon.ico", faviconRedirect({ assets, staticBase: "/assets/" }));
  assertEquals((await app.request("/favicon.ico")).headers.get("location"), `/assets/${ICON}`);
});

Deno.test("a missing build is an AssetsNotBuiltError that says how to build", async (t) => {
  const path = await Deno.makeTempDir({ prefix: "halo-assets-" });
  try {
    const assets = new BuiltAssets(new URL(`file://${path}/`));
    await t.step("from the manifest", () => {
      assertThrows(() => assets.manifest(), AssetsNotBuiltError, "run `deno task ui:build`");
    });
    await t.step("from a request, for the server's error handler", async () => {
      const app = appFor(assets);
      let caught: unknown = null;
      app.onError((error, c) => {
        caught = error;
        return c.text("not built", 503);
      });
      assertEquals((await app.request(`/static/${RUNTIME}`)).status, 503);
      assertEquals(caught instanceof AssetsNotBuiltError, true);
    });
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("options are checked once, when the middleware is made", () => {
  const assets = new BuiltAssets(new URL("file:///nowhere/"));
  assertThrows(() => new BuiltAssets(new URL("file:///no/slash")), TypeError, 'end with "/"');
  assertThrows(() => staticAssets({ assets, param: "a/b" }), TypeError, "Route parameter");
  assertThrows(() => faviconRedirect({ assets, staticBase: "static" }), TypeError, "Static base");
  assertEquals(staticAssets({ assets }).name, "staticAssets");
  assertEquals(faviconRedirect({ assets }).name, "faviconRedirect");
});

Deno.test("a route parameter other than file can name the file", async () => {
  await using build = await fixtureBuild();
  const app = new Hono();
  app.get("/assets/:name", staticAssets({ assets: new BuiltAssets(build.dir), param: "name" }));
  const res = await app.request(`/assets/${CSS}`);
  assertEquals(res.status, 200);
  assertMatch(await res.text(), /margin: 0/);
});
