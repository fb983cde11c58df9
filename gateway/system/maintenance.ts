import type { DatabaseSync } from "node:sqlite";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type { Settings } from "../../lib/schemas/system.ts";
import { ExecutionStore } from "../flows/execution_store.ts";
import { SessionStore } from "../store/sessions.ts";
import type { SettingsStore } from "../store/settings.ts";
import { prepared } from "../../lib/db/database.ts";

/** How long link-quality history is kept. */
export const LINK_HISTORY_RETENTION_MS = 90 * 86_400_000;

/** Housekeeping: drops expired sessions, old link history and old flow executions. */
export function runMaintenanceOnce(db: DatabaseSync, now: number, settings: Settings): void {
  new SessionStore(db).deleteExpired(now);
  prepared(db, "DELETE FROM link_history WHERE ts < ?").run(now - LINK_HISTORY_RETENTION_MS);
  new ExecutionStore(db).prune(
    now,
    settings.flow_history_days * 86_400_000,
    settings.flow_history_max_per_flow,
  );
}

/** Runs {@linkcode runMaintenanceOnce} hourly until `signal` aborts. */
export async function runMaintenance(
  deps: { db: DatabaseSync; clock: Clock; log: Logger; settings: SettingsStore },
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      runMaintenanceOnce(deps.db, deps.clock.now(), deps.settings.get());
    } catch (error) {
      deps.log.error("maintenance failed", { error });
    }
    if (!await pause(deps.clock, 3600_000, signal)) return;
  }
}
