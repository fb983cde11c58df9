/**
 * The path an execution took through a flow, for drawing it: each step's
 * state and whether each edge was taken, by the engine's own rule (an edge
 * from the trigger is always taken; an unlabelled edge on success or true;
 * a labelled one on its outcome).
 */
import type { FlowEdge, StepRun } from "./flow_types.ts";

/** How a step is drawn after an execution. */
export type StepState = "succeeded" | "failed" | "skipped" | "running" | "not-run";

/** Step states by id and taken edges by index. */
export interface ExecutionPath {
  steps: Map<string, StepState>;
  edges: Set<number>;
}

/** Works out the path of an execution with these step records over these edges. */
export function executionPath(
  edges: readonly FlowEdge[],
  runs: readonly Pick<StepRun, "step_id" | "status" | "outcome">[],
  triggerId: string | null,
): ExecutionPath {
  const byId = new Map(runs.map((r) => [r.step_id, r]));
  const steps = new Map<string, StepState>(runs.map((r) => [r.step_id, r.status]));
  const taken = new Set<number>();
  edges.forEach((e, i) => {
    const from = byId.get(e.from), to = byId.get(e.to);
    if (!from || !to || from.status === "skipped" || to.status === "skipped") return;
    if (from.status === "running" || !from.outcome) return;
    const ok = e.from === triggerId ||
      (e.branch === undefined
        ? from.outcome === "success" || from.outcome === "true"
        : e.branch === from.outcome);
    if (ok) taken.add(i);
  });
  return { steps, edges: taken };
}
