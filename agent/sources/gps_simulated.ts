/**
 * A simulated GPS receiver for the demo and tests, behind the same
 * {@linkcode GpsSource} as gpsd and the NMEA reader: a fixed position, or one
 * that moves at a constant speed and heading, with optional scatter, and time
 * from a clock of its own (satellites tell true time even when the node's
 * clock is wrong). The network plan has no positions, so they come from the
 * options; {@linkcode spreadAround} places a plan's devices near one site.
 */
import { type Clock, systemClock } from "../../lib/clock.ts";
import { type Random, seededRandom } from "../../lib/sim/random.ts";
import type { GpsFix, TimedGpsSource } from "./gps.ts";
import { sanitizeFix } from "./gps_tracker.ts";

/** A place on the WGS84 ellipsoid. */
export interface GeoPosition {
  lat: number;
  lon: number;
  /** Height above the ellipsoid. */
  alt_m?: number;
}

/** Options for {@linkcode SimulatedGpsSource}. */
export interface SimulatedGpsOptions {
  /** Where the receiver is when the source is made. */
  position: GeoPosition;
  /** Constant movement from `position`. @default standing still */
  motion?: { speed_mps: number; track_deg: number };
  /** The node's clock: when fixes arrive. @default systemClock */
  clock?: Clock;
  /** The time the satellites tell. @default the node's clock */
  utc?: Clock;
  /** Scatter of reported positions, metres (1 sigma-ish, uniform). @default 0 */
  jitterM?: number;
  /** @default Math.random */
  random?: Random;
  /** @default { used: 9, seen: 14 } */
  satellites?: { used: number; seen: number };
  /** A receiver that never gets a fix (indoors): mode 1, no position. @default false */
  noFix?: boolean;
}

/** Mean Earth radius, metres: plenty for positions a few kilometres apart. */
const EARTH_RADIUS_M = 6_371_000;
const RAD = Math.PI / 180;

/** `position` moved `northM` metres north and `eastM` east (flat-Earth approximation). */
export function offsetPosition(position: GeoPosition, northM: number, eastM: number): GeoPosition {
  const lat = position.lat + northM / EARTH_RADIUS_M / RAD;
  const lon = position.lon + eastM / (EARTH_RADIUS_M * Math.cos(position.lat * RAD)) / RAD;
  return { ...position, lat, lon: lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon };
}

/**
 * A stable position within `radiusM` of `site` for the device `key`: the same
 * key always lands in the same place, so a demo node keeps its position.
 */
export function spreadAround(site: GeoPosition, key: string, radiusM: number): GeoPosition {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  const random = seededRandom(hash >>> 0);
  const distance = radiusM * Math.sqrt(random());
  const bearing = 2 * Math.PI * random();
  return offsetPosition(site, distance * Math.cos(bearing), distance * Math.sin(bearing));
}

/** A simulated receiver; see the module comment. */
export class SimulatedGpsSource implements TimedGpsSource {
  readonly #options: SimulatedGpsOptions;
  readonly #clock: Clock;
  readonly #utc: Clock;
  readonly #random: Random;
  readonly #startedAt: number;
  #closed = false;

  /** @throws {RangeError} for a position off the globe */
  constructor(options: SimulatedGpsOptions) {
    const { lat, lon } = options.position;
    if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) {
      throw new RangeError(`Simulated GPS position ${lat},${lon} is off the globe`);
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#utc = options.utc ?? this.#clock;
    this.#random = options.random ?? Math.random;
    this.#startedAt = this.#clock.now();
  }

  latest(): GpsFix | null {
    if (this.#closed) return null;
    const time = new Date(this.#utc.now()).toISOString();
    const { used, seen } = this.#options.satellites ?? { used: 9, seen: 14 };
    if (this.#options.noFix) return { mode: 1, time, satellites_used: 0, satellites_seen: seen };
    const here = this.#positionNow();
    const fix: GpsFix = {
      mode: here.alt_m === undefined ? 2 : 3,
      time,
      lat: here.lat,
      lon: here.lon,
    };
    if (here.alt_m !== undefined) fix.alt_m = here.alt_m;
    const motion = this.#options.motion;
    fix.speed_mps = motion?.speed_mps ?? 0;
    if (motion) fix.track_deg = motion.track_deg;
    const jitter = this.#options.jitterM ?? 0;
    fix.eph_m = Math.max(2, 2 * jitter);
    if (fix.mode === 3) fix.epv_m = Math.max(3, 3 * jitter);
    return { ...sanitizeFix(fix), satellites_used: used, satellites_seen: seen };
  }

  fixAtLocalMs(): number | null {
    return this.#closed ? null : this.#clock.now();
  }

  close(): void {
    this.#closed = true;
  }

  #positionNow(): GeoPosition {
    const { position, motion } = this.#options;
    const travelled = motion ? motion.speed_mps * (this.#clock.now() - this.#startedAt) / 1000 : 0;
    const track = (motion?.track_deg ?? 0) * RAD;
    const jitter = this.#options.jitterM ?? 0;
    const scatter = () => jitter * (2 * this.#random() - 1);
    const north = travelled * Math.cos(track) + scatter();
    const east = travelled * Math.sin(track) + scatter();
    const moved = offsetPosition(position, north, east);
    // Past a pole the approximation breaks down; a simulation never drives that far.
    return { ...moved, lat: Math.max(-90, Math.min(90, moved.lat)) };
  }
}
