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
export type { Alert } from "../../lib/schemas/alerts.ts";
