import { z } from "zod";
import { isMap, LineCounter, parseDocument } from "yaml";
import { ConfigError, type ConfigProblem } from "./config_error.ts";
import { LOG_LEVELS } from "../log.ts";
import { listenAddressSchema } from "../schemas/common.ts";

/** `/etc/halo/config.yaml`: bootstrap values written by `haloctl setup`. */
export const nodeConfigSchema = z.strictObject({
  role: z.enum(["gateway", "node"]).describe("Whether this device runs the control plane"),
  node_name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: "use lowercase letters, digits and '-', starting with a letter or digit",
  }).optional(),
  log_level: z.enum(LOG_LEVELS).optional(),
  gateway: z.strictObject({
    listen: listenAddressSchema.optional(),
    url: z.url({ protocol: /^https?$/, message: "use an http:// or https:// URL" }).optional(),
  }).optional(),
});
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/**
 * Parses and validates `config.yaml` text.
 *
 * @param text The file's contents.
 * @param file The file's path, for messages.
 * @throws {ConfigError} listing each bad field with its line.
 */
export function parseNodeConfig(text: string, file: string): NodeConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        field: "",
        line: lineCounter.linePos(e.pos[0]).line,
        message: e.message.split("\n")[0] ?? e.message,
      })),
    );
  }
  const value = doc.toJS() ?? {};
  const result = nodeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const line = lineOf(doc, path, lineCounter) ?? undefined;
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return {
      field: path.join("."),
      ...(line !== undefined ? { line } : {}),
      message: issue.message + keys,
    };
  });
  throw new ConfigError(file, problems);
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  path: string[],
  lines: LineCounter,
): number | null {
  // Walk up until a node with a source range exists (missing fields point at their parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (node && typeof node === "object" && "range" in node && Array.isArray(node.range)) {
      const start = depth > 0 && isMap(doc.contents) ? keyStart(doc, path.slice(0, depth)) : null;
      return lines.linePos(start ?? (node.range[0] as number)).line;
    }
  }
  return null;
}

function keyStart(doc: ReturnType<typeof parseDocument>, path: string[]): number | null {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return null;
  const key = path[path.length - 1];
  const pair = parent.items.find((p) =>
    p.key && typeof p.key === "object" && "value" in p.key && String(p.key.value) === key
  );
  const range = pair?.key && typeof pair.key === "object" && "range" in pair.key
    ? pair.key.range
    : undefined;
  return Array.isArray(range) ? range[0] as number : null;
}

/**
 * Loads `config.yaml` from `path`; a missing file yields `fallback`.
 *
 * @throws {ConfigError} when the file exists but is not valid.
 */
export async function loadNodeConfig(
  path: string,
  fallback: NodeConfig,
  readTextFile: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return fallback;
    throw new ConfigError(path, [{ field: "", message: `cannot read: ${String(error)}` }], {
      cause: error,
    });
  }
  return parseNodeConfig(text, path);
}
