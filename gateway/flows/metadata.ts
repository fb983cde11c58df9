import { z } from "zod";
import { documentSecretFields } from "../../lib/schemas/secret_fields.ts";
import {
  CONTEXT_VARIABLES,
  OPERATORS,
  STEP_TYPES,
  TEMPLATE_ACTIONS,
} from "../../lib/schemas/flows.ts";
import type { FlowsMetadata } from "../../lib/schemas/flows_api.ts";
import type { CatalogueEntry } from "../../lib/schemas/metric_catalogue.ts";

const VARIABLE_HELP: Record<typeof CONTEXT_VARIABLES[number], string> = {
  node_id: "Id of the node the flow is about",
  node_name: "Name of that node",
  metric: "Metric that fired or was tested",
  value: "Its value",
  threshold: "The value it was compared with",
  operator: "The comparison",
  prev_result: "Result of the step before (an object keyed by step id after a join)",
  flow_name: "Name of the flow",
  fired_at: "When the trigger fired (RFC 3339)",
  event: "The node event that fired the flow",
};

/**
 * The metadata: the step types, built from their schemas once (they never
 * change at run time), and `metrics`, the catalogue as it is now.
 */
export function flowsMetadata(metrics: CatalogueEntry[]): FlowsMetadata {
  steps ??= stepMetadata();
  return { ...steps, metrics };
}

let steps: Omit<FlowsMetadata, "metrics"> | null = null;

function stepMetadata(): Omit<FlowsMetadata, "metrics"> {
  return {
    step_types: STEP_TYPES.map((t) => ({
      type: t.type,
      kind: t.kind,
      label: t.label,
      description: t.description,
      config_schema: z.toJSONSchema(t.schema, {
        io: "input",
        unrepresentable: "any",
        override: documentSecretFields,
      }) as Record<
        string,
        unknown
      >,
      provides: [...t.provides],
      branches: [...t.branches],
    })),
    operators: [...OPERATORS],
    action_templates: {
      field: "template_id",
      step_types: [...TEMPLATE_ACTIONS],
      list: "/v1/flows/action-templates",
      description:
        "A step with template_id (and an empty config) runs the template's config, which must be of the step's type; executions record the config they ran.",
    },
    variables: [
      ...CONTEXT_VARIABLES.map((name) => ({ name, description: VARIABLE_HELP[name] })),
      { name: "var.NAME", description: "A flow variable" },
      { name: "payload.NAME", description: "A field of a manual trigger's payload" },
    ],
  };
}
