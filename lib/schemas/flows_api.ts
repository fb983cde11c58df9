/**
 * Answers of the Flows API (`/v1/flows…`): the one source for the gateway's
 * responses, the OpenAPI document and the portal's types; and the bodies
 * that start a run (trigger, test). Flow definitions and step configs are
 * in `flows.ts`.
 */
import { z } from "zod";
import {
  decimalInteger,
  intIdSchema,
  keyedRecord,
  nodeIdSchema,
  timestampSchema,
} from "./common.ts";
import {
  flowDefinitionSchema,
  TEMPLATE_ACTIONS,
  variableNameSchema,
  variableValueSchema,
} from "./flows.ts";
import { catalogueEntrySchema } from "./metric_catalogue.ts";
import { metricNameSchema } from "./telemetry.ts";

/**
 * Most a manual trigger's payload or a dry run's sample context may take,
 * as JSON in UTF-8: each is kept with its execution (trigger_context, and
 * the first steps' input), and the request body limit alone is 1 MiB.
 */
export const MAX_TRIGGER_CONTEXT_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const withinContextBytes = (value: unknown) =>
  encoder.encode(JSON.stringify(value)).length <= MAX_TRIGGER_CONTEXT_BYTES;
const contextBytesMessage = {
  message:
    `at most ${MAX_TRIGGER_CONTEXT_BYTES} bytes (16 KiB) as JSON: it is kept with the execution`,
};

/** `POST /v1/flows/{id}/trigger`. */
export const triggerFlowSchema = z.strictObject({
  payload: keyedRecord(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.unknown())
    .refine(withinContextBytes, contextBytesMessage).default({})
    .describe("Fields the steps read as {payload.NAME}; at most 16 KiB as JSON"),
});

/** `POST /v1/flows/{id}/test`. */
export const testFlowSchema = z.strictObject({
  context: keyedRecord(z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/), z.unknown())
    .refine(withinContextBytes, contextBytesMessage).default({})
    .describe("Sample context variables, e.g. node_id, metric, value; at most 16 KiB as JSON"),
});

/** `GET /v1/flows/{id}/versions/{version}`. */
export const flowVersionParamsSchema = z.object({ id: intIdSchema, version: intIdSchema });

/** `GET /v1/flows/{id}/executions/{exec_id}`. */
export const executionParamsSchema = z.object({ id: intIdSchema, exec_id: intIdSchema });

/** The query of `GET /v1/flows/metric-preview`. */
export const metricPreviewQuerySchema = z.object({
  metric: metricNameSchema,
  node: nodeIdSchema.optional(),
  hours: decimalInteger(z.number().int().min(1).max(24 * 7)).default(24).describe(
    "How far back the range looks",
  ),
});

/** The query of `GET /v1/flows/{id}/executions`. */
export const listExecutionsQuerySchema = z.object({
  limit: decimalInteger(z.number().int().min(1).max(500)).default(50),
  before_id: decimalInteger(z.number().int().positive()).optional(),
});

/** `POST /v1/flows/{id}/trigger`: the execution it started. */
export const triggeredSchema = z.object({ execution_id: z.number().int() });

/** `GET /v1/flows/{id}`: a flow as stored. */
export const storedFlowSchema = flowDefinitionSchema.extend({
  id: z.number().int(),
  version: z.number().int().describe(
    "Grows with every save; executions record the version they ran",
  ),
  builtin: z.string().nullable().describe("Set on flows HALO ships, e.g. node_offline"),
  created_at: timestampSchema,
  created_by: z.string(),
  updated_at: timestampSchema,
  updated_by: z.string(),
});

/** One row of `GET /v1/flows`. */
export const flowSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  version: z.number().int(),
  trigger: z.string().nullable(),
  steps: z.number().int(),
  last_run: z.object({
    execution_id: z.number().int(),
    status: z.string(),
    started_at: timestampSchema,
  }).nullable(),
  updated_at: timestampSchema,
});

/** `GET /v1/flows`. */
export const flowListSchema = z.object({ flows: z.array(flowSummarySchema) });

/** `GET /v1/flows/metric-preview`. */
export const metricPreviewSchema = z.object({
  metric: z.string(),
  unit: z.string().nullable(),
  series: z.array(z.object({
    node_id: z.string(),
    node_name: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    latest: z.object({ ts: z.number().int(), value: z.number() }).nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    avg: z.number().nullable(),
    count: z.number().int().describe("Samples behind min, max and avg"),
  })),
  catalogue: catalogueEntrySchema.nullable().describe(
    "What the metric means (GET /v1/telemetry/catalogue); null when nothing declares it",
  ),
});

