import type { DatabaseSync } from "node:sqlite";
import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type { EventHub } from "../events/event_hub.ts";
import { flushLiveState } from "./apply_report.ts";
import type { LiveNodeState } from "./live_state.ts";

/** How often volatile report fields reach the database. */
export const LIVE_FLUSH_INTERVAL_MS = 60_000;

/**
 * Flushes the live state every minute until `signal` aborts, then once more
 * so a clean shutdown loses nothing.
 */
export async function runLiveFlusher(
  deps: { db: DatabaseSync; events: EventHub; live: LiveNodeState; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<void> {
  const flush = () => {
    try {
      flushLiveState(deps);
    } catch (error) {
      deps.log.error("flushing node reports failed", { error });
    }
  };
  while (!signal.aborted) {
    if (!await pause(deps.clock, LIVE_FLUSH_INTERVAL_MS, signal)) break;
    flush();
  }
  flush();
}
