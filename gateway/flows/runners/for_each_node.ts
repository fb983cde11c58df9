/**
 * The `for_each_node` action: runs an inner action (alert, webhook or
 * command) once per node a selector matches, a few nodes at a time, with
 * `{node_id}` and `{node_name}` naming each node in turn.
 */
import type { DatabaseSync } from "node:sqlite";
import { forEachNodeActionSchema, type INNER_ACTIONS } from "../../../lib/schemas/flows.ts";
import type { Outcome, StepRunner } from "../engine.ts";
import { type SelectedNode, selectNodes } from "./node_selector.ts";

/** Dependencies of {@linkcode forEachNodeRunner}. */
export interface ForEachNodeDeps {
  db: DatabaseSync;
  /** The runners of the actions that can run per node. */
  runners: Readonly<Record<typeof INNER_ACTIONS[number], StepRunner>>;
  /** See {@linkcode SelectOptions.nodesBehind}. @default none */
  nodesBehind?: (nodeId: string) => readonly string[];
}

/** One node's result. */
export interface NodeResult {
  node_id: string;
  node_name: string;
  outcome: Outcome;
  output: unknown;
}

/**
 * The `for_each_node` action. Output `{results, passed, failed}` with one
 * result per node in name order; success iff every node's action succeeded
 * (so also when the selector matches no node). An inner action that throws
 * is that node's failure, with `{error}` as its output; the other nodes run
 * on. At most `concurrency` nodes run at once. In a dry run the nodes are
 * still selected and each inner action says what it would do.
 */
export function forEachNodeRunner(deps: ForEachNodeDeps): StepRunner {
  return async (input) => {
    const config = forEachNodeActionSchema.parse(input.step.config);
    const nodes = selectNodes(deps.db, config.selector, {
      context: input.context,
      ...(deps.nodesBehind ? { nodesBehind: deps.nodesBehind } : {}),
    });
    const runner = deps.runners[config.action.type];
    const innerStep = {
      ...input.step,
      type: config.action.type,
      config: config.action.config as Record<string, unknown>,
    };

    const runOne = async (node: SelectedNode): Promise<NodeResult> => {
      try {
        const result = await runner({
          ...input,
          step: innerStep,
          context: { ...input.context, node_id: node.id, node_name: node.name },
        });
        return { node_id: node.id, node_name: node.name, ...result };
      } catch (error) {
        return {
          node_id: node.id,
          node_name: node.name,
          outcome: "failure",
          output: { error: error instanceof Error ? error.message : String(error) },
        };
      }
    };

    const results: NodeResult[] = new Array(nodes.length);
    let next = 0;
    const worker = async () => {
      while (next < nodes.length) {
        const i = next++;
        results[i] = await runOne(nodes[i]!);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(config.concurrency, nodes.length) }, worker),
    );
    const passed = results.filter((r) => r.outcome === "success").length;
    const failed = results.length - passed;
    return { outcome: failed === 0 ? "success" : "failure", output: { results, passed, failed } };
  };
}
