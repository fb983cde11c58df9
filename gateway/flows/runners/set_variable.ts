/**
 * The `set_variable` action: renders its value template and stores it as a
 * flow variable, read as `{var.NAME}` by the steps after it and by later
 * executions. A dry run stores nothing; its later steps still see the value.
 */
import type { DatabaseSync } from "node:sqlite";
import { setVariableActionSchema } from "../../../lib/schemas/flows.ts";
import type { StepRunner } from "../engine.ts";
import { renderTemplate } from "../template.ts";
import { FlowVariableStore } from "../variable_store.ts";

/**
 * The `set_variable` action. Output `{name, value, previous}` (previous is
 * null for a new variable), or `{would_set: {name, value}}` in a dry run.
 */
export function setVariableRunner(deps: { db: DatabaseSync; now: () => number }): StepRunner {
  const variables = new FlowVariableStore(deps.db);
  return ({ step, execution, context, prevResult }) => {
    const config = setVariableActionSchema.parse(step.config);
    const value = renderTemplate(config.value, { ...context, prev_result: prevResult }, "text");
    const set = { [`var.${config.name}`]: value };
    if (execution.dryRun) {
      return Promise.resolve({
        outcome: "success",
        output: { would_set: { name: config.name, value } },
        context: set,
      });
    }
    const previous = variables.get(execution.flowId, config.name)?.value ?? null;
    variables.set(execution.flowId, config.name, value, deps.now());
    return Promise.resolve({
      outcome: "success",
      output: { name: config.name, value, previous },
      context: set,
    });
  };
}
