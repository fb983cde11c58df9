import { type Clock, pause } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type { TelemetryStore } from "./store.ts";
import { WINDOW_MS } from "./windows.ts";

/** Compaction runs this long after a window closes, so samples of its last seconds are in. */
export const COMPACTION_GRACE_MS = 30_000;

/**
 * Compacts just after each 10-minute window closes, then applies retention;
 * checks free disk every minute. Ends when `signal` aborts.
 */
export async function runTelemetryLoops(
  deps: { telemetry: TelemetryStore; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<void> {
  const { telemetry, clock, log } = deps;
  const compactLoop = async () => {
    while (!signal.aborted) {
      const now = clock.now();
      const next = Math.floor(now / WINDOW_MS) * WINDOW_MS + WINDOW_MS + COMPACTION_GRACE_MS;
      if (!await pause(clock, next - now, signal)) return;
      try {
        const done = await telemetry.compact();
        const removed = telemetry.applyRetention();
        log.debug("telemetry compacted", { ...done, retention: removed });
      } catch (error) {
        log.error("telemetry compaction failed", { error });
      }
    }
  };
  const diskLoop = async () => {
    while (!signal.aborted) {
      try {
        await telemetry.checkDisk();
      } catch (error) {
        log.warn("cannot check free disk space", { error });
      }
      if (!await pause(clock, 60_000, signal)) return;
    }
  };
  await Promise.all([compactLoop(), diskLoop()]);
}
