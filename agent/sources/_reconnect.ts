/**
 * The loop a source runs around its connection: open it, read until it ends,
 * wait, open it again. Waits grow exponentially with jitter while attempts
 * fail and start over after a session that worked. Written here rather than
 * taken from npm: p-retry and exponential-backoff retry one call with timers
 * of their own, while this loop runs for the agent's life on an injected clock.
 */
import { type Clock, pause } from "../../lib/clock.ts";

/** Options for {@linkcode reconnectLoop}. */
export interface ReconnectOptions {
  clock: Clock;
  signal: AbortSignal;
  /**
   * One session: connect and read until the connection ends. Resolves true
   * when it got valid data (the next wait starts over); throws or resolves
   * false when not.
   */
  session: (signal: AbortSignal) => Promise<boolean>;
  /** Told why a session ended and how long the loop waits. */
  onEnded: (error: unknown, waitMs: number) => void;
  /** The first wait. @default 500 */
  minBackoffMs?: number;
  /** The longest wait. @default 30000 */
  maxBackoffMs?: number;
  /** Spreads the waits between half and all of the backoff. @default Math.random */
  random?: () => number;
}

/** The wait after `failures` unproductive sessions in a row (1 for the first). */
export function backoffMs(
  failures: number,
  options: { minBackoffMs: number; maxBackoffMs: number; random: () => number },
): number {
  const exp = Math.min(
    options.maxBackoffMs,
    options.minBackoffMs * 2 ** Math.min(30, Math.max(0, failures - 1)),
  );
  return Math.round(exp * (0.5 + 0.5 * options.random()));
}

/** Runs sessions until `signal` aborts; never throws. */
export async function reconnectLoop(options: ReconnectOptions): Promise<void> {
  const timing = {
    minBackoffMs: options.minBackoffMs ?? 500,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    random: options.random ?? Math.random,
  };
  let failures = 0;
  while (!options.signal.aborted) {
    let error: unknown = null;
    try {
      failures = (await options.session(options.signal)) ? 1 : failures + 1;
    } catch (caught) {
      error = caught;
      failures++;
    }
    if (options.signal.aborted) return;
    const waitMs = backoffMs(failures, timing);
    options.onEnded(error, waitMs);
    if (!await pause(options.clock, waitMs, options.signal)) return;
  }
}
