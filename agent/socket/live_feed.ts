import type { LiveReadings } from "../../lib/schemas/agent_socket.ts";

/** A listener's queue stops growing here; a listener this far behind loses the oldest. */
const MAX_QUEUED = 256;

/**
 * Readings as they are collected, for whoever listens on agent.sock's
 * `/live`. Each listener has its own bounded queue, so a slow one neither
 * blocks the agent nor grows without limit.
 */
export class LiveFeed {
  readonly #listeners = new Set<(event: LiveReadings) => void>();

  /** Hands `event` to every listener. */
  publish(event: LiveReadings): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Listeners now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** The events published from now until `signal` aborts. */
  async *listen(signal: AbortSignal): AsyncGenerator<LiveReadings> {
    const queue: LiveReadings[] = [];
    let wake: (() => void) | null = null;
    const listener = (event: LiveReadings) => {
      queue.push(event);
      if (queue.length > MAX_QUEUED) queue.shift();
      wake?.();
    };
    const onAbort = () => wake?.();
    this.#listeners.add(listener);
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => wake = resolve);
        wake = null;
      }
    } finally {
      this.#listeners.delete(listener);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
