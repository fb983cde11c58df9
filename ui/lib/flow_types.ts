/**
 * Wire shapes of the Flows API as the portal reads them, from the zod
 * schemas in `lib/schemas/` (`flows.ts` for definitions, `flows_api.ts` for
 * the answers); only the metadata's JSON Schema walk is typed here.
 */
import type { z } from "zod";
import type {
  FlowDefinition,
  flowEdgeSchema,
  flowStepSchema,
  StepKind,
} from "../../lib/schemas/flows.ts";

import type { FlowsMetadata as WireFlowsMetadata } from "../../lib/schemas/flows_api.ts";

export type { FlowDefinition, StepKind };
export type {
  ActionTemplate,
  Execution,
  FlowSummary,
  MetricPreview,
  StepRun,
  StoredFlow,
} from "../../lib/schemas/flows_api.ts";

/** A step as the builder holds it: the input shape (config defaults not yet applied). */
export type FlowStep = z.input<typeof flowStepSchema>;
/** An edge; `branch` absent means "always". */
export type FlowEdge = z.input<typeof flowEdgeSchema>;
/** A branch label an edge may carry. */
export type Branch = NonNullable<FlowEdge["branch"]>;

/** A JSON Schema object as the metadata gives it (2020-12, from zod). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: (string | number)[];
  const?: string | number | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  /** A secret field: answered masked, kept when sent back as answered. */
  writeOnly?: boolean;
}

/** One step type of `GET /v1/flows/metadata`, its config schema typed for the builder's walk. */
export type StepTypeMeta =
  & Omit<WireFlowsMetadata["step_types"][number], "config_schema">
  & { config_schema: JsonSchema };

/** `GET /v1/flows/metadata`. */
export type FlowsMetadata = Omit<WireFlowsMetadata, "step_types"> & { step_types: StepTypeMeta[] };
