/**
 * HALO Flows wire formats: the step configs of every trigger, condition and
 * action, and a flow as a graph of steps and edges. The gateway validates
 * with these, and `GET /v1/flows/metadata` is generated from them so the
 * portal's builder and haloctl never hard-code a step's shape.
 */
import { z } from "zod";
import { Cron } from "croner";
import { ALERT_SEVERITIES } from "./alerts.ts";
import { NODE_EVENT_TYPES } from "./events.ts";
import { keyedRecord, multiLineText, nodeIdSchema, singleLineText, tagSchema } from "./common.ts";
import { componentNameSchema } from "./neurons.ts";
import { labelsSchema, metricNameSchema } from "./telemetry.ts";
import { documentSecretFields, secretField } from "./secret_fields.ts";

export const OPERATORS = [">", ">=", "<", "<=", "==", "!="] as const;
export const operatorSchema = z.enum(OPERATORS);
export type Operator = z.infer<typeof operatorSchema>;

/** A text with `{variable}` references, interpolated when the step runs; it may span lines. */
export const templateSchema = multiLineText().max(8192);

/** Which nodes a trigger or action applies to. */
const nodeScopeSchema = z.union([
  z.literal("all"),
  z.array(nodeIdSchema).min(1).max(500),
]).default("all").describe('"all" or a list of node ids');

const timezoneSchema = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, { message: "unknown time zone; use an IANA name such as UTC or Europe/Berlin" });

const cronSchema = singleLineText().max(128).superRefine((pattern, ctx) => {
  try {
    new Cron(pattern, { paused: true });
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `invalid cron expression: ${(error as Error).message}`,
    });
  }
});

// ---- triggers -------------------------------------------------------------

export const sensorValueTriggerSchema = z.strictObject({
  metric: metricNameSchema,
  labels: labelsSchema.optional().describe("Only series with these labels"),
  operator: operatorSchema,
  value: z.number().refine(Number.isFinite, { message: "must be a finite number" }),
  nodes: nodeScopeSchema,
  hysteresis: z.number().min(0).default(0)
    .describe("The metric must cross back by this much before the trigger can fire again"),
  for_s: z.number().int().min(0).max(86_400).default(0)
    .describe("Fire only once the condition has held this many seconds"),
});

export const nodeEventTriggerSchema = z.strictObject({
  events: z.array(z.enum([...NODE_EVENT_TYPES, "peer_lost", "peer_recovered"])).min(1),
  nodes: nodeScopeSchema,
});

export const scheduleTriggerSchema = z.strictObject({
  cron: cronSchema.describe("Cron expression, e.g. 0 */15 * * * (every 15 minutes)"),
  timezone: timezoneSchema.default("UTC"),
});

export const manualTriggerSchema = z.strictObject({
  payload_fields: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).max(32).default([])
    .describe("Fields of the trigger payload the steps use as {payload.NAME}"),
});

// ---- conditions -----------------------------------------------------------

export const thresholdConditionSchema = z.strictObject({
  metric: metricNameSchema,
  labels: labelsSchema.optional(),
  node: z.union([z.literal("trigger"), nodeIdSchema]).default("trigger")
    .describe('"trigger" for the node that fired the flow, or a node id'),
  aggregate: z.enum(["latest", "avg", "min", "max"]).default("latest"),
  window_s: z.number().int().min(10).max(7 * 86_400).default(300)
    .describe("Window of the aggregate (ignored for latest)"),
  operator: operatorSchema,
  value: z.number().refine(Number.isFinite, { message: "must be a finite number" }),
});

export const cooldownConditionSchema = z.strictObject({
  duration_s: z.number().int().min(1).max(30 * 86_400),
  scope: z.enum(["flow", "flow_node"]).default("flow")
    .describe("Suppress repeats of the whole flow, or per node"),
});

