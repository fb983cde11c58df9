/**
 * Layers point one way: route modules (`gateway/api/`) and portal pages
 * (`gateway/portal/`) validate, call a store or service, and answer; the
 * stores own the SQL. Their tests may read the database to check a row.
 */
import { assertEquals } from "../lib/testing/assert.ts";

const ROOT = new URL("../", import.meta.url);
const LAYERS = ["gateway/api/", "gateway/portal/"];

/** What a line of the HTTP layer must not contain, each with why it is SQL. */
const LINE_RULES: [RegExp, string][] = [
  [/\bprepared\s*\(/, "runs a statement (prepared)"],
  [/\.prepare\s*\(/, "compiles a statement (.prepare)"],
  [/\.exec\s*\(\s*["'`]/, "runs SQL text (.exec)"],
  [/\btransaction\s*\(/, "opens a transaction"],
  [/\bSELECT\s+(DISTINCT\s+)?[\w*(]/, "holds a SELECT"],
  [/\bINSERT\s+(OR\s+\w+\s+)?INTO\b/, "holds an INSERT"],
  [/\bUPDATE\s+\w+\s+SET\b/, "holds an UPDATE"],
  [/\bDELETE\s+FROM\b/, "holds a DELETE"],
  [/\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b/, "holds schema SQL"],
  [/\bPRAGMA\s+\w+/, "holds a PRAGMA"],
  [/\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b/, "opens a transaction by hand"],
];

/** Imports, which may span lines, the HTTP layer must not have. */
const IMPORT_RULES: [RegExp, string][] = [
  [/\bfrom\s+["'][^"']*lib\/db\/database\.ts["']/, "imports the database helpers"],
  [/^import\s+(?!type\b)[^;]*\bfrom\s+["']node:sqlite["']/m, "uses node:sqlite (a type is fine)"],
];

/** Comments go first (a comment may name the table a store reads); lines keep their numbers. */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ""))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** What in `source` breaks a rule: "line N: why" for each line, then "why" for imports. */
export function sqlFindings(source: string): string[] {
  const code = withoutComments(source);
  const lines = code.split("\n");
  const found: string[] = [];
  lines.forEach((line, i) => {
    for (const [pattern, why] of LINE_RULES) {
      if (pattern.test(line)) found.push(`line ${i + 1}: ${why}`);
    }
  });
  for (const [pattern, why] of IMPORT_RULES) if (pattern.test(code)) found.push(why);
  return found;
}

async function modules(dir: URL): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      for (const path of await modules(new URL(`${entry.name}/`, dir))) {
        paths.push(`${entry.name}/${path}`);
      }
    } else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      paths.push(entry.name);
    }
  }
  return paths.sort();
}

Deno.test("sqlFindings() tells SQL from route code", async (t) => {
  await t.step("flags statements, SQL text and the database helpers", () => {
    const handler = [
      'import { prepared } from "../../lib/db/database.ts";',
      'if (prepared(deps.db, "SELECT 1 FROM meshes WHERE id = ?").get(id)) throw conflict();',
      "deps.db.exec(`DELETE FROM silences WHERE id = ${id}`);",
      'const sql = "INSERT OR IGNORE INTO neuron_placements (neuron_id) VALUES (?)";',
      'const change = "UPDATE meshes SET channel = ?";',
    ].join("\n");
    assertEquals(sqlFindings(handler), [
      "line 2: runs a statement (prepared)",
      "line 2: holds a SELECT",
      "line 3: runs SQL text (.exec)",
      "line 3: holds a DELETE",
      "line 4: holds an INSERT",
      "line 5: holds an UPDATE",
      "imports the database helpers",
    ]);
  });

  await t.step("counts lines as the file does, past a comment of several lines", () => {
    const handler = ["/**", " * Reads nodes.", " */", 'prepared(db, "SELECT 1");'].join("\n");
    assertEquals(sqlFindings(handler), [
      "line 4: runs a statement (prepared)",
      "line 4: holds a SELECT",
    ]);
  });

  await t.step("leaves regular expressions, prose, comments and types alone", () => {
    const handler = [
      'import type { DatabaseSync } from "node:sqlite";',
      "const hash = /-([A-Za-z0-9]+)\\.\\w+$/.exec(name)?.[1];",
      'summary: "Delete a mesh with no nodes in it; select from the list",',
      "// The store runs SELECT id FROM nodes for this.",
      "/* INSERT INTO nothing */ const url = 'http://gateway/v1/nodes';",
      "meshes.delete(id);",
    ].join("\n");
    assertEquals(sqlFindings(handler), []);
  });
});

Deno.test("no module under gateway/api/ or gateway/portal/ contains SQL", async () => {
  const offenders: string[] = [];
  for (const layer of LAYERS) {
    for (const path of await modules(new URL(layer, ROOT))) {
      const source = await Deno.readTextFile(new URL(layer + path, ROOT));
      for (const finding of sqlFindings(source)) offenders.push(`${layer}${path} ${finding}`);
    }
  }
  assertEquals(
    offenders,
    [],
    "move the SQL into a store (gateway/store/, gateway/flows/*_store.ts)",
  );
});
