import { alertActionSchema } from "../../../lib/schemas/flows.ts";
import type { AlertStore } from "../alert_store.ts";
import type { StepRunner } from "../engine.ts";
import { renderTemplate } from "../template.ts";

/** Whether alerts and webhooks for this node and flow are silenced now. */
export type SilenceCheck = (flowId: number, nodeId: string | null) => boolean;

/**
 * The `alert` action: raises a platform alert, deduplicated while open. In a
 * flow a node's `offline` event started, the alert takes part in root-cause
 * grouping; the output says when it went under another node's alert.
 */
export function alertRunner(
  deps: { alerts: AlertStore; now: () => number; silenced: SilenceCheck },
): StepRunner {
  return ({ step, execution, context, prevResult }) => {
    const config = alertActionSchema.parse(step.config);
    const message = renderTemplate(config.message, { ...context, prev_result: prevResult }, "text");
    const nodeId = typeof context.node_id === "string" ? context.node_id : null;
    if (execution.dryRun) {
      return Promise.resolve({
        outcome: "success",
        output: { would_raise: { severity: config.severity, message } },
      });
    }
    const raised = deps.alerts.raise({
      flowId: execution.flowId,
      executionId: execution.executionId,
      dedupeKey: `flow:${execution.flowId}:${step.id}:${nodeId ?? ""}`,
      nodeId,
      severity: config.severity,
      message,
      autoResolve: config.auto_resolve,
      silenced: deps.silenced(execution.flowId, nodeId),
      nodeOffline: nodeId !== null && context.event === "offline",
      data: { metric: context.metric ?? null, value: context.value ?? null },
    }, deps.now());
    return Promise.resolve({
      outcome: "success",
      output: {
        alert_id: raised.id,
        deduplicated: raised.deduplicated,
        message,
        ...(raised.parentId !== null ? { grouped_under: raised.parentId } : {}),
      },
    });
  };
}