export const responseConditionSchema = z.discriminatedUnion("check", [
  z.strictObject({
    check: z.literal("http_status"),
    operator: operatorSchema,
    value: z.number().int().min(100).max(599),
  }),
  z.strictObject({
    check: z.literal("json_path"),
    path: z.string().regex(/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/, {
      message: "use a path such as $.status or $.items[0].name",
    }),
    operator: operatorSchema,
    value: z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]),
  }),
  z.strictObject({
    check: z.literal("regex"),
    pattern: singleLineText().max(1024).superRefine((p, ctx) => {
      try {
        new RegExp(p);
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: `invalid regular expression: ${(error as Error).message}`,
        });
      }
    }),
    on: z.enum(["stdout", "stderr", "body"]).default("stdout"),
  }),
  z.strictObject({
    check: z.literal("exit_code"),
    operator: operatorSchema,
    value: z.number().int().min(0).max(255),
  }),
]);

// ---- actions --------------------------------------------------------------

export const alertActionSchema = z.strictObject({
  severity: z.enum(ALERT_SEVERITIES).default("warning"),
  message: templateSchema.min(1),
  auto_resolve: z.boolean().default(true)
    .describe("Resolve the alert when its condition clears (node back, metric crossed back)"),
});

const headerNameSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, {
  message: "an HTTP header name",
});

export const webhookActionSchema = z.strictObject({
  url: secretField(
    z.url({ protocol: /^https?$/, message: "an http:// or https:// URL" }),
    "url",
    "Write-only, as a Slack or Teams webhook URL is a credential: answered as its scheme and host only (https://hooks.slack.com/…); sent back unchanged it keeps the stored URL, any other URL replaces it",
  ),
  format: z.enum(["slack", "teams", "json"]).default("json"),
  body: templateSchema.optional()
    .describe("JSON body template (json format); slack and teams build their payload from message"),
  message: templateSchema.optional().describe("Text of a Slack or Teams message"),
  headers: keyedRecord(headerNameSchema, singleLineText().max(1024)).default({}),
  secret_headers: secretField(
    keyedRecord(headerNameSchema, singleLineText().max(4096)).default({}),
    "header_values",
    "Write-only: each value is answered empty and never shown in traces; a value sent empty keeps the one stored for that header",
  ),
  timeout_s: z.number().int().min(1).max(60).default(10),
  retries: z.number().int().min(0).max(10).default(3)
    .describe("Retries on 5xx and network errors, with exponential backoff"),
}).superRefine((w, ctx) => {
  if (w.format === "json" && w.body === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["body"],
      message: "a json webhook needs a body template",
    });
  }
  if (w.format !== "json" && w.message === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["message"],
      message: `a ${w.format} webhook needs a message`,
    });
  }
});

export const commandActionSchema = z.strictObject({
  node: z.union([z.literal("trigger"), nodeIdSchema]).default("trigger"),
  command: templateSchema.min(1).describe("Shell command; interpolated values are shell-quoted"),
  connect_timeout_s: z.number().int().min(1).max(60).default(10),
  timeout_s: z.number().int().min(1).max(3600).default(60),
});

/** A flow variable's name, read in templates as `{var.NAME}`. */
export const variableNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, {
  message: "variable names are 1-32 lower-case letters, digits or '_', starting with a letter",
});

/** A flow variable's value. */
export const variableValueSchema = z.union([z.string().max(1024), z.number(), z.boolean()]);

export const setVariableActionSchema = z.strictObject({
  name: variableNameSchema.describe(
    "The flow variable to set; later steps and runs read {var.NAME}",
  ),
  value: templateSchema.max(1024).describe(
    "Text template of the value, e.g. {value} or {prev_result}",
  ),
});

/** Actions that `for_each_node` can run per node. */
export const INNER_ACTIONS = ["alert", "webhook_out", "command"] as const;

export const nodeSelectorSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("all") }),
  z.strictObject({ kind: z.literal("tag"), tag: tagSchema }),
  z.strictObject({ kind: z.literal("mesh"), mesh: singleLineText().min(1).max(32) }),
  z.strictObject({ kind: z.literal("role"), role: z.enum(["gateway", "node"]) }),
  z.strictObject({ kind: z.literal("neuron_component"), component: componentNameSchema }),
  z.strictObject({ kind: z.literal("event_nodes") })
    .describe(
      "The node of the triggering event; for an offline event also the nodes whose only path to the gateway ran through it",
    ),
]);

