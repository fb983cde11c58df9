import type { Clock } from "../lib/clock.ts";
import type { ClockSync } from "./ports.ts";

/**
 * A {@linkcode ClockSync} that takes the gateway's clock at the midpoint of
 * the last exchange, and GPS time only until the gateway has answered once.
 * The smallest one that keeps the cycle's stamps in gateway time; the
 * buffer's clock sync (agent/clock_sync.ts) replaces it.
 */
export class MidpointClockSync implements ClockSync {
  readonly #clock: Clock;
  #offset: number | null = null;
  #fromGateway = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  observe(gatewayTimeMs: number, sentAtMs: number, receivedAtMs: number): void {
    this.#offset = Math.round(gatewayTimeMs - (sentAtMs + receivedAtMs) / 2);
    this.#fromGateway = true;
  }

  observeGps(gpsTimeMs: number, atLocalMs: number): void {
    if (!this.#fromGateway) this.#offset = gpsTimeMs - atLocalMs;
  }

  now(): { ms: number; synced: boolean } {
    return { ms: this.#clock.now() + (this.#offset ?? 0), synced: this.#offset !== null };
  }

  offsetMs(): number | null {
    return this.#offset;
  }
}
