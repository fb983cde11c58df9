import type { GatewayClient } from "../../lib/api_client.ts";
import type { StampedSample, TelemetryBuffer } from "../ports.ts";

/**
 * An in-memory {@linkcode TelemetryBuffer} for the cycle's tests: it keeps
 * what it was given with its clock mark, and "delivers" by recording the
 * client and emptying itself. `addGate`, when set, holds each `add` until
 * it resolves (a slow disk).
 */
export class RecordingBuffer implements TelemetryBuffer {
  /** Every `add`, in order. */
  readonly adds: { samples: StampedSample[]; synced: boolean }[] = [];
  /** The client of every `deliver`, in order. */
  readonly deliveries: GatewayClient[] = [];
  addGate: Promise<void> | null = null;
  #pending = 0;

  async add(samples: readonly StampedSample[], clock: { synced: boolean }): Promise<void> {
    if (this.addGate) await this.addGate;
    this.adds.push({ samples: [...samples], synced: clock.synced });
    this.#pending += samples.length;
  }

  deliver(client: GatewayClient): Promise<{ delivered: number }> {
    this.deliveries.push(client);
    const delivered = this.#pending;
    this.#pending = 0;
    return Promise.resolve({ delivered });
  }

  stats() {
    return { samples: this.#pending, batches: this.#pending > 0 ? 1 : 0, bytes: 0, dropped: 0 };
  }

  close(): void {}

  /** Every sample given so far. */
  samples(): StampedSample[] {
    return this.adds.flatMap((a) => a.samples);
  }
}
