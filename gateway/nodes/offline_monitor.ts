import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type { EventHub } from "../events/event_hub.ts";
import type { SettingsStore } from "../store/settings.ts";
import type { LiveNodeState } from "./live_state.ts";
import { prepared } from "../../lib/db/database.ts";

const overdueProbes = new WeakMap<DatabaseSync, StatementSync>();

/**
 * Marks online nodes offline once they miss the configured number of report
 * intervals. After a gateway restart the clock starts at the restart, so a
 * gateway that was down does not declare every node offline at once.
 *
 * @returns the ids of nodes marked offline.
 */
export function markOverdueNodesOffline(
  deps: { db: DatabaseSync; events: EventHub; settings: SettingsStore; live: LiveNodeState },
  now: number,
  startedAt: number,
): string[] {
  const { report_interval_s, offline_after_missed } = deps.settings.get();
  const thresholdMs = report_interval_s * offline_after_missed * 1000;
  // This runs every second: mostly nobody is overdue, and one prepared read says so
  // without a write transaction.
  let probe = overdueProbes.get(deps.db);
  if (!probe) {
    probe = prepared(
      deps.db,
      `SELECT 1 FROM nodes WHERE status = 'online' AND max(coalesce(last_report_at, 0), ?) < ?
       LIMIT 1`,
    );
    overdueProbes.set(deps.db, probe);
  }
  if (probe.get(startedAt, now - thresholdMs) === undefined) return [];
  return deps.events.atomically(() => {
    const candidates = prepared(
      deps.db,
      `SELECT id, name, last_report_at FROM nodes
       WHERE status = 'online' AND max(coalesce(last_report_at, 0), ?) < ?`,
    ).all(startedAt, now - thresholdMs) as { id: string; name: string; last_report_at: number }[];
    // Reports not yet flushed to the database still count.
    const overdue = candidates.filter((n) => (deps.live.lastSeen(n.id) ?? 0) < now - thresholdMs);
    for (const node of overdue) {
      prepared(deps.db, "UPDATE nodes SET status = 'offline', updated_at = ? WHERE id = ?").run(
        now,
        node.id,
      );
      deps.events.record("offline", node.id, `${node.name} is offline`, {
        last_seen_at: new Date(Math.max(node.last_report_at, deps.live.lastSeen(node.id) ?? 0))
          .toISOString(),
        missed_reports: offline_after_missed,
      });
    }
    return overdue.map((n) => n.id);
  });
}

/** Runs {@linkcode markOverdueNodesOffline} every second until `signal` aborts. */
export async function runOfflineMonitor(
  deps: {
    db: DatabaseSync;
    events: EventHub;
    settings: SettingsStore;
    live: LiveNodeState;
    clock: Clock;
    log: Logger;
  },
  startedAt: number,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      markOverdueNodesOffline(deps, deps.clock.now(), startedAt);
    } catch (error) {
      deps.log.error("offline check failed", { error });
    }
    if (!await pause(deps.clock, 1000, signal)) return;
  }
}
