import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { Alert } from "../../lib/schemas/alerts.ts";
import type { EventHub } from "../events/event_hub.ts";
import { iso, isoOrNull } from "../store/time.ts";
import { prepared } from "../../lib/db/database.ts";

interface AlertRow {
  id: number;
  flow_id: number | null;
  flow_name: string | null;
  execution_id: number | null;
  node_id: string | null;
  node_name: string | null;
  severity: Alert["severity"];
  message: string;
  status: Alert["status"];
  auto_resolve: number;
  parent_id: number | null;
  children: string;
  silenced: number;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
}

const SELECT = `SELECT a.*, f.name AS flow_name, n.name AS node_name,
    (SELECT json_group_array(c.id) FROM flow_alerts c WHERE c.parent_id = a.id) AS children
  FROM flow_alerts a LEFT JOIN flows f ON f.id = a.flow_id LEFT JOIN nodes n ON n.id = a.node_id`;

const toView = (r: AlertRow): Alert => ({
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
  children: (JSON.parse(r.children) as number[]).sort((a, b) => a - b),
  silenced: r.silenced === 1,
  opened_at: iso(r.opened_at),
  acknowledged_at: isoOrNull(r.acknowledged_at),
  acknowledged_by: r.acknowledged_by,
  resolved_at: isoOrNull(r.resolved_at),
  resolved_by: r.resolved_by,
});

/** Options for {@linkcode AlertStore}. */
export interface AlertStoreOptions {
  /**
   * The nodes whose only path to the gateway runs through a node (see
   * `nodesBehind` in gateway/topology). @default none: offline alerts are never grouped
   */
  nodesBehind?: (nodeId: string) => ReadonlySet<string>;
}

/** An alert to raise. */
export interface NewAlert {
  flowId: number | null;
  executionId: number | null;
  dedupeKey: string;
  nodeId: string | null;
  severity: Alert["severity"];
  message: string;
  autoResolve: boolean;
  silenced: boolean;
  /** Raised because `nodeId` went offline: it takes part in root-cause grouping. */
  nodeOffline?: boolean;
  data?: Record<string, unknown>;
}

/**
 * Platform alerts raised by flows: deduplicated while open, acknowledged and
 * resolved, and grouped by root cause.
 *
 * Root-cause grouping: an offline alert for a node whose only path to the
 * gateway runs through another node with an open offline alert of the same
 * flow is grouped under that alert (`parent_id`) instead of standing alone.
 * The parent is the offline node closest to the gateway, and grouping is
 * flat, whichever alert was raised first. When the parent resolves, each
 * child whose node is back resolves too; the others are grouped again as the
 * remaining offline nodes say, or stand alone — and then
 * {@linkcode AlertStore.onStandAlone} hears of each, so the notifications
 * held back while it was grouped can go out.
 */
export class AlertStore {
  readonly #behind: ((nodeId: string) => ReadonlySet<string>) | undefined;
  /** Called with each alert that stands alone after its root resolved, once that is committed. */
  onStandAlone?: (alertId: number) => void;

  constructor(
    private readonly db: DatabaseSync,
    private readonly events: EventHub,
    options: AlertStoreOptions = {},
  ) {
    this.#behind = options.nodesBehind;
  }

