import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./config_error.ts";

/** `/etc/halo/agent-env`: the credentials the agent and `haloctl` use. */
export const agentEnvSchema = z.strictObject({
  HALO_GATEWAY_URL: z.url({
    protocol: /^https?$/,
    message: "use the gateway's http:// or https:// URL",
  }),
  HALO_NODE_ID: z.string().regex(/^n-[0-9a-f]{12}$/, {
    message: "expected a node id such as n-0123456789ab (from enrollment)",
  }),
  HALO_AGENT_TOKEN: z.string().regex(/^halo_agent_[A-Za-z0-9_-]{32,}$/, {
    message: "expected an agent token starting with halo_agent_ (from enrollment)",
  }),
});
export type AgentEnv = z.infer<typeof agentEnvSchema>;

const LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/**
 * Parses `KEY=value` lines (blank lines and `#` comments allowed; values may be
 * double- or single-quoted) and validates them.
 *
 * @throws {ConfigError} naming each bad line and key.
 */
export function parseAgentEnv(text: string, file: string): AgentEnv {
  const problems: ConfigProblem[] = [];
  const values: Record<string, string> = {};
  const lineOf: Record<string, number> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = LINE.exec(line);
    if (!match) {
      problems.push({ field: "", line: index + 1, message: "expected KEY=value" });
      return;
    }
    const key = match[1]!;
    if (key in values) {
      problems.push({
        field: key,
        line: index + 1,
        message: `set twice (first on line ${lineOf[key]})`,
      });
      return;
    }
    values[key] = unquote(match[2]!);
    lineOf[key] = index + 1;
  });
  const result = agentEnvSchema.safeParse(values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          problems.push({ field: key, line: lineOf[key]!, message: "unknown key" });
        }
        continue;
      }
      const key = String(issue.path[0] ?? "");
      const message = issue.code === "invalid_type" && values[key] === undefined
        ? "missing"
        : issue.message;
      problems.push({
        field: key,
        ...(lineOf[key] !== undefined ? { line: lineOf[key] } : {}),
        message,
      });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return result.data;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1);
  return v;
}

/** Renders `env` as the file's text (the agent writes this after enrollment). */
export function formatAgentEnv(env: AgentEnv): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}
