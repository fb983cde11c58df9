/**
 * Rows of `flow_trigger_state`, shared by the sensor_value and schedule
 * evaluators. A flow has exactly one trigger, but its type can change between
 * versions, so each evaluator reads and forgets only its own rows: schedule
 * state is stored under the key {@linkcode SCHEDULE_KEY}, sensor_value state
 * under node-and-series keys, which always start with a node id.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { prepared, transaction } from "../../../lib/db/database.ts";

/** The key of a schedule trigger's one state row. */
export const SCHEDULE_KEY = "schedule";

/** Which evaluator's rows. */
export type StateKind = "sensor_value" | "schedule";

/** One stored state, its JSON already parsed. */
export interface StateRow {
  flowId: number;
  stepId: string;
  key: string;
  state: unknown;
}

const KIND_WHERE: Record<StateKind, string> = {
  sensor_value: `key <> '${SCHEDULE_KEY}'`,
  schedule: `key = '${SCHEDULE_KEY}'`,
};

/** Reads, writes and forgets trigger state rows. */
export class TriggerStateTable {
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    // The EXISTS guard skips rows of a flow deleted since the evaluator was
    // loaded, instead of failing the whole transaction on the foreign key.
    this.#upsert = prepared(
      db,
      `INSERT INTO flow_trigger_state (flow_id, step_id, key, state, updated_at)
       SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM flows WHERE id = ?)
       ON CONFLICT (flow_id, step_id, key) DO UPDATE
       SET state = excluded.state, updated_at = excluded.updated_at`,
    );
  }

  /** Every stored row of one evaluator; rows whose JSON does not parse are left out. */
  read(kind: StateKind): StateRow[] {
    const rows = prepared(
      this.#db,
      `SELECT flow_id, step_id, key, state FROM flow_trigger_state WHERE ${KIND_WHERE[kind]}`,
    ).all() as { flow_id: number; step_id: string; key: string; state: string }[];
    const out: StateRow[] = [];
    for (const r of rows) {
      try {
        out.push({ flowId: r.flow_id, stepId: r.step_id, key: r.key, state: JSON.parse(r.state) });
      } catch {
        // A row we cannot read counts as no state; the next change overwrites it.
      }
    }
    return out;
  }

  /** Writes `rows` in one transaction (or inside the caller's). */
  write(rows: readonly StateRow[], now: number): void {
    if (rows.length === 0) return;
    transaction(this.#db, () => {
      for (const r of rows) {
        this.#upsert.run(r.flowId, r.stepId, r.key, JSON.stringify(r.state), now, r.flowId);
      }
    });
  }

  /** Deletes one evaluator's rows of a flow; returns how many. */
  forget(kind: StateKind, flowId: number): number {
    return Number(
      prepared(this.#db, `DELETE FROM flow_trigger_state WHERE flow_id = ? AND ${KIND_WHERE[kind]}`)
        .run(flowId).changes,
    );
  }
}
