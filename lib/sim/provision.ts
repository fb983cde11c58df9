/**
 * Enrolling a simulated network on a real gateway over its API, as an admin
 * and the devices' agents would: the demo and the portal's system tests set
 * up their nodes with it.
 */
import { z } from "zod";
import { GatewayApiError, GatewayClient } from "../api_client.ts";
import type { Logger } from "../log.ts";
import { apiTokenSchema, createdTokenSchema } from "../schemas/auth.ts";
import { createdJoinTokenSchema } from "../schemas/enrollment.ts";
import { meshSchema } from "../schemas/meshes.ts";
import { settingsSchema } from "../schemas/system.ts";
import { nodeDetailSchema } from "../schemas/nodes.ts";
import type { NetworkPlan, SimDevicePlan } from "./network_plan.ts";
import type { SimBoot } from "./sim_node.ts";

/** A simulated device's credentials, as its agent would keep them in `/etc/halo`. */
export interface StoredAgent {
  nodeId: string;
  agentToken: string;
}

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
  /** How the device got its agent token this run. */
  joined: Joined["how"];
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
  /**
   * Agent tokens an earlier run kept, by device key: a device whose token the
   * gateway still accepts keeps it instead of enrolling. @default none
   */
  agents?: ReadonlyMap<string, StoredAgent>;
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

/** How a device got its agent token this run. */
interface Joined extends StoredAgent {
  how: "kept" | "enrolled" | "re-enrolled" | "replaced";
}

/** Whether the gateway accepts `agent`'s token: any route answers 401 to an unknown or revoked one. */
async function accepted(agent: GatewayClient): Promise<boolean> {
  try {
    await agent.request("GET", "/health");
    return true;
  } catch (error) {
    if (error instanceof GatewayApiError && error.status === 401) return false;
    throw error;
  }
}

/** The id of the node the gateway knows with this board serial. */
async function nodeWithSerial(api: GatewayClient, serial: string): Promise<string> {
  const { nodes } = await api.request("GET", "/v1/nodes", {
    schema: z.object({ nodes: z.array(z.object({ id: z.string() })) }),
  });
  for (const { id } of nodes) {
    const node = await api.request("GET", `/v1/nodes/${id}`, { schema: nodeDetailSchema });
    if (node.hardware.serial === serial) return node.id;
  }
  throw new Error(`The gateway refused to enroll serial ${serial} but lists no node with it`);
}

/**
 * Gives a device its agent token: the one it kept while the gateway accepts
 * it, else by enrolling with the batch's join token. An enrolled node whose
 * token was lost (the token file removed) is re-enrolled with a replacement
 * token, which the demo approves as the admin.
 */
async function join(
  api: GatewayClient,
  device: SimDevicePlan,
  stored: StoredAgent | undefined,
  joinToken: () => Promise<string>,
): Promise<Joined> {
  if (stored && await accepted(api.withToken(stored.agentToken))) return { ...stored, how: "kept" };
  const anonymous = api.withToken(undefined);
  const request = {
    hardware: device.hardware,
    hostname: device.hostname,
    role: device.role,
    wg_public_key: device.wg_public_key,
  };
  try {
    const e = await anonymous.enroll({ ...request, join_token: await joinToken() });
    return {
      nodeId: e.node_id,
      agentToken: e.agent_token,
      how: e.reenrolled ? "re-enrolled" : "enrolled",
    };
  } catch (error) {
    if (!(error instanceof GatewayApiError && error.code === "node_already_enrolled")) throw error;
  }
  const nodeId = await nodeWithSerial(api, device.hardware.serial);
  const replacement = await api.request("POST", `/v1/nodes/${nodeId}/replacement-token`, {
    body: { expires_in_s: 3600 },
    schema: createdJoinTokenSchema,
  });
  const e = await anonymous.enroll({ ...request, join_token: replacement.token });
  return { nodeId: e.node_id, agentToken: e.agent_token, how: "replaced" };
}

/**
 * Sets the demo network up on the gateway through its API, as an admin
 * would: an API token, the mesh, a join token for the batch, then every
 * device enrolls with its own hardware identity, gets its tags and mesh, and
 * the neuron's components are placed on their devices. Safe to run again on
 * an earlier run's data: the same hardware gives the same nodes, and devices
 * keep the agent tokens given in `options.agents` while the gateway accepts
 * them.
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

  // Made only when a device has to enroll; devices enroll knowing only the gateway and this token.
  let batch: Promise<string> | undefined;
  const joinToken = () =>
    batch ??= api.request("POST", "/v1/enrollment/tokens", {
      body: {
        name: "halo-demo-batch",
        expires_in_s: options.joinTokenTtlS ?? 3600,
        max_uses: plan.devices.length,
      },
      schema: createdJoinTokenSchema,
    }).then((t) => t.token);

  const devices: EnrolledDevice[] = [];
  const { report_interval_s: reportIntervalS } = await api.request("GET", "/v1/settings", {
    schema: settingsSchema,
  });
  for (const device of plan.devices) {
    const joined = await join(api, device, options.agents?.get(device.key), joinToken);
    const node = await api.request("PATCH", `/v1/nodes/${joined.nodeId}`, {
      body: { tags: device.tags, mesh_id: mesh.id },
      schema: nodeDetailSchema,
    });
    const lastBoot = bootOf(node);
    devices.push({
      key: device.key,
      nodeId: node.id,
      name: node.name,
      agentToken: joined.agentToken,
      joined: joined.how,
      ...(lastBoot ? { lastBoot } : {}),
    });
    log.info(`node ${joined.how === "kept" ? "kept its agent token" : joined.how}`, {
      node: node.name,
      node_id: node.id,
      role: node.role,
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