  /**
   * Raises an alert unless one with the same key is still open (or
   * acknowledged); commits on its own, independent of telemetry.
   *
   * @returns the alert's id, whether it was already open, and the root-cause
   *   alert it is grouped under (null when it stands alone).
   */
  raise(a: NewAlert, now: number): { id: number; deduplicated: boolean; parentId: number | null } {
    return this.events.atomically(() => {
      const open = prepared(
        this.db,
        "SELECT id, parent_id FROM flow_alerts WHERE dedupe_key = ? AND status != 'resolved'",
      ).get(a.dedupeKey) as { id: number; parent_id: number | null } | undefined;
      if (open) return { id: open.id, deduplicated: true, parentId: open.parent_id };
      const { lastInsertRowid } = prepared(
        this.db,
        `INSERT INTO flow_alerts (flow_id, execution_id, dedupe_key, node_id, severity, message, status,
           auto_resolve, silenced, node_offline, data, opened_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)`,
      ).run(
        a.flowId,
        a.executionId,
        a.dedupeKey,
        a.nodeId,
        a.severity,
        a.message,
        a.autoResolve ? 1 : 0,
        a.silenced ? 1 : 0,
        a.nodeOffline ? 1 : 0,
        JSON.stringify(a.data ?? {}),
        now,
      );
      const id = Number(lastInsertRowid);
      const parentId = a.nodeOffline ? this.#group(id) : null;
      this.events.record("alert_raised", a.nodeId, a.message, {
        alert_id: id,
        severity: a.severity,
        flow_id: a.flowId,
        silenced: a.silenced,
        parent_id: parentId,
      });
      return { id, deduplicated: false, parentId };
    });
  }

  /**
   * The open alert of `flowId` for `nodeId` that is grouped under a root
   * cause, with its parent; null when there is none.
   */
  groupedAlert(
    flowId: number,
    nodeId: string,
  ): { alertId: number; parentId: number; rootNodeId: string | null } | null {
    const row = prepared(
      this.db,
      `SELECT a.id, a.parent_id, p.node_id AS root FROM flow_alerts a JOIN flow_alerts p ON p.id = a.parent_id
       WHERE a.flow_id = ? AND a.node_id = ? AND a.status != 'resolved' ORDER BY a.id DESC LIMIT 1`,
    ).get(flowId, nodeId) as { id: number; parent_id: number; root: string | null } | undefined;
    return row ? { alertId: row.id, parentId: row.parent_id, rootNodeId: row.root } : null;
  }

