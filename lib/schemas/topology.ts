import { z } from "zod";
import { nodeIdSchema, nodeRoleSchema, queryTimeSchema, timestampSchema } from "./common.ts";
import { NODE_STATUSES } from "./nodes.ts";

export const topologyNodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: nodeRoleSchema,
  status: z.enum(NODE_STATUSES),
  reachable: z.boolean().describe("A path of live links leads to the gateway"),
  hops: z.number().int().nullable(),
  path: z.array(z.string()).describe("Node ids from this node to the gateway"),
  path_quality: z.number().nullable().describe("Product of link qualities along the path, 0-1"),
});

export const topologyLinkSchema = z.object({
  from: z.string(),
  to: z.string(),
  iface: z.string(),
  tq: z.number().nullable(),
  throughput_kbps: z.number().nullable(),
  signal_dbm: z.number().nullable(),
  quality: z.number().describe("0-1, from TQ when known, else from signal"),
  live: z.boolean(),
  updated_at: timestampSchema,
});

export const topologySchema = z.object({
  gateway_id: z.string().nullable(),
  computed_at: timestampSchema,
  nodes: z.array(topologyNodeSchema),
  links: z.array(topologyLinkSchema),
});

/** Path parameters of `/v1/topology/links/{a}/{b}/history`: the link's two ends. */
export const linkParamsSchema = z.object({ a: nodeIdSchema, b: nodeIdSchema });

export const linkHistoryQuerySchema = z.object({
  from: queryTimeSchema.optional(),
  to: queryTimeSchema.optional(),
});

export const linkHistorySchema = z.object({
  a: z.string(),
  b: z.string(),
  points: z.array(z.object({
    ts: timestampSchema,
    from: z.string(),
    to: z.string(),
    tq: z.number().nullable(),
    throughput_kbps: z.number().nullable(),
    signal_dbm: z.number().nullable(),
  })),
});
