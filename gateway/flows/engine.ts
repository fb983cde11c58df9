/**
 * The Flows execution engine: runs a flow's steps as a directed acyclic graph
 * with branching. A step runs once every predecessor has finished or been
 * skipped and at least one taken edge leads to it; steps reachable only
 * through untaken edges are skipped. Independent branches run concurrently.
 * What each step does is given by {@linkcode StepRunner}s, so the traversal is
 * tested without side effects and the same code serves dry runs. What it
 * records holds no secret field of a step's config (see `secret_fields.ts`).
 */
import { type FlowEdge, type FlowStep, stepType } from "../../lib/schemas/flows.ts";
import {
  maskSecrets,
  redactText,
  redactValue,
  secretRedactions,
} from "../../lib/schemas/secret_fields.ts";

/** How a step ended; edges carrying a branch label are taken on that outcome. */
export type Outcome = "true" | "false" | "success" | "failure";

/** The execution a step runs in. */
export interface ExecutionInfo {
  flowId: number;
  flowName: string;
  executionId: number;
  /** A dry run evaluates conditions but has no side effects: actions say what they would do. */
  dryRun: boolean;
}

/**
 * What a runner gets: the step, the execution, the flow's context variables
 * (`node_id`, `metric`, `var.site`, `payload.reason` … as flat keys), and the
 * result of its predecessor(s).
 */
export interface StepInput {
  step: FlowStep;
  execution: ExecutionInfo;
  context: Readonly<Record<string, unknown>>;
  /** The predecessor's output on the taken edge, or an object keyed by step id with several. */
  prevResult: unknown;
  signal: AbortSignal;
}

/** A step's result. A thrown error counts as `failure` with the error as output. */
export interface StepResult {
  outcome: Outcome;
  output: unknown;
  /**
   * Context variables the step sets (`var.NAME` of a `set_variable`): the
   * steps that start after it see them.
   */
  context?: Readonly<Record<string, unknown>>;
}

/** Runs one kind of step. */
export type StepRunner = (input: StepInput) => Promise<StepResult>;

/** The record of one step in an execution. */
export interface StepRecord {
  stepId: string;
  status: "running" | "succeeded" | "failed" | "skipped";
  outcome?: Outcome;
  input?: unknown;
  output?: unknown;
  startedAt?: number;
  finishedAt?: number;
}

/** Receives step records as they change (the store writes them; tests collect them). */
export interface ExecutionRecorder {
  step(record: StepRecord): void;
}

/** Options for {@linkcode executeFlow}. */
export interface ExecuteOptions {
  /** Runners by step type. */
  runners: Readonly<Record<string, StepRunner>>;
  execution: ExecutionInfo;
  context: Readonly<Record<string, unknown>>;
  /** The trigger's own output, its successors' prev_result. */
  triggerOutput?: unknown;
  recorder: ExecutionRecorder;
  now: () => number;
  signal?: AbortSignal;
}

/** How an execution ended. */
export interface ExecutionResult {
  status: "succeeded" | "failed";
  /** Why it failed: the step that failed with no failure edge. */
  error?: string;
  steps: Map<string, StepRecord>;
}

const SUCCESSFUL: readonly Outcome[] = ["success", "true"];

/** The record of a step that ran to `result`. */
export function finishedStep(
  stepId: string,
  input: unknown,
  result: StepResult,
  startedAt: number,
  finishedAt: number,
): StepRecord {
  return {
    stepId,
    status: result.outcome === "failure" ? "failed" : "succeeded",
    outcome: result.outcome,
    input,
    output: result.output,
    startedAt,
    finishedAt,
  };
}

/** What an execution records as a step's input: its config with secret fields masked. */
export function stepInput(step: FlowStep, prevResult: unknown): Record<string, unknown> {
  return {
    config: maskSecrets(stepType(step.type)?.schema, step.config),
    ...(step.template_id !== undefined ? { template_id: step.template_id } : {}),
    prev_result: prevResult,
  };
}

/**
 * Runs one step with the runner of its type; a throw (or no runner) is a
 * `failure` saying why. The secret fields of the step's config are redacted
 * from its output, whatever the runner put there.
 */
