import { z } from "zod";
import {
  nameSchema,
  nodeRoleSchema,
  singleLineText,
  tagSchema,
  timestampSchema,
} from "./common.ts";
import { INTERFACE_KINDS } from "./report.ts";

export const NODE_STATUSES = ["enrolled", "online", "offline", "decommissioned"] as const;

export const interfaceSchema = z.object({
  name: z.string(),
  kind: z.enum(INTERFACE_KINDS),
  mac: z.string().nullable(),
  addresses: z.array(z.string()),
  up: z.boolean(),
  mtu: z.number().int().nullable(),
  updated_at: timestampSchema,
});

export const sensorSchema = z.object({
  name: z.string(),
  kind: z.string(),
  bus: z.string().nullable(),
  address: z.string().nullable(),
  last_seen_at: timestampSchema,
});

/** A data consumer attached to a node; shown as Clients. */
export const endpointSchema = z.object({
  mac: z.string(),
  ip: z.string().nullable(),
  hostname: z.string().nullable(),
  iface: z.string(),
  first_seen_at: timestampSchema,
  last_seen_at: timestampSchema,
  present: z.boolean().describe("Listed in the node's latest report"),
});

export const overlayPeerSchema = z.object({
  public_key: z.string(),
  endpoint: z.string().nullable(),
  allowed_ips: z.array(z.string()),
  latest_handshake_s: z.number().nullable(),
  rx_bytes: z.number(),
  tx_bytes: z.number(),
});

export const nodeSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: nodeRoleSchema,
  status: z.enum(NODE_STATUSES),
  mesh: z.string().nullable().describe("Mesh SSID"),
  tags: z.array(z.string()),
  hostname: z.string().nullable(),
  addresses: z.array(z.string()),
  versions: z.record(z.string(), z.string()),
  data_provider: z.boolean().describe("Supplies sensor telemetry; shown under Sensors"),
  last_seen_at: timestampSchema.nullable(),
  enrolled_at: timestampSchema,
  decommissioned_at: timestampSchema.nullable(),
});

/** `GET /v1/nodes`. */
export const nodeListSchema = z.object({ nodes: z.array(nodeSummarySchema) });

export const nodeDetailSchema = nodeSummarySchema.extend({
  hardware: z.object({
    serial: z.string().nullable(),
    machine_id: z.string().nullable(),
    wg_public_key: z.string().nullable(),
  }),
  boot_id: z.string().nullable(),
  uptime_s: z.number().nullable(),
  interfaces: z.array(interfaceSchema),
  sensors: z.array(sensorSchema),
  clients: z.array(endpointSchema),
  overlay_peers: z.array(overlayPeerSchema),
  neuron_components: z.array(z.string()),
});

export const updateNodeSchema = z.strictObject({
  name: nameSchema.optional(),
  tags: z.array(tagSchema).max(32).optional(),
  mesh_id: z.number().int().positive().nullable().optional(),
}).refine((v) => Object.keys(v).length > 0, { message: "give name, tags or mesh_id" })
  .meta({ minProperties: 1 });

export const listNodesQuerySchema = z.object({
  status: z.enum(NODE_STATUSES).optional(),
  role: nodeRoleSchema.optional(),
  tag: tagSchema.optional(),
  mesh: singleLineText().max(32).optional(),
  include_decommissioned: z.enum(["true", "false"]).default("false"),
});
