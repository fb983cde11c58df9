/**
 * A {@linkcode TelemetryBuffer} over lib/uplink's in-memory
 * TelemetrySender (the demo's nodes use it): batches with an epoch and
 * `batch_seq`, sent with backoff until acknowledged, but lost when the agent
 * stops. The agent uses it until the durable SQLite buffer (agent/buffer/)
 * is wired in its place.
 */
import type { GatewayClient } from "../lib/api_client.ts";
import { type FlushResult, TelemetrySender } from "../lib/uplink/telemetry_sender.ts";
import { MAX_BATCH_SAMPLES } from "../lib/schemas/telemetry.ts";
import type { StampedSample, TelemetryBuffer } from "./ports.ts";

/** Options for {@linkcode uplinkBuffer}. */
export interface UplinkBufferOptions {
  /** The gateway it sends to; fixed for the buffer's life. */
  baseUrl: string;
  /** The node's agent token. */
  token: string;
  nodeId: string;
}

/** An in-memory buffer for one node (see the module comment); a new epoch each run. */
export function uplinkBuffer(options: UplinkBufferOptions): TelemetryBuffer {
  const sender = new TelemetrySender({ ...options, epoch: `agent-${crypto.randomUUID()}` });
  return {
    add(samples: readonly StampedSample[]) {
      sender.add(samples);
      return Promise.resolve();
    },
    // The sender keeps its own client for `options.baseUrl`.
    deliver: (_client: GatewayClient): Promise<FlushResult> => sender.flush(),
    stats: () => ({
      samples: sender.buffered,
      batches: Math.ceil(sender.buffered / MAX_BATCH_SAMPLES),
      // Kept in memory: nothing is written.
      bytes: 0,
      dropped: sender.dropped,
    }),
    close() {},
  };
}
