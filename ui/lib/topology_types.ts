/** Wire shapes of the topology API, from its schemas. */
import type { z } from "zod";
import type {
  linkHistorySchema,
  topologyLinkSchema,
  topologyNodeSchema,
  topologySchema,
} from "../../lib/schemas/topology.ts";

export type Topology = z.infer<typeof topologySchema>;
export type TopologyNode = z.infer<typeof topologyNodeSchema>;
export type TopologyLink = z.infer<typeof topologyLinkSchema>;
export type LinkHistory = z.infer<typeof linkHistorySchema>;
