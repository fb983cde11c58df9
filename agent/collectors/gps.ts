/**
 * The `gps` collector: the latest fix of a {@linkcode GpsSource} (gpsd, a
 * serial NMEA receiver or the simulator) as readings, only the fields the fix
 * has. Without a fix it reports `gps.mode` alone (0 unknown, 1 no fix), never
 * a position; a node whose source has never had data reports nothing.
 *
 * It also hands GPS time to clock sync: after each collection the agent calls
 * `clockSync.observeGps(t.gpsTimeMs, t.atLocalMs)` with `t = collector.gpsTime()`
 * when that is not null (a 2D/3D fix with a time, not stale).
 */
import { type Clock, systemClock } from "../../lib/clock.ts";
import { fixTimeMs, type GpsFix, type GpsSource, type TimedGpsSource } from "../sources/gps.ts";
import type { Unit } from "../../lib/schemas/telemetry.ts";
import type { Collection, Collector, Reading } from "./collector.ts";

/** The readings one fix gives, in catalogue order. */
export function gpsReadings(fix: GpsFix | null): Reading[] {
  if (fix === null) return [];
  const readings: Reading[] = [{ metric: "gps.mode", value: fix.mode }];
  const add = (metric: string, value: number | undefined, unit: Unit) => {
    if (value !== undefined) readings.push({ metric, value, unit });
  };
  add("gps.lat", fix.lat, "deg");
  add("gps.lon", fix.lon, "deg");
  add("gps.alt", fix.alt_m, "m");
  add("gps.speed", fix.speed_mps, "m/s");
  add("gps.track", fix.track_deg, "deg");
  add("gps.eph", fix.eph_m, "m");
  add("gps.epv", fix.epv_m, "m");
  add("gps.satellites_used", fix.satellites_used, "count");
  add("gps.satellites_seen", fix.satellites_seen, "count");
  return readings;
}

/** GPS time and the local clock time it was true at: `ClockSync.observeGps`'s arguments. */
export interface GpsTime {
  gpsTimeMs: number;
  atLocalMs: number;
}

/** Reads a {@linkcode GpsSource} each round. */
export class GpsCollector implements Collector {
  readonly name = "gps";
  readonly #source: GpsSource;
  readonly #clock: Clock;

  /** @param options.clock the local clock, for sources that do not say when a fix arrived */
  constructor(source: GpsSource, options: { clock?: Clock } = {}) {
    this.#source = source;
    this.#clock = options.clock ?? systemClock;
  }

  collect(_signal: AbortSignal): Promise<Collection> {
    return Promise.resolve({ readings: gpsReadings(this.#source.latest()) });
  }

  /** The latest fix's GPS time in epoch ms; null without a current 2D/3D fix with a time. */
  timeMs(): number | null {
    return fixTimeMs(this.#source.latest());
  }

  /** {@linkcode timeMs} with the local time the fix arrived at, for clock sync. */
  gpsTime(): GpsTime | null {
    const gpsTimeMs = this.timeMs();
    if (gpsTimeMs === null) return null;
    const timed = this.#source as Partial<TimedGpsSource>;
    const atLocalMs = typeof timed.fixAtLocalMs === "function" ? timed.fixAtLocalMs() : null;
    return { gpsTimeMs, atLocalMs: atLocalMs ?? this.#clock.now() };
  }
}
