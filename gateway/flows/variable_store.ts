import type { DatabaseSync } from "node:sqlite";
import type { FlowVariable } from "../../lib/schemas/flows_api.ts";
import { iso } from "../store/time.ts";
import { prepared } from "../../lib/db/database.ts";

/** Flow-scoped variables (`flow_variables`), read in templates as `{var.NAME}`. */
export class FlowVariableStore {
  constructor(private readonly db: DatabaseSync) {}

  list(flowId: number): FlowVariable[] {
    return (prepared(
      this.db,
      "SELECT name, value, updated_at FROM flow_variables WHERE flow_id = ? ORDER BY name",
    ).all(flowId) as { name: string; value: string; updated_at: number }[]).map((r) => ({
      name: r.name,
      value: JSON.parse(r.value),
      updated_at: iso(r.updated_at),
    }));
  }

  get(flowId: number, name: string): FlowVariable | null {
    return this.list(flowId).find((v) => v.name === name) ?? null;
  }

  names(flowId: number): Set<string> {
    return new Set(this.list(flowId).map((v) => v.name));
  }

  set(flowId: number, name: string, value: string | number | boolean, now: number): void {
    prepared(
      this.db,
      `INSERT INTO flow_variables (flow_id, name, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(flowId, name, JSON.stringify(value), now);
  }

  delete(flowId: number, name: string): boolean {
    return prepared(this.db, "DELETE FROM flow_variables WHERE flow_id = ? AND name = ?")
      .run(flowId, name).changes > 0;
  }
}
