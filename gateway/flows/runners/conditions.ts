import type { DatabaseSync } from "node:sqlite";
import {
  cooldownConditionSchema,
  responseConditionSchema,
  thresholdConditionSchema,
} from "../../../lib/schemas/flows.ts";
import type { TelemetryStore } from "../../telemetry/store.ts";
import type { StepRunner } from "../engine.ts";
import { compare } from "./compare.ts";
import { prepared } from "../../../lib/db/database.ts";

/** The `threshold` condition: a metric's latest value or window aggregate against a value. */
export function thresholdRunner(
  deps: { telemetry: TelemetryStore; now: () => number },
): StepRunner {
  return ({ step, context }) => {
    const c = thresholdConditionSchema.parse(step.config);
    const nodeId = c.node === "trigger" ? context.node_id : c.node;
    if (typeof nodeId !== "string") {
      throw new Error(`step ${step.id}: the trigger gives no node; name one in the condition`);
    }
    const matches = (labels: Record<string, string>) =>
      Object.entries(c.labels ?? {}).every(([k, v]) => labels[k] === v);
    let value: number | null = null;
    if (c.aggregate === "latest") {
      const latest = deps.telemetry.latest({ nodes: [nodeId], metrics: [c.metric] })
        .filter((l) => matches(l.series.labels))
        .sort((a, b) => b.ts - a.ts)[0];
      value = latest?.value ?? null;
    } else {
      const now = deps.now();
      const { series } = deps.telemetry.query({
        nodes: [nodeId],
        metrics: [c.metric],
        labels: c.labels,
        from: now - c.window_s * 1000,
        to: now,
        resolution: "raw",
      });
      const values = series.flatMap((s) => s.points.map((p) => ("value" in p ? p.value : p.avg)));
      if (values.length > 0) {
        value = c.aggregate === "avg"
          ? values.reduce((a, b) => a + b, 0) / values.length
          : c.aggregate === "min"
          ? Math.min(...values)
          : Math.max(...values);
      }
    }
    const passed = value !== null && compare(value, c.operator, c.value);
    return Promise.resolve({
      outcome: passed ? "true" : "false",
      output: {
        node_id: nodeId,
        metric: c.metric,
        aggregate: c.aggregate,
        value,
        operator: c.operator,
        threshold: c.value,
      },
    });
  };
}

/** The `cooldown` condition: passes, then holds the flow (or the flow for that node) back for a while. */
export function cooldownRunner(deps: { db: DatabaseSync; now: () => number }): StepRunner {
  return ({ step, execution, context }) => {
    const c = cooldownConditionSchema.parse(step.config);
    const scope = c.scope === "flow_node" && typeof context.node_id === "string"
      ? context.node_id
      : "";
    const now = deps.now();
    const row = prepared(
      deps.db,
      "SELECT until FROM flow_cooldowns WHERE flow_id = ? AND step_id = ? AND scope = ?",
    ).get(execution.flowId, step.id, scope) as { until: number } | undefined;
    if (row && row.until > now) {
      return Promise.resolve({
        outcome: "false",
        output: { cooling_until: new Date(row.until).toISOString() },
      });
    }
    if (!execution.dryRun) {
      prepared(
        deps.db,
        `INSERT INTO flow_cooldowns (flow_id, step_id, scope, until) VALUES (?, ?, ?, ?)
         ON CONFLICT (flow_id, step_id, scope) DO UPDATE SET until = excluded.until`,
      ).run(execution.flowId, step.id, scope, now + c.duration_s * 1000);
    }
    return Promise.resolve({
      outcome: "true",
      output: { cooling_until: new Date(now + c.duration_s * 1000).toISOString() },
    });
  };
}

function jsonPath(value: unknown, path: string): unknown {
  let at = value;
  for (const m of path.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)) {
    if (at === null || typeof at !== "object") return undefined;
    at = m[1] !== undefined
      ? (at as Record<string, unknown>)[m[1]]
      : (at as unknown[])[Number(m[2])];
  }
  return at;
}

/** The `response` condition: tests the result of the step before. */
export function responseRunner(): StepRunner {
  return ({ step, prevResult }) => {
    const c = responseConditionSchema.parse(step.config);
    const prev = (prevResult ?? {}) as Record<string, unknown>;
    let passed: boolean;
    let seen: unknown;
    switch (c.check) {
      case "http_status":
        seen = prev.status;
        passed = compare(seen, c.operator, c.value);
        break;
      case "exit_code":
        seen = prev.exit_code;
        passed = compare(seen, c.operator, c.value);
        break;
      case "json_path": {
        let doc: unknown = prev;
        if (typeof prev.body === "string") {
          try {
            doc = JSON.parse(prev.body);
          } catch {
            doc = undefined;
          }
        }
        seen = jsonPath(doc, c.path);
        passed = compare(seen, c.operator, c.value);
        break;
      }
      case "regex":
        seen = typeof prev[c.on] === "string" ? prev[c.on] : "";
        passed = new RegExp(c.pattern).test(seen as string);
        break;
    }
    return Promise.resolve({
      outcome: passed ? "true" : "false",
      output: { check: c.check, seen: seen ?? null },
    });
  };
}
