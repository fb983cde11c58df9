/**
 * Wire shapes of the Flows API as the portal reads them. Step, edge and
 * definition come from the zod schemas in `lib/schemas/flows.ts`; the rest
 * mirrors the answers of `gateway/api/flows.ts` (whose schemas are private
 * to that module) field for field.
 */
import type { z } from "zod";
import type {
  FlowDefinition,
  flowEdgeSchema,
  flowStepSchema,
  StepKind,
} from "../../lib/schemas/flows.ts";

export type { FlowDefinition, StepKind };

/** A step as the builder holds it: the input shape (config defaults not yet applied). */
export type FlowStep = z.input<typeof flowStepSchema>;
/** An edge; `branch` absent means "always". */
export type FlowEdge = z.input<typeof flowEdgeSchema>;
/** A branch label an edge may carry. */
export type Branch = NonNullable<FlowEdge["branch"]>;

/** `GET /v1/flows/{id}`. */
export interface StoredFlow {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  version: number;
  builtin: string | null;
  steps: FlowStep[];
  edges: FlowEdge[];
  variables?: Record<string, string | number | boolean>;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** One row of `GET /v1/flows`. */
export interface FlowSummary {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  version: number;
  trigger: string | null;
  steps: number;
  last_run: { execution_id: number; status: string; started_at: string } | null;
  updated_at: string;
}

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
}

/** One step type of `GET /v1/flows/metadata`. */
export interface StepTypeMeta {
  type: string;
  kind: StepKind;
  label: string;
  description: string;
  config_schema: JsonSchema;
  provides: string[];
  branches: string[];
}

/** `GET /v1/flows/metadata`. */
export interface FlowsMetadata {
  step_types: StepTypeMeta[];
  operators: string[];
  action_templates: { field: string; step_types: string[]; list: string; description: string };
  variables: { name: string; description: string }[];
}

/** One step's record in an execution. */
export interface StepRun {
  step_id: string;
  status: "running" | "succeeded" | "failed" | "skipped";
  outcome: string | null;
  input: unknown;
  output: unknown;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

/** `GET /v1/flows/{id}/executions[/{exec_id}]`; `steps` only on a single execution. */
export interface Execution {
  id: number;
  flow_id: number;
  flow_version: number;
  trigger_type: string;
  trigger_context: Record<string, unknown>;
  status: "running" | "succeeded" | "failed" | "interrupted";
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  steps?: StepRun[];
}

/** `GET /v1/flows/metric-preview`. */
export interface MetricPreview {
  metric: string;
  unit: string | null;
  series: {
    node_id: string;
    node_name: string | null;
    labels: Record<string, string>;
    latest: { ts: number; value: number } | null;
    min: number | null;
    max: number | null;
    avg: number | null;
    count: number;
  }[];
}

/** `GET /v1/flows/action-templates`. */
export interface ActionTemplate {
  id: number;
  name: string;
  type: string;
}
