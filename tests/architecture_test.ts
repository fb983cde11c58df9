/**
 * Reads the real module graph (`deno info --json` over every .ts/.tsx file of
 * the repository) and checks that the layers point one way: no import cycle,
 * `lib/` and `ui/` import no component, no component imports another
 * sideways, and inside a component domain ← HTTP (api/, portal/) ← wiring.
 * Type-only imports count: they tie modules together just the same.
 */
import { assert, assertEquals } from "../lib/testing/assert.ts";

const ROOT = new URL("../", import.meta.url);

/** Folders every component may use, and what each may import itself. */
const SHARED: Record<string, string[]> = { lib: ["lib"], ui: ["ui", "lib"] };
/** Folders of tests and benchmarks, which may import anything. */
const HARNESS = new Set(["tests", "bench"]);
// Every other top folder is a component: gateway/, demo/, mesh/, agent/, field/, ctl/.

/** The repository's modules, each with the repository modules it imports (paths from the root). */
type ModuleGraph = Map<string, Set<string>>;

/** Every .ts/.tsx file of the repository, less what deno.json excludes and dot folders. */
async function sourceFiles(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const excluded = (config.exclude as string[]).map((p) => p.replace(/\/$/, ""));
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir || ".", ROOT))) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.name.startsWith(".") || excluded.includes(path)) continue;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
    }
  };
  await walk("");
  return files.sort();
}

/** Asks `deno info` for the graph of an entry that imports every source file. */
async function moduleGraph(): Promise<ModuleGraph> {
  const files = await sourceFiles();
  const dir = await Deno.makeTempDir({ prefix: "halo-architecture-" });
  try {
    const entry = `${dir}/all.ts`;
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import "${new URL(f, ROOT).href}";\n`).join(""),
    );
    const root = decodeURIComponent(ROOT.pathname);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${root}deno.json`, entry],
      cwd: root,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, `deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    return graphFromInfo(JSON.parse(new TextDecoder().decode(out.stdout)), files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface DenoInfo {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
  }[];
}

/** The graph of every repository module `deno info` saw (source files, JSON, .d.ts). */
function graphFromInfo(info: DenoInfo, files: string[]): ModuleGraph {
  const graph: ModuleGraph = new Map(files.map((f) => [f, new Set<string>()]));
  const local = (specifier: string | undefined) =>
    specifier?.startsWith(ROOT.href) && !specifier.startsWith(`${ROOT.href}node_modules/`)
      ? specifier.slice(ROOT.href.length)
      : null;
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (from === null) continue;
    const targets = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const dependency of module.dependencies ?? []) {
      for (const to of [local(dependency.code?.specifier), local(dependency.type?.specifier)]) {
        if (to !== null) targets.add(to);
      }
    }
  }
  assert(graph.size > 100, `only ${graph.size} modules found`);
  return graph;
}

/** One cycle through each group of modules that import each other, as `a → b → a`. */
function cycles(graph: ModuleGraph): string[] {
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 || graph.get(group[0]!)?.has(group[0]!))
    .map((group) => cycleThrough(graph, new Set(group), group.sort()[0]!).join(" → "));
}

/** Tarjan's strongly connected components. */
function stronglyConnected(graph: ModuleGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    groups.push(group);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return groups;
}

/** The shortest way from `start` back to itself inside `group` (breadth first). */
function cycleThrough(graph: ModuleGraph, group: Set<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (group.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  throw new Error(`${start} is in no cycle`);
}

/** The top folder a module belongs to (`gateway`, `lib`, `ui`, `tests`, …). */
const part = (path: string) => path.split("/")[0]!;
const isComponent = (path: string) =>
  path.includes("/") && !(part(path) in SHARED) && !HARNESS.has(part(path));
const isTest = (path: string) => /_test(_\w+)?\.tsx?$/.test(path);

/** A component's folders that speak HTTP; its other folders hold its domain. */
const HTTP_FOLDERS = new Set(["api", "portal"]);

/** A component module's layer: wiring (top-level files, testing/), HTTP, or domain. */
function layerOf(path: string): "wiring" | "http" | "domain" {
  const [, folder, rest] = path.split("/");
  if (rest === undefined || folder === "testing") return "wiring";
  return HTTP_FOLDERS.has(folder!) ? "http" : "domain";
}

/** Imports that break `rule`, as `from → to`. */
function imports(graph: ModuleGraph, rule: (from: string, to: string) => boolean): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) if (rule(from, to)) found.push(`${from} → ${to}`);
  }
  return found;
}

Deno.test("the module graph's layers point one way", async (t) => {
  const graph = await moduleGraph();

  await t.step("no module imports itself, directly or round a cycle", () => {
    assertEquals(cycles(graph), []);
  });

  await t.step("lib/ and ui/ import no component", () => {
    const wrong = imports(
      graph,
      // A test may use the test harness (tests/_helpers), wherever it sits.
      (from, to) =>
        part(from) in SHARED && !SHARED[part(from)]!.includes(part(to)) &&
        !(isTest(from) && HARNESS.has(part(to))),
    );
    assertEquals(wrong, []);
  });

  await t.step("a component imports no other component, only lib/ and ui/", () => {
    const wrong = imports(
      graph,
      (from, to) => isComponent(from) && isComponent(to) && part(from) !== part(to),
    );
    assertEquals(wrong, []);
  });

  await t.step("a component's domain imports neither its HTTP layer nor its wiring", () => {
    const wrong = imports(
      graph,
      (from, to) =>
        isComponent(from) && !isTest(from) && layerOf(from) === "domain" &&
        part(to) === part(from) && layerOf(to) !== "domain",
    );
    assertEquals(wrong, []);
  });
});