export async function runStep(
  runners: Readonly<Record<string, StepRunner>>,
  input: StepInput,
): Promise<StepResult> {
  const secrets = secretRedactions(stepType(input.step.type)?.schema, input.step.config);
  try {
    const runner = runners[input.step.type];
    if (!runner) throw new Error(`no runner for step type ${input.step.type}`);
    const result = await runner(input);
    return { ...result, output: redactValue(result.output, secrets) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: "failure", output: { error: redactText(message, secrets) } };
  }
}

/** Whether an edge is taken after its source step ended with `outcome`. */
function taken(edge: FlowEdge, outcome: Outcome, fromTrigger: boolean): boolean {
  if (fromTrigger) return true;
  if (edge.branch === undefined) return SUCCESSFUL.includes(outcome);
  return edge.branch === outcome;
}

/**
 * Executes a validated flow from its trigger.
 *
 * A step that fails routes along its `failure` edge if it has one; otherwise
 * the execution fails, no new steps start, and the steps not yet run are
 * recorded as skipped.
 */
export async function executeFlow(
  flow: { steps: readonly FlowStep[]; edges: readonly FlowEdge[] },
  triggerId: string,
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const signal = options.signal ?? new AbortController().signal;
  const steps = new Map(flow.steps.map((s) => [s.id, s]));
  const incoming = new Map<string, FlowEdge[]>();
  const outgoing = new Map<string, FlowEdge[]>();
  for (const e of flow.edges) {
    (incoming.get(e.to) ?? incoming.set(e.to, []).get(e.to)!).push(e);
    (outgoing.get(e.from) ?? outgoing.set(e.from, []).get(e.from)!).push(e);
  }
  // Grows as steps set variables; each step sees it as it was when the step started.
  const context: Record<string, unknown> = { ...options.context };
  const records = new Map<string, StepRecord>();
  const outputs = new Map<string, { outcome: Outcome; output: unknown }>();
  let failure: string | undefined;

  const record = (r: StepRecord) => {
    records.set(r.stepId, r);
    options.recorder.step(r);
  };

  record({
    stepId: triggerId,
    status: "succeeded",
    outcome: "success",
    output: options.triggerOutput ?? null,
    startedAt: options.now(),
    finishedAt: options.now(),
  });
  outputs.set(triggerId, { outcome: "success", output: options.triggerOutput ?? null });

  const finished = (id: string) => {
    const s = records.get(id)?.status;
    return s === "succeeded" || s === "failed" || s === "skipped";
  };
  const running = new Map<string, Promise<void>>();

  const runAndRecord = async (step: FlowStep, prevResult: unknown) => {
    const startedAt = options.now();
    const input = stepInput(step, prevResult);
    record({ stepId: step.id, status: "running", input, startedAt });
    const result = await runStep(options.runners, {
      step,
      execution: options.execution,
      context: { ...context },
      prevResult,
      signal,
    });
    const failed = result.outcome === "failure";
    if (!failed && result.context) Object.assign(context, result.context);
    record(finishedStep(step.id, input, result, startedAt, options.now()));
    outputs.set(step.id, result);
    if (failed && !(outgoing.get(step.id) ?? []).some((e) => e.branch === "failure")) {
      failure ??= `step ${step.id} (${step.type}) failed`;
    }
  };

  // Schedule until nothing more can start; each finished step may make others ready.
  while (true) {
    let progressed = false;
    for (const [id, step] of steps) {
      if (id === triggerId || finished(id) || running.has(id)) continue;
      const preds = incoming.get(id) ?? [];
      if (!preds.every((e) => finished(e.from))) continue;
      const takenEdges = preds.filter((e) => {
        const from = outputs.get(e.from);
        return from !== undefined && records.get(e.from)?.status !== "skipped" &&
          taken(e, from.outcome, e.from === triggerId);
      });
      if (takenEdges.length === 0 || failure !== undefined || signal.aborted) {
        record({ stepId: id, status: "skipped" });
        progressed = true;
        continue;
      }
      const prevResult = takenEdges.length === 1
        ? outputs.get(takenEdges[0]!.from)!.output
        : Object.fromEntries(takenEdges.map((e) => [e.from, outputs.get(e.from)!.output]));
      const run = runAndRecord(step, prevResult).finally(() => running.delete(id));
      running.set(id, run);
      progressed = true;
    }
    if (progressed) continue;
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return failure !== undefined
    ? { status: "failed", error: failure, steps: records }
    : { status: "succeeded", steps: records };
}
