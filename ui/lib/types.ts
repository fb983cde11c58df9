/**
 * Wire shapes the portal reads, taken from the schemas in `lib/schemas`, so a
 * change to the API shows up here as a type error.
 */
import type { z } from "zod";
import type { nodeDetailSchema, nodeSummarySchema } from "../../lib/schemas/nodes.ts";
import type { HaloEvent } from "../../lib/schemas/events.ts";
import type { healthSchema } from "../../lib/schemas/system.ts";

export type NodeSummary = z.infer<typeof nodeSummarySchema>;
export type NodeDetail = z.infer<typeof nodeDetailSchema>;
export type Health = z.infer<typeof healthSchema>;
export type { HaloEvent };

/** An alert as `GET /v1/alerts` returns it. */
export interface Alert {
  id: number;
  flow_id: number | null;
  flow_name: string | null;
  execution_id: number | null;
  node_id: string | null;
  node_name: string | null;
  severity: "info" | "warning" | "critical";
  message: string;
  status: "open" | "acknowledged" | "resolved";
  parent_id: number | null;
  children: number[];
  silenced: boolean;
  opened_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
}