  /**
   * Groups open offline alert `id` by root cause: under the alert of the
   * offline node closest to the gateway that it sits behind, or, when it sits
   * behind none, as the parent of the open offline alerts behind its node.
   *
   * @returns the parent it was put under, or null.
   */
  #group(id: number): number | null {
    const behind = this.#behind;
    const me = prepared(this.db, "SELECT flow_id, node_id FROM flow_alerts WHERE id = ?").get(id) as
      | { flow_id: number | null; node_id: string | null }
      | undefined;
    if (!behind || !me || me.flow_id === null || me.node_id === null) return null;
    const nodeId = me.node_id;
    const others = prepared(
      this.db,
      `SELECT id, node_id, parent_id FROM flow_alerts WHERE flow_id = ? AND node_offline = 1
       AND status != 'resolved' AND id != ? AND node_id IS NOT NULL AND node_id != ?`,
    ).all(me.flow_id, id, nodeId) as { id: number; node_id: string; parent_id: number | null }[];
    if (others.length === 0) return null;
    const cut = new Map<string, ReadonlySet<string>>();
    const behindOf = (n: string) => cut.get(n) ?? cut.set(n, behind(n)).get(n)!;
    const roots = others.filter((o) => behindOf(o.node_id).has(nodeId));
    if (roots.length > 0) {
      // The offline node closest to the gateway is behind none of the others.
      const top = roots.find((r) =>
        !roots.some((o) => o !== r && behindOf(o.node_id).has(r.node_id))
      ) ?? roots[0]!;
      const parentId = top.parent_id ?? top.id;
      prepared(this.db, "UPDATE flow_alerts SET parent_id = ? WHERE id = ?").run(parentId, id);
      return parentId;
    }
    const mine = behindOf(nodeId);
    const update = prepared(this.db, "UPDATE flow_alerts SET parent_id = ? WHERE id = ?");
    for (const o of others) if (mine.has(o.node_id)) update.run(id, o.id);
    return null;
  }

  /**
   * After root-cause alert `id` resolved: its open children whose node is
   * back resolve; the rest are grouped again without it.
   *
   * @returns the children that now stand alone.
   */
  #release(id: number, now: number): number[] {
    const children = prepared(
      this.db,
      `SELECT a.id, a.auto_resolve, n.status FROM flow_alerts a LEFT JOIN nodes n ON n.id = a.node_id
       WHERE a.parent_id = ? AND a.status != 'resolved' ORDER BY a.id`,
    ).all(id) as { id: number; auto_resolve: number; status: string | null }[];
    const remaining: number[] = [];
    for (const child of children) {
      if (child.auto_resolve === 1 && child.status !== null && child.status !== "offline") {
        this.resolve(child.id, "condition cleared", now);
      } else {
        prepared(this.db, "UPDATE flow_alerts SET parent_id = NULL WHERE id = ?").run(child.id);
        remaining.push(child.id);
      }
    }
    const parentOf = prepared(this.db, "SELECT parent_id FROM flow_alerts WHERE id = ?");
    const parent = (child: number) =>
      (parentOf.get(child) as { parent_id: number | null }).parent_id;
    for (const child of remaining) {
      if (parent(child) === null) this.#group(child);
    }
    return remaining.filter((child) => parent(child) === null);
  }

  get(id: number): Alert | null {
    const row = prepared(this.db, `${SELECT} WHERE a.id = ?`).get(id) as AlertRow | undefined;
    return row ? toView(row) : null;
  }

  list(
    filter: {
      status?: string[] | undefined;
      nodeId?: string | undefined;
      /** Only alerts not grouped under another. */
      topLevel?: boolean | undefined;
      limit: number;
      beforeId?: number | undefined;
    },
  ): Alert[] {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.status?.length) {
      where.push(`a.status IN (${filter.status.map(() => "?").join(",")})`);
      args.push(...filter.status);
    }
    if (filter.nodeId) (where.push("a.node_id = ?"), args.push(filter.nodeId));
    if (filter.topLevel) where.push("a.parent_id IS NULL");
    if (filter.beforeId) (where.push("a.id < ?"), args.push(filter.beforeId));
    return (prepared(
      this.db,
      `${SELECT} ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY a.id DESC LIMIT ?`,
    ).all(...args, filter.limit) as unknown as AlertRow[]).map(toView);
  }

  /**
   * Acknowledges an open alert and the open alerts grouped under it: an
   * operator taking on a root cause takes on what it caused.
   */
  acknowledge(id: number, by: string, now: number): Alert | null {
    prepared(
      this.db,
      `UPDATE flow_alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?
       WHERE (id = ? OR parent_id = ?) AND status = 'open'`,
    ).run(now, by, id, id);
    return this.get(id);
  }

  /** Resolves one alert; returns it, or null if there is none. */
  resolve(id: number, by: string, now: number): Alert | null {
    let standAlone: number[] = [];
    const resolved = this.events.atomically(() => {
      const before = this.get(id);
      if (!before) return null;
      if (before.status !== "resolved") {
        prepared(
          this.db,
          "UPDATE flow_alerts SET status = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ?",
        ).run(now, by, id);
        this.events.record("alert_resolved", before.node_id, `Resolved: ${before.message}`, {
          alert_id: id,
          by,
        });
        standAlone = this.#release(id, now);
      }
      return this.get(id);
    });
    for (const child of standAlone) this.onStandAlone?.(child);
    return resolved;
  }

  /** Resolves the open auto-resolving alerts of a flow (and node) whose condition cleared. */
  resolveCleared(flowId: number, nodeId: string | null, now: number): number[] {
    const ids = (prepared(
      this.db,
      `SELECT id FROM flow_alerts WHERE flow_id = ? AND (node_id IS ? OR ? IS NULL) AND status != 'resolved'
       AND auto_resolve = 1`,
    ).all(flowId, nodeId, nodeId) as { id: number }[]).map((r) => r.id);
    for (const id of ids) this.resolve(id, "condition cleared", now);
    return ids;
  }
}
