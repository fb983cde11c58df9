/**
 * What the trigger evaluators are loaded with: one trigger step of an enabled
 * flow, its config already parsed by the step type's schema.
 */
import type { z } from "zod";
import type {
  nodeEventTriggerSchema,
  scheduleTriggerSchema,
  sensorValueTriggerSchema,
} from "../../../lib/schemas/flows.ts";

/** A `sensor_value` step's config after parsing (defaults filled in). */
export type SensorValueTriggerConfig = z.output<typeof sensorValueTriggerSchema>;
/** A `schedule` step's config after parsing (defaults filled in). */
export type ScheduleTriggerConfig = z.output<typeof scheduleTriggerSchema>;
/** A `node_event` step's config after parsing (defaults filled in). */
export type NodeEventTriggerConfig = z.output<typeof nodeEventTriggerSchema>;

/** One trigger step of a flow, at the flow's current version. */
export interface LoadedTrigger<C> {
  flowId: number;
  /** The flow version the trigger belongs to; executions it starts run this version. */
  version: number;
  stepId: string;
  config: C;
}