/** `GET /v1/flows/{id}/versions/{version}`. */
export const flowVersionSchema = z.object({
  flow_id: z.number().int(),
  version: z.number().int(),
  saved_at: timestampSchema,
  saved_by: z.string(),
  definition: flowDefinitionSchema,
});

/** `GET /v1/flows/{id}/executions[/{exec_id}]`; `steps` only on a single execution. */
export const executionSchema = z.object({
  id: z.number().int(),
  flow_id: z.number().int(),
  flow_version: z.number().int(),
  trigger_type: z.string(),
  trigger_context: z.record(z.string(), z.unknown()),
  status: z.enum(["running", "succeeded", "failed", "interrupted"]),
  dry_run: z.boolean(),
  started_at: timestampSchema,
  finished_at: timestampSchema.nullable(),
  error: z.string().nullable(),
  steps: z.array(z.object({
    step_id: z.string(),
    status: z.enum(["running", "succeeded", "failed", "skipped"]),
    outcome: z.string().nullable().describe("The branch it took"),
    input: z.unknown(),
    output: z.unknown(),
    started_at: timestampSchema.nullable(),
    finished_at: timestampSchema.nullable(),
    duration_ms: z.number().nullable(),
  })).optional().describe("Each step's input, output, status and timing (on a single execution)"),
});

/** `GET /v1/flows/{id}/executions`. */
export const executionListSchema = z.object({ executions: z.array(executionSchema) });

/** `GET /v1/flows/metadata`: every step type with its config as JSON Schema. */
export const flowsMetadataSchema = z.object({
  step_types: z.array(z.object({
    type: z.string(),
    kind: z.enum(["trigger", "condition", "action"]),
    label: z.string(),
    description: z.string(),
    config_schema: z.record(z.string(), z.unknown()).describe(
      "JSON Schema (2020-12) of the step's config",
    ),
    provides: z.array(z.string()).describe("Context variables later steps may use"),
    branches: z.array(z.string()).describe("Branch labels its outgoing edges may carry"),
  })),
  operators: z.array(z.string()),
  action_templates: z.object({
    field: z.literal("template_id").describe("The step field that names a template"),
    step_types: z.array(z.string()).describe("Step types that may use a template of their type"),
    list: z.string().describe("Where the templates are listed"),
    description: z.string(),
  }).describe("How a step uses a reusable action template instead of its own config"),
  variables: z.array(z.object({ name: z.string(), description: z.string() })),
  metrics: z.array(catalogueEntrySchema).describe(
    "Metrics a sensor_value trigger or threshold condition may test, with unit and meaning " +
      "(the telemetry catalogue)",
  ),
});

/** `GET /v1/flows/action-templates/{id}`: a reusable action config. */
export const actionTemplateSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  type: z.enum(TEMPLATE_ACTIONS),
  config: z.record(z.string(), z.unknown()).describe(
    "Secret fields are masked as in GET /v1/flows/{id}: a webhook URL shows its scheme and host only, a secret header value is empty",
  ),
  used_by: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    steps: z.array(z.string()),
  })).describe("Flows whose steps use this template"),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});

/** `GET /v1/flows/action-templates`. */
export const actionTemplateListSchema = z.object({ templates: z.array(actionTemplateSchema) });

/** A flow variable, read in templates as `{var.NAME}`. */
export const flowVariableSchema = z.object({
  name: z.string(),
  value: variableValueSchema,
  updated_at: timestampSchema,
});

/** `GET /v1/flows/{id}/variables`. */
export const flowVariableListSchema = z.object({ variables: z.array(flowVariableSchema) });

/** Path parameters of `/v1/flows/{id}/variables/{name}`. */
export const flowVariableParamsSchema = z.object({ id: intIdSchema, name: variableNameSchema });

/** `PUT /v1/flows/{id}/variables/{name}`. */
export const setFlowVariableSchema = z.strictObject({ value: variableValueSchema });

/** A flow as stored. */
export type StoredFlow = z.output<typeof storedFlowSchema>;
/** One row of `GET /v1/flows`. */
export type FlowSummary = z.output<typeof flowSummarySchema>;
/** `GET /v1/flows/metric-preview`. */
export type MetricPreview = z.output<typeof metricPreviewSchema>;
/** An execution; `steps` only on a single execution. */
export type Execution = z.output<typeof executionSchema>;
/** One step's record in an execution. */
export type StepRun = NonNullable<Execution["steps"]>[number];
/** `GET /v1/flows/metadata`. */
export type FlowsMetadata = z.output<typeof flowsMetadataSchema>;
/** A reusable action config, its secret fields masked. */
export type ActionTemplate = z.output<typeof actionTemplateSchema>;
/** A flow variable. */
export type FlowVariable = z.output<typeof flowVariableSchema>;
