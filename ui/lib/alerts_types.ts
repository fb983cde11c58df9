/**
 * Wire shapes of the alerts and silences APIs as the portal reads them, from
 * the schemas in `lib/schemas/alerts.ts` and `lib/schemas/silences.ts`.
 */
import type { FlowSummary } from "./flow_types.ts";
import type { Alert, NodeSummary } from "./types.ts";

export type { Alert };
export type { NewSilence, Silence, SilenceTarget } from "../../lib/schemas/silences.ts";

/** The part of an alert that acknowledging and resolving change. */
export type AlertState = Pick<
  Alert,
  "id" | "status" | "acknowledged_at" | "acknowledged_by" | "resolved_at" | "resolved_by"
>;

/** Names the silences and the silence form show for ids. */
export interface SilenceChoices {
  nodes: Pick<NodeSummary, "id" | "name">[];
  flows: Pick<FlowSummary, "id" | "name">[];
  tags: string[];
}