export const forEachNodeActionSchema = z.strictObject({
  selector: nodeSelectorSchema,
  concurrency: z.number().int().min(1).max(32).default(4),
  action: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("alert"), config: alertActionSchema }),
    z.strictObject({ type: z.literal("webhook_out"), config: webhookActionSchema }),
    z.strictObject({ type: z.literal("command"), config: commandActionSchema }),
  ]),
});

// ---- the catalogue ---------------------------------------------------------

export type StepKind = "trigger" | "condition" | "action";

/** One step type: its kind, schema, and the context variables it provides to later steps. */
export interface StepType {
  type: string;
  kind: StepKind;
  label: string;
  description: string;
  schema: z.ZodType;
  /** Variables this step makes available to the steps after it. */
  provides: readonly string[];
  /** Branch labels its outgoing edges may carry. */
  branches: readonly string[];
}

const TIME_VARS = ["flow_name", "fired_at"] as const;

/** Every step type of HALO Flows, as the seed names them. */
export const STEP_TYPES: readonly StepType[] = [
  {
    type: "sensor_value",
    kind: "trigger",
    label: "Sensor value",
    description: "Fires when a telemetry metric crosses a value",
    schema: sensorValueTriggerSchema,
    provides: ["node_id", "node_name", "metric", "value", "threshold", "operator", ...TIME_VARS],
    branches: [],
  },
  {
    type: "node_event",
    kind: "trigger",
    label: "Node event",
    description: "Fires on a node lifecycle or mesh event",
    schema: nodeEventTriggerSchema,
    provides: ["node_id", "node_name", "event", ...TIME_VARS],
    branches: [],
  },
  {
    type: "schedule",
    kind: "trigger",
    label: "Schedule",
    description: "Fires on a cron schedule",
    schema: scheduleTriggerSchema,
    provides: [...TIME_VARS],
    branches: [],
  },
  {
    type: "manual",
    kind: "trigger",
    label: "Manual",
    description: "Fires on an operator action or POST /v1/flows/{id}/trigger",
    schema: manualTriggerSchema,
    provides: [...TIME_VARS],
    branches: [],
  },
  {
    type: "threshold",
    kind: "condition",
    label: "Threshold",
    description: "Compares a metric (latest or aggregated over a window) with a value",
    schema: thresholdConditionSchema,
    provides: ["metric", "value", "threshold", "operator"],
    branches: ["true", "false"],
  },
  {
    type: "cooldown",
    kind: "condition",
    label: "Cooldown",
    description: "Rate-limits the flow, per flow or per flow and node",
    schema: cooldownConditionSchema,
    provides: [],
    branches: ["true", "false"],
  },
  {
    type: "response",
    kind: "condition",
    label: "Response",
    description: "Tests the result of a prior step: HTTP status, JSON path, regex, exit code",
    schema: responseConditionSchema,
    provides: [],
    branches: ["true", "false"],
  },
  {
    type: "alert",
    kind: "action",
    label: "Alert",
    description: "Raises a platform alert",
    schema: alertActionSchema,
    provides: ["prev_result"],
    branches: ["success", "failure"],
  },
  {
    type: "webhook_out",
    kind: "action",
    label: "Webhook",
    description: "Sends an outbound webhook (Slack, Teams or JSON)",
    schema: webhookActionSchema,
    provides: ["prev_result"],
    branches: ["success", "failure"],
  },
  {
    type: "command",
    kind: "action",
    label: "Command",
    description: "Runs a command over SSH on a node",
    schema: commandActionSchema,
    provides: ["prev_result"],
    branches: ["success", "failure"],
  },
  {
    type: "for_each_node",
    kind: "action",
    label: "For each node",
    description: "Runs an action across the nodes a selector matches",
    schema: forEachNodeActionSchema,
    provides: ["prev_result"],
    branches: ["success", "failure"],
  },
  {
    type: "set_variable",
    kind: "action",
    label: "Set variable",
    description:
      "Sets a flow variable, read as {var.NAME} by later steps and later runs (a dry run only says so)",
    schema: setVariableActionSchema,
    provides: ["prev_result"],
    branches: ["success", "failure"],
  },
];

/** The step type named `type`. */
export function stepType(type: string): StepType | undefined {
  return STEP_TYPES.find((t) => t.type === type);
}

