import { Hono } from "hono";
import type { JSX } from "preact";
import { assertEquals } from "../../lib/testing/assert.ts";
import {
  all,
  attributes,
  islandsOf,
  islandUrls,
  one,
  readPage,
  text,
} from "../../tests/_helpers/html.ts";
import { htmlPage, type HtmlPageOptions } from "./html_page.ts";
import { Island } from "./island.tsx";
import type { Manifest } from "./manifest.ts";
import { PAGE_CSP } from "./security_headers.ts";
import { BuiltAssets } from "./static_assets.ts";

const MANIFEST: Manifest = {
  version: 1,
  runtime: "boot-0a1b2c3d4e.js",
  css: "portal-5f6a7b8c9d.css",
  icon: "icon-1e2f3a4b5c.svg",
  islands: { counter: "counter-6d7e8f9a0b.js" },
  files: {
    "boot-0a1b2c3d4e.js": { bytes: 1, gzipBytes: 1, imports: ["chunk-aaaaaaaaaa.js"] },
    "counter-6d7e8f9a0b.js": { bytes: 1, gzipBytes: 1, imports: ["chunk-aaaaaaaaaa.js"] },
    "chunk-aaaaaaaaaa.js": { bytes: 1, gzipBytes: 1, imports: [] },
  },
};

function Counter({ start }: { start: number; note: string }) {
  return <button type="button">Count {start}</button>;
}

/** An app answering `/` with `page` through htmlPage(), over a build holding only the manifest. */
async function pageApp(
  page: JSX.Element,
  options: Omit<HtmlPageOptions, "assets">,
): Promise<{ app: Hono } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "halo-page-" });
  await Deno.writeTextFile(`${path}/manifest.json`, JSON.stringify(MANIFEST));
  const assets = new BuiltAssets(new URL(`file://${path}/`));
  const app = new Hono();
  app.get("/", (c) => htmlPage(c, page, { ...options, assets }));
  return { app, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("htmlPage() answers with a whole document under the pages' CSP", async (t) => {
  await t.step("a page without islands: shell, stylesheet and icon, no script", async () => {
    await using server = await pageApp(<main id="main">Hello</main>, { title: "A & <B>" });
    const page = await readPage(await server.app.request("/"));
    assertEquals(page.status, 200);
    assertEquals(page.headers.get("content-security-policy"), PAGE_CSP);
    assertEquals(page.headers.get("cache-control"), "no-store");
    assertEquals(page.headers.get("content-type"), "text/html; charset=UTF-8");
    assertEquals(page.html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n'), true);
    assertEquals(page.doc.title, "A & <B> · HALO");
    assertEquals(one(page.doc, "html").getAttribute("lang"), "en");
    assertEquals(attributes(one(page.doc, 'link[rel="stylesheet"]')), {
      rel: "stylesheet",
      href: "/static/portal-5f6a7b8c9d.css",
    });
    assertEquals(attributes(one(page.doc, 'link[rel="icon"]')), {
      rel: "icon",
      type: "image/svg+xml",
      href: "/static/icon-1e2f3a4b5c.svg",
    });
    assertEquals(text(one(page.doc, "main")), "Hello");
    assertEquals(all(page.doc, "script, link[rel=modulepreload]").length, 0);
    assertEquals(all(page.doc, 'meta[name="csrf-token"]').length, 0, "no session, no token");
  });

  await t.step("a signed-in page carries the CSRF token; the status is the caller's", async () => {
    await using server = await pageApp(<main>Gone</main>, {
      title: "Not found",
      csrfToken: "tok-123_abc",
      status: 404,
    });
    const page = await readPage(await server.app.request("/"));
    assertEquals(page.status, 404);
    assertEquals(page.headers.get("content-security-policy"), PAGE_CSP);
    assertEquals(
      one(page.doc, 'meta[name="csrf-token"]').getAttribute("content"),
      "tok-123_abc",
    );
  });

  await t.step("an island: its marker, the runtime, preloads and its props as data", async () => {
    const note = "</script><script>alert(1)</script>\u2028";
    await using server = await pageApp(
      <main>
        <Island name="counter" component={Counter} props={{ start: 2, note }} />
      </main>,
      { title: "Count" },
    );
    const page = await readPage(await server.app.request("/"));
    const marker = one(page.doc, "halo-island");
    assertEquals(attributes(marker), { "data-i": "0" });
    assertEquals(text(marker), "Count 2");
    assertEquals(islandsOf(page.doc), [{ name: "counter", props: { start: 2, note } }]);
    assertEquals(islandUrls(page.doc), { counter: "/static/counter-6d7e8f9a0b.js" });
    assertEquals(
      all(page.doc, "script").map((s) => s.getAttribute("type")),
      ["module", "application/json"],
      "the props cannot end their script early",
    );
    assertEquals(
      one(page.doc, 'script[type="module"]').getAttribute("src"),
      "/static/boot-0a1b2c3d4e.js",
    );
    assertEquals(
      all(page.doc, 'link[rel="modulepreload"]').map((l) => l.getAttribute("href")),
      [
        "/static/boot-0a1b2c3d4e.js",
        "/static/chunk-aaaaaaaaaa.js",
        "/static/counter-6d7e8f9a0b.js",
      ],
    );
  });
});
