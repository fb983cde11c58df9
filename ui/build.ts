/**
 * `deno task ui:build`: builds the portal's islands, runtime and stylesheet
 * into `ui/_build/` (git-ignored; embedded into `gateway-api` by the compile).
 */
import { buildAssets } from "./framework/bundle.ts";
import { BUILD_DIR, gzipBytesFor } from "./framework/manifest.ts";

if (import.meta.main) {
  const started = performance.now();
  const manifest = await buildAssets({
    uiDir: new URL("./", import.meta.url),
    outDir: BUILD_DIR,
    icon: new URL("./static/favicon.svg", import.meta.url),
    stylesheets: [
      new URL("../node_modules/uplot/dist/uPlot.min.css", import.meta.url),
      ...await sectionStylesheets(new URL("./static/", import.meta.url)),
    ],
  });
  const islands = Object.keys(manifest.islands);
  console.log(
    `ui: built ${islands.length} islands in ${Math.round(performance.now() - started)} ms → ${
      decodeURIComponent(BUILD_DIR.pathname)
    }`,
  );
  for (const name of islands) {
    console.log(`  ${name}: ${(gzipBytesFor(manifest, [name]) / 1024).toFixed(1)} KB gzipped JS`);
  }
}

/** `portal.css` first, then each section's own stylesheet (`static/<section>.css`) by name. */
async function sectionStylesheets(dir: URL): Promise<URL[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".css") && entry.name !== "portal.css") {
      names.push(entry.name);
    }
  }
  return [new URL("portal.css", dir), ...names.sort().map((n) => new URL(n, dir))];
}