/** Every variable a template may name (besides `var.NAME` and `payload.NAME`). */
export const CONTEXT_VARIABLES = [
  "node_id",
  "node_name",
  "metric",
  "value",
  "threshold",
  "operator",
  "prev_result",
  "flow_name",
  "fired_at",
  "event",
] as const;

/** Action types a template can hold. */
export const TEMPLATE_ACTIONS = ["alert", "webhook_out", "command", "for_each_node"] as const;

/** The JSON Schema of what a step type's config accepts, for the API document. */
function configJsonSchema(type: StepType): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(type.schema, {
    io: "input",
    unrepresentable: "any",
    override: documentSecretFields,
  });
  return schema;
}

/**
 * A step's config as validateFlow() checks it, for the API document: the
 * request schema only asks for an object so that each problem is reported
 * per step, but the document states what each step type accepts.
 */
function stepVariantsDoc(): Record<string, unknown>[] {
  return STEP_TYPES.map((type) => {
    const own = {
      properties: { type: { const: type.type }, config: configJsonSchema(type) },
      // A missing config is {}: required where {} is not a valid config of this type.
      ...(type.schema.safeParse({}).success ? {} : { required: ["config"] }),
      not: { required: ["template_id"] },
    };
    if (!(TEMPLATE_ACTIONS as readonly string[]).includes(type.type)) return own;
    const byTemplate = {
      required: ["template_id"],
      properties: { config: { type: "object", maxProperties: 0 } },
    };
    return { properties: { type: { const: type.type } }, anyOf: [own, byTemplate] };
  });
}

export const stepIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, {
  message: "step ids are 1-32 letters, digits, '_' or '-', starting with a letter",
});

export const flowStepSchema = z.strictObject({
  id: stepIdSchema,
  type: z.enum(STEP_TYPES.map((t) => t.type) as [string, ...string[]]),
  name: singleLineText().max(80).optional(),
  config: z.record(z.string(), z.unknown()).default({})
    .describe("The step type's config; see GET /v1/flows/metadata"),
  template_id: z.number().int().positive().optional()
    .describe("Use a saved action template's config instead of config"),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional()
    .describe("Where the builder draws the step"),
}).meta({ oneOf: stepVariantsDoc() });
export type FlowStep = z.infer<typeof flowStepSchema>;

export const flowEdgeSchema = z.strictObject({
  from: stepIdSchema,
  to: stepIdSchema,
  branch: z.enum(["true", "false", "success", "failure"]).optional()
    .describe("Taken only on this outcome of the step it leaves; none: always"),
});
export type FlowEdge = z.infer<typeof flowEdgeSchema>;

export const flowDefinitionSchema = z.strictObject({
  name: singleLineText().trim().min(1).max(80),
  description: multiLineText().max(1000).default(""),
  enabled: z.boolean().default(true),
  steps: z.array(flowStepSchema).min(1).max(100),
  edges: z.array(flowEdgeSchema).max(400).default([]),
  variables: keyedRecord(variableNameSchema, variableValueSchema).optional().describe(
    "Flow-scoped variables, read in templates as {var.NAME}: replaces them all; omitted, the stored ones (set by steps or PUT /v1/flows/{id}/variables/{name}) stay",
  ),
});
export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;

// ---- action templates ------------------------------------------------------

/**
 * A reusable action config. A step uses it with `template_id` (and no
 * config of its own); the config is validated by the same schema as a step
 * of its type, and resolved when an execution runs the step.
 */
export const actionTemplateInputSchema = z.strictObject({
  name: singleLineText().trim().min(1).max(80),
  description: multiLineText().max(1000).default(""),
  type: z.enum(TEMPLATE_ACTIONS),
  config: z.record(z.string(), z.unknown())
    .describe("The action's config, as a step of this type has it; see GET /v1/flows/metadata"),
}).superRefine((t, ctx) => {
  const parsed = stepType(t.type)!.schema.safeParse(t.config);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({
      code: "custom",
      path: ["config", ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)],
      message: `${t.type} config: ${issue.message}`,
    });
  }
}).meta({
  oneOf: TEMPLATE_ACTIONS.map((type) => ({
    properties: { type: { const: type }, config: configJsonSchema(stepType(type)!) },
  })),
});
export type ActionTemplateInput = z.infer<typeof actionTemplateInputSchema>;
