/**
 * Builds the portal's browser assets: one bundle per island plus the client
 * runtime, code-split so preact and shared code load once, entries renamed
 * to content-hashed names, the stylesheet hashed too, and a manifest.
 */
import { gzipSync } from "node:zlib";
import type { BuiltFile, Manifest } from "./manifest.ts";

/** Options for {@linkcode buildAssets}. */
export interface BuildOptions {
  /** The `ui/` folder. */
  uiDir: URL;
  /** Where the assets go; replaced whole. */
  outDir: URL;
  /** Stylesheets concatenated, in order, into the one hashed CSS file. */
  stylesheets: URL[];
  /** The SVG favicon. */
  icon: URL;
  /** The `deno` executable. @default Deno.execPath() */
  deno?: string;
}

const STATIC_IMPORT = /(?:from|import)\s*"\.\/([\w.-]+\.js)"/g;
const DYNAMIC_IMPORT = /import\(\s*"\.\/([\w.-]+\.js)"\s*\)/g;

/** Island names: the `.tsx` files in `ui/islands/`, without private (`_`) and test files. */
export async function islandNames(islandsDir: URL): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(islandsDir)) {
    const m = /^([a-z][a-z0-9_]*)\.tsx$/.exec(entry.name);
    if (entry.isFile && m && !entry.name.endsWith("_test.tsx")) names.push(m[1]!);
  }
  return names.sort();
}

/** Runs the build; returns the manifest it wrote. @throws {Error} with the bundler's output. */
export async function buildAssets(options: BuildOptions): Promise<Manifest> {
  const islandsDir = new URL("islands/", options.uiDir);
  const names = await islandNames(islandsDir);
  const staging = new URL(
    `${options.outDir.pathname.replace(/\/$/, "")}.staging-${Deno.pid}/`,
    "file:///",
  );
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  // One tiny entry file per bundle in one folder, so the bundler writes every
  // entry and chunk side by side (it mirrors the entries' folders otherwise).
  const entryDir = new URL(`.entries-${Deno.pid}/`, options.uiDir);
  await Deno.mkdir(entryDir, { recursive: true });
  const entries: string[] = [];
  const writeEntry = async (name: string, code: string) => {
    const file = new URL(`${name}.ts`, entryDir);
    await Deno.writeTextFile(file, code);
    entries.push(file.pathname);
  };
  await writeEntry("boot", `import "../runtime/boot.ts";\n`);
  for (const n of names) await writeEntry(n, `export { default } from "../islands/${n}.tsx";\n`);
  const out = await new Deno.Command(options.deno ?? Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=browser",
      "--format=esm",
      "--minify",
      "--code-splitting",
      `--outdir=${staging.pathname}`,
      ...entries,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(entryDir, { recursive: true }));
  if (!out.success) {
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(out.stderr)}`);
  }

  const renames = new Map<string, string>();
  for (const entry of ["boot", ...names]) {
    const bytes = await Deno.readFile(new URL(`${entry}.js`, staging));
    const hashed = `${entry}-${await contentHash(bytes)}.js`;
    await Deno.rename(new URL(`${entry}.js`, staging), new URL(hashed, staging));
    renames.set(`${entry}.js`, hashed);
  }

  const files: Record<string, BuiltFile> = {};
  for await (const entry of Deno.readDir(staging)) {
    if (!entry.name.endsWith(".js")) continue;
    const bytes = await Deno.readFile(new URL(entry.name, staging));
    const text = new TextDecoder().decode(bytes);
    const imports = [...text.matchAll(STATIC_IMPORT)].map((m) => m[1]!);
    for (const dep of [...imports, ...[...text.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!)]) {
      // Entries were renamed, so an import of one would break; code splitting never emits one.
      if (renames.has(dep)) throw new Error(`${entry.name} imports the entry ${dep}`);
    }
    files[entry.name] = {
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
      imports: [...new Set(imports)],
    };
  }

  const css = new TextEncoder().encode(
    (await Promise.all(options.stylesheets.map((u) => Deno.readTextFile(u)))).join("\n"),
  );
  const cssName = `portal-${await contentHash(css)}.css`;
  await Deno.writeFile(new URL(cssName, staging), css);

  const icon = await Deno.readFile(options.icon);
  const iconName = `icon-${await contentHash(icon)}.svg`;
  await Deno.writeFile(new URL(iconName, staging), icon);

  const manifest: Manifest = {
    version: 1,
    runtime: renames.get("boot.js")!,
    css: cssName,
    icon: iconName,
    islands: Object.fromEntries(names.map((n) => [n, renames.get(`${n}.js`)!])),
    files,
  };
  await Deno.writeTextFile(
    new URL("manifest.json", staging),
    JSON.stringify(manifest, null, 2) + "\n",
  );
  await Deno.remove(options.outDir, { recursive: true }).catch(() => {});
  await Deno.rename(staging, options.outDir);
  return manifest;
}

async function contentHash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 5), (b) => b.toString(16).padStart(2, "0")).join("");
}
