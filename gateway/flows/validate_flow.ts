import {
  CONTEXT_VARIABLES,
  type FlowDefinition,
  INNER_ACTIONS,
  type StepType,
  stepType,
} from "../../lib/schemas/flows.ts";
import { quotedVariables, variablesOf } from "./template.ts";

/** One reason a flow cannot be saved; `path` names the step or edge. */
export interface FlowProblem {
  path: string;
  message: string;
}

/** A saved action template, as validation needs it. */
export interface ActionTemplateRef {
  type: string;
  config: unknown;
}

/** Options for {@linkcode validateFlow}. */
export interface ValidateOptions {
  /** Looks up a saved action template by id. @default none exist */
  templates?: (id: number) => ActionTemplateRef | null | undefined;
  /**
   * Names of the flow's stored variables, which `{var.NAME}` may read besides
   * those the definition declares or a `set_variable` step sets. @default none
   */
  storedVariables?: ReadonlySet<string>;
}

/** Template fields of each action type, and how their values are escaped. */
const TEMPLATE_FIELDS: Record<string, { field: string; mode: "text" | "json" | "shell" }[]> = {
  alert: [{ field: "message", mode: "text" }],
  webhook_out: [{ field: "body", mode: "json" }, { field: "message", mode: "text" }],
  command: [{ field: "command", mode: "shell" }],
  set_variable: [{ field: "value", mode: "text" }],
};

/**
 * Checks a flow before it is saved: exactly one trigger, every step's config
 * against its type's schema, edges between existing steps with branch labels
 * their step can produce, no cycles, every step reachable from the trigger,
 * and every template variable known and provided on the way to its step.
 *
 * @returns every problem found; empty when the flow can be saved.
 */
export function validateFlow(flow: FlowDefinition, options: ValidateOptions = {}): FlowProblem[] {
  const templates = options.templates ?? (() => undefined);
  const problems: FlowProblem[] = [];
  const types = new Map<string, StepType>();
  const configs = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();

  flow.steps.forEach((step, i) => {
    const at = `steps.${step.id}`;
    if (seen.has(step.id)) {
      problems.push({ path: `steps.${i}.id`, message: `step id "${step.id}" is used twice` });
      return;
    }
    seen.add(step.id);
    const type = stepType(step.type)!;
    types.set(step.id, type);
    let config: unknown = step.config;
    if (step.template_id !== undefined) {
      const template = templates(step.template_id);
      if (type.kind !== "action") {
        problems.push({
          path: `${at}.template_id`,
          message: `step ${step.id}: only actions use templates`,
        });
        return;
      }
      if (!template) {
        problems.push({
          path: `${at}.template_id`,
          message:
            `step ${step.id}: action template ${step.template_id} does not exist; see GET /v1/flows/action-templates`,
        });
        return;
      }
      if (Object.keys(step.config).length > 0) {
        problems.push({
          path: `${at}.config`,
          message:
            `step ${step.id}: a step with template_id takes its config from the template; leave config empty`,
        });
        return;
      }
      if (template.type !== step.type) {
        problems.push({
          path: `${at}.template_id`,
          message:
            `step ${step.id}: template ${step.template_id} is a ${template.type} action, not ${step.type}`,
        });
        return;
      }
      config = template.config;
    }
    const parsed = type.schema.safeParse(config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          path: [at, "config", ...issue.path.map(String)].join("."),
          message: `step ${step.id} (${step.type}): ${issue.message}`,
        });
      }
      return;
    }
    configs.set(step.id, parsed.data as Record<string, unknown>);
  });

  const triggers = flow.steps.filter((s) => types.get(s.id)?.kind === "trigger");
  if (triggers.length === 0) {
    problems.push({
      path: "steps",
      message: "a flow needs a trigger step (sensor_value, node_event, schedule or manual)",
    });
  } else if (triggers.length > 1) {
    problems.push({
      path: `steps.${triggers[1]!.id}`,
      message: `a flow has one trigger; ${triggers.map((t) => t.id).join(", ")} are all triggers`,
    });
  }

  const outgoing = new Map<string, string[]>();
  const incoming = new Map<string, string[]>();
  const edgeKeys = new Set<string>();
  flow.edges.forEach((edge, i) => {
    const at = `edges.${i}`;
    const from = types.get(edge.from), to = types.get(edge.to);
    if (!from) {
      return problems.push({
        path: `${at}.from`,
        message: `edge ${i} leaves step "${edge.from}", which does not exist`,
      });
    }
    if (!to) {
      return problems.push({
        path: `${at}.to`,
        message: `edge ${i} leads to step "${edge.to}", which does not exist`,
      });
    }
    if (edge.from === edge.to) {
      return problems.push({ path: at, message: `step ${edge.from} cannot lead to itself` });
    }
    if (to.kind === "trigger") {
      return problems.push({
        path: `${at}.to`,
        message: `edge ${i} leads into trigger ${edge.to}; a trigger only starts a flow`,
      });
    }
    // A bad branch label is reported, but the edge still connects its steps for the checks below.
    if (edge.branch !== undefined && !from.branches.includes(edge.branch)) {
      problems.push({
        path: `${at}.branch`,
        message: from.branches.length
          ? `step ${edge.from} (${from.type}) has branches ${
            from.branches.join(" and ")
          }, not ${edge.branch}`
          : `step ${edge.from} (${from.type}) has no branches; drop "${edge.branch}"`,
      });
    } else if (edge.branch === undefined && from.kind === "condition") {
      problems.push({
        path: `${at}.branch`,
        message:
          `edge ${i} leaves condition ${edge.from}: say whether it is the true or the false branch`,
      });
    }
    const key = `${edge.from}>${edge.to}>${edge.branch ?? ""}`;
    if (edgeKeys.has(key)) {
      return problems.push({ path: at, message: `edge ${i} repeats ${edge.from} → ${edge.to}` });
    }
    edgeKeys.add(key);
    (outgoing.get(edge.from) ?? outgoing.set(edge.from, []).get(edge.from)!).push(edge.to);
    (incoming.get(edge.to) ?? incoming.set(edge.to, []).get(edge.to)!).push(edge.from);
  });

  // Kahn's algorithm: what cannot be ordered lies on a cycle.
  const indegree = new Map([...types.keys()].map((id) => [id, incoming.get(id)?.length ?? 0]));
  const order: string[] = [];
  const ready = [...types.keys()].filter((id) => indegree.get(id) === 0);
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of outgoing.get(id) ?? []) {
      indegree.set(next, indegree.get(next)! - 1);
      if (indegree.get(next) === 0) ready.push(next);
    }
  }
  const cyclic = [...types.keys()].filter((id) => !order.includes(id));
  if (cyclic.length) {
    problems.push({
      path: `steps.${cyclic[0]}`,
      message: `steps ${cyclic.join(", ")} form a cycle; a flow is a graph without loops`,
    });
  }

  const trigger = triggers.length === 1 ? triggers[0]! : null;
  if (trigger) {
    const reached = new Set([trigger.id]);
    const stack = [trigger.id];
    while (stack.length) {
      for (const n of outgoing.get(stack.pop()!) ?? []) {
        if (!reached.has(n)) (reached.add(n), stack.push(n));
      }
    }
    for (const id of types.keys()) {
      if (!reached.has(id)) {
        problems.push({
          path: `steps.${id}`,
          message: `step ${id} is not connected to trigger ${trigger.id}`,
        });
      }
    }
  }

  if (problems.length === 0 && trigger) {
    problems.push(
      ...checkVariables(flow, trigger.id, { types, configs, incoming, order }, options),
    );
  }
  return problems;
}

