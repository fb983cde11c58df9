import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./config_error.ts";

const gatewayUrlSchema = z.url({
  protocol: /^https?$/,
  message: "use the gateway's http:// or https:// URL",
});

/** `/etc/halo/agent-env` before enrollment: what setup writes. */
export const joiningAgentEnvSchema = z.strictObject({
  HALO_JOIN_TOKEN: z.string().regex(/^halo_join_[A-Za-z0-9_-]{32,}$/, {
    message: "expected a join token starting with halo_join_ (from the portal or an admin)",
  }),
  HALO_GATEWAY_URL: gatewayUrlSchema.optional(),
});
export type JoiningAgentEnv = z.infer<typeof joiningAgentEnvSchema>;

/** `/etc/halo/agent-env` after enrollment: the node's credentials, which the agent and `haloctl` use. */
export const enrolledAgentEnvSchema = z.strictObject({
  HALO_GATEWAY_URL: gatewayUrlSchema.optional(),
  HALO_NODE_ID: z.string().regex(/^n-[0-9a-f]{12}$/, {
    message: "expected a node id such as n-0123456789ab (from enrollment)",
  }),
  HALO_AGENT_TOKEN: z.string().regex(/^halo_agent_[A-Za-z0-9_-]{32,}$/, {
    message: "expected an agent token starting with halo_agent_ (from enrollment)",
  }),
});
export type EnrolledAgentEnv = z.infer<typeof enrolledAgentEnvSchema>;

/** `/etc/halo/agent-env`: one of its two forms, told apart by the keys present. */
export const agentEnvSchema = z.union([joiningAgentEnvSchema, enrolledAgentEnvSchema]);
export type AgentEnv = JoiningAgentEnv | EnrolledAgentEnv;

/** Whether `env` holds a node's credentials (else it holds a join token). */
export function isEnrolled(env: AgentEnv): env is EnrolledAgentEnv {
  return "HALO_AGENT_TOKEN" in env;
}

/** The form a file's keys ask for, the values to check against it, and problems with the form. */
function formOf(
  values: Record<string, string>,
  lineOf: Record<string, number>,
): { schema: z.ZodType<AgentEnv>; values: Record<string, string>; problems: ConfigProblem[] } {
  const enrolled = "HALO_NODE_ID" in values || "HALO_AGENT_TOKEN" in values;
  if (enrolled && "HALO_JOIN_TOKEN" in values) {
    const { HALO_JOIN_TOKEN: _, ...rest } = values;
    return {
      schema: enrolledAgentEnvSchema,
      values: rest,
      problems: [{
        field: "HALO_JOIN_TOKEN",
        line: lineOf.HALO_JOIN_TOKEN!,
        message: "remove it: the file holds this node's credentials, which replace the join token",
      }],
    };
  }
  if (enrolled) return { schema: enrolledAgentEnvSchema, values, problems: [] };
  if ("HALO_JOIN_TOKEN" in values) return { schema: joiningAgentEnvSchema, values, problems: [] };
  return {
    schema: joiningAgentEnvSchema,
    values,
    problems: [{
      field: "HALO_JOIN_TOKEN",
      message: "missing: before enrollment the file holds HALO_JOIN_TOKEN; after it, " +
        "HALO_NODE_ID and HALO_AGENT_TOKEN",
    }],
  };
}

const LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/**
 * Parses `KEY=value` lines (blank lines and `#` comments allowed; values may be
 * double- or single-quoted) and validates them against the form their keys
 * ask for: `HALO_JOIN_TOKEN` before enrollment, `HALO_NODE_ID` and
 * `HALO_AGENT_TOKEN` after; `HALO_GATEWAY_URL` in either.
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
  const form = formOf(values, lineOf);
  problems.push(...form.problems);
  const result = form.schema.safeParse(form.values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          problems.push({ field: key, line: lineOf[key]!, message: "unknown key" });
        }
        continue;
      }
      const key = String(issue.path[0] ?? "");
      if (form.problems.some((p) => p.field === key)) continue;
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
