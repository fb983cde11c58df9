/**
 * The interfaces of AGENT-DESIGN.md that the agent's cycle codes against
 * and other parts implement: the durable telemetry buffer
 * (`agent/buffer/`) and the clock sync (`agent/clock_sync.ts`). They are
 * declared here, as the cycle uses them, so the cycle builds and is tested
 * on its own; the implementations satisfy them structurally.
 */
import type { GatewayClient } from "../lib/api_client.ts";
import type { Reading } from "./collectors/collector.ts";

/** A reading stamped in gateway time (ms since the epoch): a `Sample` of lib/schemas/telemetry.ts. */
export interface StampedSample extends Reading {
  ts: number;
}

/** Where samples wait until the gateway has them. */
export interface TelemetryBuffer {
  /** Keeps `samples` durably (one transaction), marked with the clock state they were stamped in. */
  add(samples: readonly StampedSample[], clock: { synced: boolean }): Promise<void>;
  /**
   * Sends the oldest batches until empty or the gateway is unreachable
   * (epoch/batch_seq persisted). The result is the buffer's own report; the
   * cycle only logs it.
   */
  deliver(client: GatewayClient, signal: AbortSignal): Promise<unknown>;
  stats(): { samples: number; batches: number; bytes: number; dropped: number };
  close(): void;
}

/** The node's offset from the gateway's clock, the network's time authority. */
export interface ClockSync {
  /** Records the gateway's clock from an answer (`gateway_time_ms`) at the local send/receive times. */
  observe(gatewayTimeMs: number, sentAtMs: number, receivedAtMs: number): void;
  /** Records GPS time (a fix with time). */
  observeGps(gpsTimeMs: number, atLocalMs: number): void;
  /** Now in gateway time, and whether it is synced. */
  now(): { ms: number; synced: boolean };
  offsetMs(): number | null;
}
