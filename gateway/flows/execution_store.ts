import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StepRecord } from "./engine.ts";
import { iso, isoOrNull } from "../store/time.ts";
import { prepared } from "../../lib/db/database.ts";
import { MAX_JSON_DEPTH } from "../../lib/json/strict_json.ts";

/**
 * Deepest nesting kept in an execution's record: twice the deepest body the
 * API reads (MAX_JSON_DEPTH), so a caller's payload inside a record is kept
 * whole; only a remote answer (a webhook's JSON a condition picked apart)
 * can go deeper, and that part is cut rather than overflowing the stack.
 */
export const MAX_RECORD_DEPTH = 2 * MAX_JSON_DEPTH;

/** What stands in a record for a value nested deeper than {@linkcode MAX_RECORD_DEPTH}. */
export const TOO_DEEP = `(nested deeper than ${MAX_RECORD_DEPTH} levels: not recorded)`;

/**
 * Step inputs and outputs are stored without secret header values. The
 * recursion is bounded by {@linkcode MAX_RECORD_DEPTH}, whatever the input.
 */
function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_RECORD_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === "secret_headers" && v && typeof v === "object"
        ? Object.fromEntries(Object.keys(v).map((h) => [h, "(secret)"]))
        : redact(v, depth + 1),
    ]),
  );
}

/** An execution as the API shows it. */
export interface ExecutionView {
  id: number;
  flow_id: number;
  flow_version: number;
  trigger_type: string;
  trigger_context: Record<string, unknown>;
  status: string;
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  steps?: {
    step_id: string;
    status: string;
    outcome: string | null;
    input: unknown;
    output: unknown;
    started_at: string | null;
    finished_at: string | null;
    duration_ms: number | null;
  }[];
}

