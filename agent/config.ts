/**
 * What halo-agent reads at start: `config.yaml`, `agent-env`, and the
 * gateway's URL by the contract's one rule.
 */
import { type AgentEnv, enrolledAgentEnvSchema, parseAgentEnv } from "../lib/config/agent_env.ts";
import { ConfigError } from "../lib/config/config_error.ts";
import { loadNodeConfig, type NodeConfig } from "../lib/config/node_config.ts";
import type { FileSystem } from "../lib/fs.ts";
import type { HaloPaths } from "../lib/paths.ts";

/** The agent's two configuration files. */
export interface AgentConfigFiles {
  config: string;
  agentEnv: string;
}

/** Where the agent's configuration files are under `paths`. */
export function agentConfigFiles(paths: HaloPaths): AgentConfigFiles {
  return { config: `${paths.etc}/config.yaml`, agentEnv: `${paths.etc}/agent-env` };
}

/** Without a config.yaml the device is a plain node. */
const DEFAULT_CONFIG: NodeConfig = { role: "node" };

/**
 * Reads `config.yaml` (optional) and `agent-env` (required: setup writes it).
 *
 * @throws {ConfigError} naming the file, and each bad line and field.
 */
export async function loadAgentConfig(
  files: AgentConfigFiles,
  fs: Pick<FileSystem, "readTextFile">,
): Promise<{ config: NodeConfig; agentEnv: AgentEnv }> {
  const config = await loadNodeConfig(files.config, DEFAULT_CONFIG, (p) => fs.readTextFile(p));
  let text: string;
  try {
    text = await fs.readTextFile(files.agentEnv);
  } catch (error) {
    const message = error instanceof Deno.errors.NotFound
      ? "missing: setup writes it with this node's HALO_JOIN_TOKEN"
      : `cannot read: ${String(error)}`;
    throw new ConfigError(files.agentEnv, [{ field: "", message }], { cause: error });
  }
  return { config, agentEnv: parseAgentEnv(text, files.agentEnv) };
}

/** Where a gateway URL came from, for the log. */
export type GatewayUrlSource = "environment" | "agent-env" | "halo-mesh" | "config.yaml";

/** What the gateway URL rule looks at. */
export interface GatewayUrlInputs {
  /** Environment lookup, `Deno.env.get` in the agent. */
  env: (name: string) => string | undefined;
  agentEnv: AgentEnv;
  config: NodeConfig;
  /**
   * The gateway halo-mesh discovered (overlay address once the overlay is
   * up, underlay before), when a mesh.sock client is wired; null when it
   * knows none.
   */
  discovered?: () => Promise<string | null>;
}

/**
 * The gateway's URL, one rule for every program (NODE-CONTRACT.md):
 * `HALO_GATEWAY_URL` from the environment, then from agent-env; else what
 * halo-mesh discovered; else config.yaml's `gateway.url`.
 *
 * @throws {TypeError} when the environment's HALO_GATEWAY_URL is not an http(s) URL,
 *   or no source gives a URL.
 */
export async function gatewayUrl(
  inputs: GatewayUrlInputs,
): Promise<{ url: string; source: GatewayUrlSource }> {
  const fromEnv = inputs.env("HALO_GATEWAY_URL")?.trim();
  if (fromEnv) {
    const checked = enrolledAgentEnvSchema.shape.HALO_GATEWAY_URL.safeParse(fromEnv);
    if (!checked.success) {
      throw new TypeError(
        `Invalid HALO_GATEWAY_URL "${fromEnv}" in the environment: ${
          checked.error.issues[0]!.message
        }`,
      );
    }
    return { url: fromEnv, source: "environment" };
  }
  if (inputs.agentEnv.HALO_GATEWAY_URL) {
    return { url: inputs.agentEnv.HALO_GATEWAY_URL, source: "agent-env" };
  }
  const discovered = await inputs.discovered?.();
  if (discovered) return { url: discovered, source: "halo-mesh" };
  if (inputs.config.gateway?.url) return { url: inputs.config.gateway.url, source: "config.yaml" };
  throw new TypeError(
    "No gateway URL: set HALO_GATEWAY_URL in the environment or in agent-env, or gateway.url " +
      "in config.yaml (halo-mesh discovers it once it runs)",
  );
}
