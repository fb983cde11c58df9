import type { DatabaseSync } from "node:sqlite";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import { SessionStore } from "../store/sessions.ts";

/** How long link-quality history is kept. */
export const LINK_HISTORY_RETENTION_MS = 90 * 86_400_000;

/** Housekeeping: drops expired sessions and old link history. */
export function runMaintenanceOnce(db: DatabaseSync, now: number): void {
  new SessionStore(db).deleteExpired(now);
  db.prepare("DELETE FROM link_history WHERE ts < ?").run(now - LINK_HISTORY_RETENTION_MS);
}

/** Runs {@linkcode runMaintenanceOnce} hourly until `signal` aborts. */
export async function runMaintenance(
  deps: { db: DatabaseSync; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      runMaintenanceOnce(deps.db, deps.clock.now());
    } catch (error) {
      deps.log.error("maintenance failed", { error });
    }
    try {
      await deps.clock.sleep(3600_000, signal);
    } catch {
      return;
    }
  }
}
