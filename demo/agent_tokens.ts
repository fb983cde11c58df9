import { z } from "zod";
import { nodeIdSchema } from "../lib/schemas/common.ts";
import type { StoredAgent } from "../lib/sim/provision.ts";

/** The file in the demo's data directory that keeps its nodes' agent tokens between runs. */
export const AGENT_TOKENS_FILE = "agent-tokens.json";

const fileSchema = z.strictObject({
  devices: z.record(
    z.string(),
    z.strictObject({
      node_id: nodeIdSchema,
      agent_token: z.string().regex(/^halo_agent_[A-Za-z0-9_-]{32,}$/),
    }),
  ),
});

/**
 * The agent tokens an earlier run kept, by device key; none when the file
 * does not exist.
 *
 * @throws {Error} naming the file when it cannot be read or parsed.
 */
export async function readAgentTokens(dataDir: string): Promise<Map<string, StoredAgent>> {
  const path = `${dataDir}/${AGENT_TOKENS_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Map();
    throw new Error(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(
      `${path} is not the demo's agent token file (${(error as Error).message}): remove it, ` +
        `and the demo enrolls its nodes again with replacement tokens`,
      { cause: error },
    );
  }
  return new Map(
    Object.entries(parsed.devices).map((
      [key, d],
    ) => [key, { nodeId: d.node_id, agentToken: d.agent_token }]),
  );
}

/**
 * Keeps the devices' agent tokens for the next run, readable by the owner
 * only (mode 0600, like an agent's `/etc/halo/agent-env`). Written to a new
 * file that replaces the old one, so a crash leaves the old or the new.
 */
export async function writeAgentTokens(
  dataDir: string,
  agents: ReadonlyMap<string, StoredAgent>,
): Promise<void> {
  const path = `${dataDir}/${AGENT_TOKENS_FILE}`;
  const temporary = `${path}.new`;
  const devices = Object.fromEntries(
    [...agents].map(([key, a]) => [key, { node_id: a.nodeId, agent_token: a.agentToken }]),
  );
  await Deno.remove(temporary).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.writeTextFile(temporary, JSON.stringify({ devices }, null, 2) + "\n", {
    mode: 0o600,
    createNew: true,
  });
  await Deno.rename(temporary, path);
}
