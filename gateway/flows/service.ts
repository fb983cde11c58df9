import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { type FlowStep, stepType } from "../../lib/schemas/flows.ts";
import {
  executeFlow,
  type ExecutionResult,
  finishedStep,
  runStep,
  stepInput,
  type StepRecord,
  type StepRunner,
} from "./engine.ts";
import { ExecutionStore } from "./execution_store.ts";
import { FlowStore } from "./flow_store.ts";
import { ActionTemplateStore } from "./template_store.ts";
import { FlowVariableStore } from "./variable_store.ts";

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
  readonly #flows: FlowStore;
  readonly #templates: ActionTemplateStore;
  readonly #variables: FlowVariableStore;

  constructor(private readonly options: FlowServiceOptions) {
    this.executions = new ExecutionStore(options.db);
    this.#flows = new FlowStore(options.db);
    this.#templates = new ActionTemplateStore(options.db);
    this.#variables = new FlowVariableStore(options.db);
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
    const { clock } = this.options;
    const flow = this.#flows.current(flowId);
    if (!flow) throw new RangeError(`Flow ${flowId} does not exist`);
    // The version is read once: an edit while this runs does not change what runs.
    const saved = this.#flows.versionWithSecrets(flowId, flow.version)!.definition;
    const def = { ...saved, steps: this.#withTemplates(flowId, saved.steps) };
    const triggerStep = def.steps.find((s) => stepType(s.type)?.kind === "trigger")!;
    const variables = Object.fromEntries(
      this.#variables.list(flowId).map((v) => [`var.${v.name}`, v.value]),
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

  /**
   * Sends the notifications held back while alert `alertId` was grouped
   * under a root cause, now that it stands alone (its root resolved while
   * its node is still offline): each `webhook_out` step of the execution that
   * raised it which was suppressed as grouped runs again, with that
   * execution's context, as a new execution of trigger type `ungrouped`
   * (its context names the alert). Held-back notifications go out once: an
   * alert that was grouped and released again sends nothing more.
   *
   * @returns the new execution, or null when nothing was held back.
   */
  notifyStandAlone(
    alertId: number,
  ): { executionId: number; done: Promise<ExecutionResult> } | null {
    const { clock } = this.options;
    const alert = this.executions.raisedAlert(alertId);
    if (!alert) return null;
    if (this.executions.sentUngrouped(alert.flow_id, alertId)) return null;
    const held = this.executions.heldBack(alert.execution_id);
    const snapshot = this.#flows.versionWithSecrets(alert.flow_id, alert.flow_version);
    if (held.length === 0 || !snapshot) return null;
    const steps = this.#withTemplates(alert.flow_id, snapshot.definition.steps)
      .filter((s) => s.type === "webhook_out" && held.some((h) => h.step_id === s.id));
    if (steps.length === 0) return null;

    const context = { ...JSON.parse(alert.trigger_context), alert_id: alertId };
    const executionId = this.executions.start({
      flowId: alert.flow_id,
      version: alert.flow_version,
      triggerType: "ungrouped",
      context,
      dryRun: false,
    }, clock.now());
    const execution = {
      flowId: alert.flow_id,
      flowName: alert.name,
      executionId,
      dryRun: false,
    };
    const signal = new AbortController().signal;
    const records = new Map<string, StepRecord>();
    const record = (r: StepRecord) => {
      records.set(r.stepId, r);
      this.executions.recordStep(executionId, r);
    };
    const done = Promise.all(steps.map(async (step) => {
      // The step's input as it ran then (secret values are not stored: the config is the version's).
      const recorded = held.find((h) => h.step_id === step.id)?.input;
      const prevResult = recorded
        ? (JSON.parse(recorded) as { prev_result?: unknown }).prev_result
        : null;
      const input = stepInput(step, prevResult ?? null);
      const startedAt = clock.now();
      record({ stepId: step.id, status: "running", input, startedAt });
      const result = await runStep(this.options.runners, {
        step,
        execution,
        context,
        prevResult: prevResult ?? null,
        signal,
      });
      record(finishedStep(step.id, input, result, startedAt, clock.now()));
      return result.outcome === "failure" ? step.id : null;
    })).then((failures): ExecutionResult => {
      const failedStep = failures.find((f) => f !== null);
      const error = failedStep ? `step ${failedStep} (webhook_out) failed` : undefined;
      this.executions.finish(
        executionId,
        error ? "failed" : "succeeded",
        error ?? null,
        clock.now(),
      );
      return error
        ? { status: "failed", error, steps: records }
        : { status: "succeeded", steps: records };
    });
    return { executionId, done };
  }

  /**
   * Steps that use an action template run its config as it is now; the
   * execution records it as the step's input.
   *
   * @throws {RangeError} when a template no longer exists.
   */
  #withTemplates(flowId: number, steps: readonly FlowStep[]): FlowStep[] {
    return steps.map((s) => {
      if (s.template_id === undefined) return s;
      const template = this.#templates.resolve(s.template_id);
      if (!template) {
        throw new RangeError(
          `Cannot run flow ${flowId}: step ${s.id} uses action template ${s.template_id}, which no longer exists`,
        );
      }
      return { ...s, config: template.config };
    });
  }
}