function checkVariables(
  flow: FlowDefinition,
  triggerId: string,
  graph: {
    types: Map<string, StepType>;
    configs: Map<string, Record<string, unknown>>;
    incoming: Map<string, string[]>;
    order: string[];
  },
  options: ValidateOptions,
): FlowProblem[] {
  const { types, configs, incoming, order } = graph;
  const problems: FlowProblem[] = [];
  // Variables guaranteed at a step: provided on every path to it.
  const available = new Map<string, Set<string>>();
  for (const id of order) {
    const preds = incoming.get(id) ?? [];
    let vars: Set<string>;
    if (id === triggerId) vars = new Set();
    else {
      const sets = preds.map((p) => new Set([...available.get(p)!, ...types.get(p)!.provides]));
      vars = sets.reduce((a, b) => new Set([...a].filter((v) => b.has(v))));
      vars.add("prev_result");
    }
    available.set(id, vars);
  }
  const trigger = configs.get(triggerId)!;
  const payload = new Set(
    types.get(triggerId)!.type === "manual" ? (trigger.payload_fields as string[]) : [],
  );
  // A variable exists when declared, stored, or set by any step (this run or an earlier one).
  const flowVars = new Set([
    ...Object.keys(flow.variables ?? {}),
    ...options.storedVariables ?? [],
    ...flow.steps.filter((s) => s.type === "set_variable").map((s) =>
      configs.get(s.id)!.name as string
    ),
  ]);

  const check = (stepId: string, template: string, mode: string, at: string, extra: string[]) => {
    const vars = available.get(stepId)!;
    for (const name of variablesOf(template)) {
      const [head, field] = name.split(".") as [string, string | undefined];
      let problem: string | null = null;
      if (field !== undefined) {
        if (head === "var" && !flowVars.has(field)) {
          problem =
            `{${name}} names a flow variable that is not defined: declare it in variables, set it with a set_variable step, or PUT /v1/flows/{id}/variables/${field}`;
        } else if (head === "payload" && !payload.has(field)) {
          problem = `{${name}} is not a payload field of the manual trigger`;
        } else if (head !== "var" && head !== "payload") {
          problem = `{${name}} is not a known variable`;
        }
      } else if (!(CONTEXT_VARIABLES as readonly string[]).includes(name)) {
        problem = `{${name}} is not a known variable; use one of ${CONTEXT_VARIABLES.join(", ")}`;
      } else if (!vars.has(name) && !extra.includes(name)) {
        problem =
          `{${name}} is not available here: the trigger and the steps before it do not provide it`;
      }
      if (problem) problems.push({ path: at, message: `step ${stepId}: ${problem}` });
    }
    if (mode === "shell") {
      for (const [offset, quoted] of quotedVariables(template, "shell")) {
        if (quoted) {
          problems.push({
            path: at,
            message: `step ${stepId}: a variable at character ${
              offset + 1
            } is inside quotes; leave it unquoted, values are quoted for you`,
          });
        }
      }
    }
  };

  for (const step of flow.steps) {
    const type = types.get(step.id)!;
    const config = configs.get(step.id)!;
    if (type.type === "for_each_node") {
      const inner = config.action as {
        type: typeof INNER_ACTIONS[number];
        config: Record<string, unknown>;
      };
      for (const { field, mode } of TEMPLATE_FIELDS[inner.type] ?? []) {
        const value = inner.config[field];
        if (typeof value === "string") {
          check(step.id, value, mode, `steps.${step.id}.config.action.config.${field}`, [
            "node_id",
            "node_name",
          ]);
        }
      }
      continue;
    }
    for (const { field, mode } of TEMPLATE_FIELDS[type.type] ?? []) {
      const value = config[field];
      if (typeof value === "string") {
        check(step.id, value, mode, `steps.${step.id}.config.${field}`, []);
      }
    }
  }
  return problems;
}
