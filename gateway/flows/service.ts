import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { type FlowDefinition, stepType } from "../../lib/schemas/flows.ts";
import { executeFlow, type ExecutionResult, type StepRunner } from "./engine.ts";
import { ExecutionStore } from "./execution_store.ts";
import { ActionTemplateStore } from "./template_store.ts";

/** What fired a flow, and the context variables it brings. */
export interface FlowTrigger {
  type: string;
  /** Context variables: node_id, metric, value … and payload.NAME for manual triggers. */
  context: Record<string, unknown>;
  /** The trigger's own result, prev_result of the steps right after it. */
  output?: unknown;
}

/** Options for {@linkcode FlowService}. */
export interface FlowServiceOptions {
  db: DatabaseSync;
  clock: Clock;
  log: Logger;
  /** Runners by step type (actions and conditions). */
  runners: Readonly<Record<string, StepRunner>>;
}

/**
 * Runs flows: loads the version to run, builds the context, executes the
 * graph and records the execution and each step as it goes.
 */
export class FlowService {
  readonly executions: ExecutionStore;
  readonly #templates: ActionTemplateStore;

  constructor(private readonly options: FlowServiceOptions) {
    this.executions = new ExecutionStore(options.db);
    this.#templates = new ActionTemplateStore(options.db);
  }

  /** Marks executions a restart cut off; call once at start-up. */
  recover(): number {
    return this.executions.markInterrupted(this.options.clock.now());
  }

  /**
   * Runs flow `flowId` at its current version. With `dryRun`, conditions are
   * evaluated but actions only say what they would do.
   */
  start(
    flowId: number,
    trigger: FlowTrigger,
    options: { dryRun?: boolean } = {},
  ): { executionId: number; done: Promise<ExecutionResult> } {
    const { db, clock } = this.options;
    const flow = db.prepare("SELECT name, version FROM flows WHERE id = ?").get(flowId) as
      | { name: string; version: number }
      | undefined;
    if (!flow) throw new RangeError(`Flow ${flowId} does not exist`);
    // The version is read once: an edit while this runs does not change what runs.
    const snapshot = db.prepare(
      "SELECT definition FROM flow_versions WHERE flow_id = ? AND version = ?",
    )
      .get(flowId, flow.version) as { definition: string };
    const saved = JSON.parse(snapshot.definition) as FlowDefinition;
    // Steps that use an action template run its config as it is now; the
    // execution records it as the step's input.
    const def = {
      ...saved,
      steps: saved.steps.map((s) => {
        if (s.template_id === undefined) return s;
        const template = this.#templates.resolve(s.template_id);
        if (!template) {
          throw new RangeError(
            `Cannot run flow ${flowId}: step ${s.id} uses action template ${s.template_id}, which no longer exists`,
          );
        }
        return { ...s, config: template.config };
      }),
    };
    const triggerStep = def.steps.find((s) => stepType(s.type)?.kind === "trigger")!;
    const variables = Object.fromEntries(
      (db.prepare("SELECT name, value FROM flow_variables WHERE flow_id = ?").all(flowId) as {
        name: string;
        value: string;
      }[]).map((v) => [`var.${v.name}`, JSON.parse(v.value)]),
    );
    const firedAt = new Date(clock.now()).toISOString();
    const context = { ...variables, flow_name: flow.name, fired_at: firedAt, ...trigger.context };
    const dryRun = options.dryRun ?? false;
    const executionId = this.executions.start(
      { flowId, version: flow.version, triggerType: trigger.type, context, dryRun },
      clock.now(),
    );
    const done = executeFlow(def, triggerStep.id, {
      runners: this.options.runners,
      execution: { flowId, flowName: flow.name, executionId, dryRun },
      context,
      triggerOutput: trigger.output ?? trigger.context,
      recorder: { step: (r) => this.executions.recordStep(executionId, r) },
      now: () => clock.now(),
    }).then((result) => {
      this.executions.finish(executionId, result.status, result.error ?? null, clock.now());
      if (result.status === "failed") {
        this.options.log.warn("flow execution failed", {
          flow_id: flowId,
          execution_id: executionId,
          error: result.error,
        });
      }
      return result;
    });
    return { executionId, done };
  }
}