interface ExecutionRow {
  id: number;
  flow_id: number;
  flow_version: number;
  trigger_type: string;
  trigger_context: string;
  status: string;
  dry_run: number;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

const toView = (r: ExecutionRow): ExecutionView => ({
  id: r.id,
  flow_id: r.flow_id,
  flow_version: r.flow_version,
  trigger_type: r.trigger_type,
  trigger_context: JSON.parse(r.trigger_context),
  status: r.status,
  dry_run: r.dry_run === 1,
  started_at: iso(r.started_at),
  finished_at: isoOrNull(r.finished_at),
  error: r.error,
});

/** Flow executions and their per-step records. */
export class ExecutionStore {
  readonly #upsertStep: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.#upsertStep = prepared(
      db,
      `INSERT INTO flow_step_executions (execution_id, step_id, status, outcome, input, output, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (execution_id, step_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,
         input = excluded.input, output = excluded.output, started_at = excluded.started_at,
         finished_at = excluded.finished_at`,
    );
  }

  start(
    e: {
      flowId: number;
      version: number;
      triggerType: string;
      context: Record<string, unknown>;
      dryRun: boolean;
    },
    now: number,
  ): number {
    const { lastInsertRowid } = prepared(
      this.db,
      `INSERT INTO flow_executions (flow_id, flow_version, trigger_type, trigger_context, status, dry_run, started_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?)`,
    ).run(
      e.flowId,
      e.version,
      e.triggerType,
      JSON.stringify(redact(e.context)),
      e.dryRun ? 1 : 0,
      now,
    );
    return Number(lastInsertRowid);
  }

  recordStep(executionId: number, r: StepRecord): void {
    this.#upsertStep.run(
      executionId,
      r.stepId,
      r.status,
      r.outcome ?? null,
      r.input === undefined ? null : JSON.stringify(redact(r.input)),
      r.output === undefined ? null : JSON.stringify(redact(r.output)),
      r.startedAt ?? null,
      r.finishedAt ?? null,
    );
  }

  finish(
    executionId: number,
    status: "succeeded" | "failed",
    error: string | null,
    now: number,
  ): void {
    prepared(
      this.db,
      "UPDATE flow_executions SET status = ?, error = ?, finished_at = ? WHERE id = ?",
    )
      .run(status, error, now, executionId);
  }

  /** Executions cut off by a gateway restart are marked interrupted, never resumed. */
  markInterrupted(now: number): number {
    return Number(
      prepared(
        this.db,
        "UPDATE flow_executions SET status = 'interrupted', finished_at = ?, error = 'the gateway restarted during the execution' WHERE status = 'running'",
      ).run(now).changes,
    );
  }

  list(flowId: number, limit: number, beforeId?: number): ExecutionView[] {
    return (prepared(
      this.db,
      `SELECT * FROM flow_executions WHERE flow_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ).all(flowId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as unknown as ExecutionRow[]).map(
      toView,
    );
  }

  get(flowId: number, executionId: number): ExecutionView | null {
    const row = prepared(this.db, "SELECT * FROM flow_executions WHERE id = ? AND flow_id = ?").get(
      executionId,
      flowId,
    ) as ExecutionRow | undefined;
    if (!row) return null;
    const steps = (prepared(
      this.db,
      "SELECT * FROM flow_step_executions WHERE execution_id = ? ORDER BY coalesce(started_at, 9e15), rowid",
    ).all(executionId) as {
      step_id: string;
      status: string;
      outcome: string | null;
      input: string | null;
      output: string | null;
      started_at: number | null;
      finished_at: number | null;
    }[]).map((s) => ({
      step_id: s.step_id,
      status: s.status,
      outcome: s.outcome,
      input: s.input === null ? null : JSON.parse(s.input),
      output: s.output === null ? null : JSON.parse(s.output),
      started_at: isoOrNull(s.started_at),
      finished_at: isoOrNull(s.finished_at),
      duration_ms: s.started_at !== null && s.finished_at !== null
        ? s.finished_at - s.started_at
        : null,
    }));
    return { ...toView(row), steps };
  }

  /**
   * The execution that raised alert `alertId`, with its flow's name; null
   * when the alert is resolved or does not exist.
   */
  raisedAlert(alertId: number): {
    flow_id: number;
    execution_id: number;
    flow_version: number;
    trigger_context: string;
    name: string;
  } | null {
    return (prepared(
      this.db,
      `SELECT a.flow_id, a.execution_id, e.flow_version, e.trigger_context, f.name
       FROM flow_alerts a JOIN flow_executions e ON e.id = a.execution_id JOIN flows f ON f.id = a.flow_id
       WHERE a.id = ? AND a.status != 'resolved'`,
    ).get(alertId) as {
      flow_id: number;
      execution_id: number;
      flow_version: number;
      trigger_context: string;
      name: string;
    } | undefined) ?? null;
  }

  /** Whether flow `flowId` already sent what it held back for alert `alertId`. */
  sentUngrouped(flowId: number, alertId: number): boolean {
    return prepared(
      this.db,
      `SELECT 1 FROM flow_executions WHERE flow_id = ? AND trigger_type = 'ungrouped'
       AND json_extract(trigger_context, '$.alert_id') = ?`,
    ).get(flowId, alertId) !== undefined;
  }

  /** The steps of an execution suppressed as grouped under a root cause, with their input (JSON). */
  heldBack(executionId: number): { step_id: string; input: string | null }[] {
    return prepared(
      this.db,
      `SELECT step_id, input FROM flow_step_executions WHERE execution_id = ?
       AND json_extract(output, '$.suppressed') = 'grouped' ORDER BY rowid`,
    ).all(executionId) as { step_id: string; input: string | null }[];
  }

  /** Keeps executions newer than `maxAgeMs` and at most `maxPerFlow` per flow. */
  prune(now: number, maxAgeMs: number, maxPerFlow: number): number {
    let removed = Number(
      prepared(this.db, "DELETE FROM flow_executions WHERE started_at < ? AND status != 'running'")
        .run(now - maxAgeMs)
        .changes,
    );
    removed += Number(
      prepared(
        this.db,
        `DELETE FROM flow_executions WHERE id IN (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY flow_id ORDER BY id DESC) AS n FROM flow_executions)
           WHERE n > ?)`,
      ).run(maxPerFlow).changes,
    );
    return removed;
  }
}
