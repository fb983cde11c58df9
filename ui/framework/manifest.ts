/**
 * The build manifest written by `ui/build.ts` and read by the server: which
 * hashed file holds the runtime, each island and the stylesheet, and what
 * each JavaScript file statically imports (for preload links and budgets).
 */

/** One built file. */
export interface BuiltFile {
  bytes: number;
  gzipBytes: number;
  /** Files this one imports statically (chunks shared by code splitting). */
  imports: string[];
}

/** `ui/_build/manifest.json`. */
export interface Manifest {
  version: 1;
  runtime: string;
  css: string;
  /** The SVG favicon. */
  icon: string;
  /** Island name → its entry file. */
  islands: Record<string, string>;
  files: Record<string, BuiltFile>;
}

/** Where the build lands, next to the sources (embedded by `deno compile --include`). */
export const BUILD_DIR = new URL("../_build/", import.meta.url);

/** Reads and checks the manifest in `dir`. @throws {Error} naming the fix when the build is missing. */
export function readManifest(dir: URL = BUILD_DIR): Manifest {
  let text: string;
  try {
    text = Deno.readTextFileSync(new URL("manifest.json", dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Portal assets are not built (no ${
          new URL("manifest.json", dir).pathname
        }): run \`deno task ui:build\``,
      );
    }
    throw error;
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.version !== 1 || typeof manifest.runtime !== "string") {
    throw new Error("Portal manifest has an unknown format: run `deno task ui:build` again");
  }
  return manifest;
}

/**
 * Every JavaScript file a page with these islands loads: the runtime, the
 * islands' entries and everything they import statically, each once.
 */
export function scriptsFor(manifest: Manifest, islands: readonly string[]): string[] {
  if (islands.length === 0) return [];
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const dep of manifest.files[file]?.imports ?? []) visit(dep);
  };
  visit(manifest.runtime);
  for (const name of islands) {
    const file = manifest.islands[name];
    if (!file) throw new Error(`Unknown island "${name}": run \`deno task ui:build\` again`);
    visit(file);
  }
  return [...seen];
}

/** Gzipped bytes of JavaScript a page with these islands ships. */
export function gzipBytesFor(manifest: Manifest, islands: readonly string[]): number {
  return scriptsFor(manifest, islands).reduce((n, f) => n + (manifest.files[f]?.gzipBytes ?? 0), 0);
}
