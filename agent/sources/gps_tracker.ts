/**
 * The latest fix and satellite counts of one source, with their age: every
 * source feeds one, so the rules live once. A fix older than `staleAfterMs`
 * reads as mode 0 (unknown); a fix without a fix mode never has a position.
 */
import type { Clock } from "../../lib/clock.ts";
import type { GpsFix } from "./gps.ts";

/** Satellites a receiver reports; either count may be unknown. */
export interface SatelliteCounts {
  used?: number;
  seen?: number;
}

/** Options for {@linkcode GpsFixTracker}. */
export interface GpsFixTrackerOptions {
  clock: Clock;
  /** A fix or satellite count older than this is no longer reported. @default 5000 */
  staleAfterMs?: number;
}

const POSITION_FIELDS = [
  "lat",
  "lon",
  "alt_m",
  "speed_mps",
  "track_deg",
  "eph_m",
  "epv_m",
] as const;

const finiteIn = (value: number | undefined, low: number, high: number): value is number =>
  value !== undefined && Number.isFinite(value) && value >= low && value <= high;

/**
 * A fix the agent may report: out-of-range or non-finite fields dropped, no
 * position without a 2D/3D fix, no altitude without a 3D one. A receiver's
 * placeholder 0,0 counts as no fix.
 */
export function sanitizeFix(fix: GpsFix): GpsFix {
  const out: GpsFix = { mode: fix.mode };
  if (fix.time !== undefined && Number.isFinite(Date.parse(fix.time))) out.time = fix.time;
  const checks: Record<(typeof POSITION_FIELDS)[number], [number, number]> = {
    lat: [-90, 90],
    lon: [-180, 180],
    alt_m: [-100_000, 1_000_000],
    speed_mps: [0, 100_000],
    track_deg: [0, 360],
    eph_m: [0, 1e7],
    epv_m: [0, 1e7],
  };
  if (fix.mode >= 2) {
    for (const field of POSITION_FIELDS) {
      const [low, high] = checks[field];
      const value = fix[field];
      if (finiteIn(value, low, high)) out[field] = value;
    }
  }
  if (out.lat === undefined || out.lon === undefined || (out.lat === 0 && out.lon === 0)) {
    for (const field of ["lat", "lon", "alt_m", "speed_mps", "track_deg"] as const) {
      delete out[field];
    }
    if (fix.lat === 0 && fix.lon === 0 && out.mode >= 2) out.mode = 1;
  }
  if (out.mode !== 3) {
    delete out.alt_m;
    delete out.epv_m;
  }
  return out;
}

/** The latest fix and satellite counts of one source; see the module comment. */
export class GpsFixTracker {
  readonly #clock: Clock;
  readonly #staleAfterMs: number;
  #fix: GpsFix | null = null;
  #fixAt: number | null = null;
  #satellites: SatelliteCounts = {};
  #satellitesAt: number | null = null;

  constructor(options: GpsFixTrackerOptions) {
    this.#clock = options.clock;
    this.#staleAfterMs = options.staleAfterMs ?? 5000;
  }

  /** Records a new fix (satellite fields in it are ignored); returns it as {@linkcode latest} will. */
  update(fix: GpsFix): GpsFix {
    const { satellites_used: _used, satellites_seen: _seen, ...rest } = fix;
    this.#fix = sanitizeFix(rest);
    this.#fixAt = this.#clock.now();
    return this.latest()!;
  }

  /** Records satellite counts; a count left out keeps its previous value. */
  satellites(counts: SatelliteCounts): void {
    const valid = (n: number | undefined): n is number =>
      n !== undefined && Number.isInteger(n) && n >= 0;
    if (!this.#fresh(this.#satellitesAt)) this.#satellites = {};
    if (valid(counts.used)) this.#satellites.used = counts.used;
    if (valid(counts.seen)) this.#satellites.seen = counts.seen;
    this.#satellitesAt = this.#clock.now();
  }

  /** The latest fix; `{ mode: 0 }` once it is stale; null before the first. */
  latest(): GpsFix | null {
    if (this.#fix === null) return null;
    const fix: GpsFix = this.#fresh(this.#fixAt) ? { ...this.#fix } : { mode: 0 };
    if (this.#fresh(this.#satellitesAt)) {
      if (this.#satellites.used !== undefined) fix.satellites_used = this.#satellites.used;
      if (this.#satellites.seen !== undefined) fix.satellites_seen = this.#satellites.seen;
    }
    return fix;
  }

  /** Local clock ms at which the latest fix arrived; null before the first. */
  fixAtLocalMs(): number | null {
    return this.#fixAt;
  }

  #fresh(at: number | null): boolean {
    if (at === null) return false;
    const age = this.#clock.now() - at;
    // A clock stepped backwards makes everything stale until the next fix, never fresh forever.
    return age >= 0 && age <= this.#staleAfterMs;
  }
}
