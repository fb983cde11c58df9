import { z } from "zod";
import { GatewayApiError, GatewayClient } from "../../lib/api_client.ts";
import type { Logger } from "../../lib/log.ts";
import { apiTokenSchema, createdTokenSchema } from "../../lib/schemas/auth.ts";
import { createdJoinTokenSchema } from "../../lib/schemas/enrollment.ts";
import { meshSchema } from "../../lib/schemas/meshes.ts";
import { nodeDetailSchema } from "../../lib/schemas/nodes.ts";
import type { NetworkPlan } from "../../lib/sim/network_plan.ts";
import type { SimBoot } from "../../lib/sim/sim_node.ts";

/** Name of the API token the demo creates (earlier ones with this name are revoked). */
export const DEMO_TOKEN_NAME = "halo-demo";

/** A simulated device as the gateway knows it after enrollment. */
export interface EnrolledDevice {
  /** The device's key in the network plan. */
  key: string;
  nodeId: string;
  /** The node's name on the gateway. */
  name: string;
  agentToken: string;
  reenrolled: boolean;
  /** The boot the gateway last heard of, when this hardware reported before. */
  lastBoot?: SimBoot;
}

/** What {@linkcode provision} set up. */
export interface Provisioned {
  /** Admin bearer token for this run, printed for curl. */
  apiToken: string;
  meshId: number;
  devices: EnrolledDevice[];
  /** How often nodes report, from the gateway's settings. */
  reportIntervalS: number;
}

/** Options for {@linkcode provision}. */
export interface ProvisionOptions {
  log: Logger;
  /** How long the join token for the batch stays valid. @default 3600 */
  joinTokenTtlS?: number;
}

/** The boot a node last reported: its boot id and when it started. */
function bootOf(node: z.infer<typeof nodeDetailSchema>): SimBoot | null {
  if (node.boot_id === null || node.uptime_s === null || node.last_seen_at === null) return null;
  return { bootId: node.boot_id, bootedAt: Date.parse(node.last_seen_at) - node.uptime_s * 1000 };
}

/** Runs `create`; when it fails with 409 (exists from an earlier run), returns `existing()`. */
async function createOrReuse<T>(create: () => Promise<T>, existing: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof GatewayApiError && error.status === 409) return await existing();
    throw error;
  }
}

/**
 * Sets the demo network up on the gateway through its API, as an admin
 * would: an API token, the mesh, a join token for the batch, then every
 * device enrolls with its own hardware identity, gets its tags and mesh, and
 * the neuron's components are placed on their devices. Safe to run again on
 * an earlier run's data: the same hardware gives the same nodes.
 *
 * @param admin a client logged in as an admin.
 */
export async function provision(
  admin: GatewayClient,
  plan: NetworkPlan,
  options: ProvisionOptions,
): Promise<Provisioned> {
  const { log } = options;
  const created = await admin.request("POST", "/v1/tokens", {
    body: { name: DEMO_TOKEN_NAME, role: "admin" },
    schema: createdTokenSchema,
  });
  const api = admin.withToken(created.token);
  const { tokens } = await api.request("GET", "/v1/tokens", {
    schema: z.object({ tokens: z.array(apiTokenSchema) }),
  });
  for (const old of tokens) {
    if (old.name === DEMO_TOKEN_NAME && old.id !== created.id && old.revoked_at === null) {
      await api.request("DELETE", `/v1/tokens/${old.id}`);
    }
  }

  const mesh = await createOrReuse(
    () => api.request("POST", "/v1/meshes", { body: plan.mesh, schema: meshSchema }),
    async () => {
      const { meshes } = await api.request("GET", "/v1/meshes", {
        schema: z.object({ meshes: z.array(meshSchema) }),
      });
      const found = meshes.find((m) => m.ssid === plan.mesh.ssid);
      if (!found) throw new Error(`Mesh ${plan.mesh.ssid} exists but is not listed`);
      return found;
    },
  );

  const join = await api.request("POST", "/v1/enrollment/tokens", {
    body: {
      name: "halo-demo-batch",
      expires_in_s: options.joinTokenTtlS ?? 3600,
      max_uses: plan.devices.length,
    },
    schema: createdJoinTokenSchema,
  });

  // Devices enroll on their own, knowing only the gateway's address and the join token.
  const anonymous = api.withToken(undefined);
  const devices: EnrolledDevice[] = [];
  let reportIntervalS = 10;
  for (const device of plan.devices) {
    const enrolled = await anonymous.enroll({
      join_token: join.token,
      hardware: device.hardware,
      hostname: device.hostname,
      role: device.role,
      wg_public_key: device.wg_public_key,
    });
    reportIntervalS = enrolled.report_interval_s;
    const node = await api.request("PATCH", `/v1/nodes/${enrolled.node_id}`, {
      body: { tags: device.tags, mesh_id: mesh.id },
      schema: nodeDetailSchema,
    });
    const lastBoot = bootOf(node);
    devices.push({
      key: device.key,
      nodeId: enrolled.node_id,
      name: enrolled.name,
      agentToken: enrolled.agent_token,
      reenrolled: enrolled.reenrolled,
      ...(lastBoot ? { lastBoot } : {}),
    });
    log.info(enrolled.reenrolled ? "node re-enrolled" : "node enrolled", {
      node: enrolled.name,
      node_id: enrolled.node_id,
      role: enrolled.role,
      device: device.description,
    });
  }

  const { neuron } = plan;
  await createOrReuse(
    () =>
      api.request("POST", "/v1/neurons", {
        body: { id: neuron.id, description: neuron.description },
      }),
    () => Promise.resolve(null),
  );
  for (const placement of neuron.placements) {
    const node = devices.find((d) => d.key === placement.device);
    if (!node) {
      throw new RangeError(`${placement.component} is placed on unknown ${placement.device}`);
    }
    await api.request("POST", "/v1/neurons/placements", {
      body: { component: placement.component, node_id: node.nodeId },
    });
  }

  return { apiToken: created.token, meshId: mesh.id, devices, reportIntervalS };
}
