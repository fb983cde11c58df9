import type { Clock } from "../lib/clock.ts";
import type { GatewayClient } from "../lib/api_client.ts";
import { eventSchema, type HaloEvent } from "../lib/schemas/events.ts";
import { parseSse } from "../lib/sse.ts";

function parseEvent(data: string): HaloEvent | null {
  try {
    const parsed = eventSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** One line for a person watching the demo, e.g. `12:03:10Z  offline          halo-leaf-04 is offline`. */
export function formatEvent(event: HaloEvent): string {
  return `${event.ts.slice(11, 19)}Z  ${event.type.padEnd(15)}  ${event.message}`;
}

/** Options for {@linkcode runEventFeed}. */
export interface EventFeedOptions {
  /** A client whose token has at least the viewer role. */
  client: GatewayClient;
  signal: AbortSignal;
  /** Where each event's line goes. */
  write: (line: string) => void;
  clock: Clock;
  /** Wait before reconnecting after the stream ends. @default 3000 */
  retryMs?: number;
}

/**
 * Follows `GET /v1/events/stream` and writes each lifecycle event as it
 * happens, resuming after the last one seen when the stream drops, until
 * `signal` aborts.
 */
export async function runEventFeed(options: EventFeedOptions): Promise<void> {
  let lastId: string | undefined;
  while (!options.signal.aborted) {
    try {
      const body = await options.client.openEventStream({
        ...(lastId !== undefined ? { lastEventId: lastId } : {}),
        signal: options.signal,
      });
      // The request's signal alone does not always end the body: seen with Deno 2.9, after
      // the stream had been open for a while, Ctrl-C left the feed (and the demo) waiting.
      for await (const message of parseSse(body, options.signal)) {
        if (message.id !== undefined) lastId = message.id;
        const event = parseEvent(message.data);
        if (event) options.write(formatEvent(event));
      }
    } catch {
      // The stream dropped (gateway restarting or stopping): try again below.
    }
    try {
      await options.clock.sleep(options.retryMs ?? 3000, options.signal);
    } catch {
      return;
    }
  }
}
