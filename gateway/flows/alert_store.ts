import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { EventHub } from "../events/event_hub.ts";
import { iso, isoOrNull } from "../store/time.ts";

/** An alert as the API shows it. */
export interface AlertView {
  id: number;
  flow_id: number | null;
  flow_name: string | null;
  execution_id: number | null;
  node_id: string | null;
  node_name: string | null;
  severity: "info" | "warning" | "critical";
  message: string;
  status: "open" | "acknowledged" | "resolved";
  auto_resolve: boolean;
  parent_id: number | null;
  silenced: boolean;
  opened_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
}

interface AlertRow {
  id: number;
  flow_id: number | null;
  flow_name: string | null;
  execution_id: number | null;
  node_id: string | null;
  node_name: string | null;
  severity: AlertView["severity"];
  message: string;
  status: AlertView["status"];
  auto_resolve: number;
  parent_id: number | null;
  silenced: number;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
}

const SELECT = `SELECT a.*, f.name AS flow_name, n.name AS node_name FROM flow_alerts a
  LEFT JOIN flows f ON f.id = a.flow_id LEFT JOIN nodes n ON n.id = a.node_id`;

const toView = (r: AlertRow): AlertView => ({
  id: r.id,
  flow_id: r.flow_id,
  flow_name: r.flow_name,
  execution_id: r.execution_id,
  node_id: r.node_id,
  node_name: r.node_name,
  severity: r.severity,
  message: r.message,
  status: r.status,
  auto_resolve: r.auto_resolve === 1,
  parent_id: r.parent_id,
  silenced: r.silenced === 1,
  opened_at: iso(r.opened_at),
  acknowledged_at: isoOrNull(r.acknowledged_at),
  acknowledged_by: r.acknowledged_by,
  resolved_at: isoOrNull(r.resolved_at),
  resolved_by: r.resolved_by,
});

/** Platform alerts raised by flows: deduplicated while open, acknowledged and resolved. */
export class AlertStore {
  constructor(private readonly db: DatabaseSync, private readonly events: EventHub) {}

  /**
   * Raises an alert unless one with the same key is still open (or
   * acknowledged); commits on its own, independent of telemetry.
   */
  raise(
    a: {
      flowId: number | null;
      executionId: number | null;
      dedupeKey: string;
      nodeId: string | null;
      severity: AlertView["severity"];
      message: string;
      autoResolve: boolean;
      silenced: boolean;
      data?: Record<string, unknown>;
    },
    now: number,
  ): { id: number; deduplicated: boolean } {
    return this.events.atomically(() => {
      const open = this.db.prepare(
        "SELECT id FROM flow_alerts WHERE dedupe_key = ? AND status != 'resolved'",
      ).get(a.dedupeKey) as { id: number } | undefined;
      if (open) return { id: open.id, deduplicated: true };
      const { lastInsertRowid } = this.db.prepare(
        `INSERT INTO flow_alerts (flow_id, execution_id, dedupe_key, node_id, severity, message, status,
           auto_resolve, silenced, data, opened_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
      ).run(
        a.flowId,
        a.executionId,
        a.dedupeKey,
        a.nodeId,
        a.severity,
        a.message,
        a.autoResolve ? 1 : 0,
        a.silenced ? 1 : 0,
        JSON.stringify(a.data ?? {}),
        now,
      );
      const id = Number(lastInsertRowid);
      this.events.record("alert_raised", a.nodeId, a.message, {
        alert_id: id,
        severity: a.severity,
        flow_id: a.flowId,
        silenced: a.silenced,
      });
      return { id, deduplicated: false };
    });
  }

  get(id: number): AlertView | null {
    const row = this.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as AlertRow | undefined;
    return row ? toView(row) : null;
  }

  list(
    filter: {
      status?: string[] | undefined;
      nodeId?: string | undefined;
      limit: number;
      beforeId?: number | undefined;
    },
  ): AlertView[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.status?.length) {
      where.push(`a.status IN (${filter.status.map(() => "?").join(",")})`);
      args.push(...filter.status);
    }
    if (filter.nodeId) (where.push("a.node_id = ?"), args.push(filter.nodeId));
    if (filter.beforeId) (where.push("a.id < ?"), args.push(filter.beforeId));
    return (this.db.prepare(
      `${SELECT} ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY a.id DESC LIMIT ?`,
    ).all(...args, filter.limit) as unknown as AlertRow[]).map(toView);
  }

  acknowledge(id: number, by: string, now: number): AlertView | null {
    this.db.prepare(
      "UPDATE flow_alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND status = 'open'",
    ).run(now, by, id);
    return this.get(id);
  }

  /** Resolves one alert; returns it, or null if there is none. */
  resolve(id: number, by: string, now: number): AlertView | null {
    return this.events.atomically(() => {
      const before = this.get(id);
      if (!before) return null;
      if (before.status !== "resolved") {
        this.db.prepare(
          "UPDATE flow_alerts SET status = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ?",
        ).run(now, by, id);
        this.events.record("alert_resolved", before.node_id, `Resolved: ${before.message}`, {
          alert_id: id,
          by,
        });
      }
      return this.get(id);
    });
  }

  /** Resolves the open auto-resolving alerts of a flow (and node) whose condition cleared. */
  resolveCleared(flowId: number, nodeId: string | null, now: number): number[] {
    const ids = (this.db.prepare(
      `SELECT id FROM flow_alerts WHERE flow_id = ? AND (node_id IS ? OR ? IS NULL) AND status != 'resolved'
       AND auto_resolve = 1`,
    ).all(flowId, nodeId, nodeId) as { id: number }[]).map((r) => r.id);
    for (const id of ids) this.resolve(id, "condition cleared", now);
    return ids;
  }
}
