/**
 * What every GPS source gives the agent: the latest fix. The gpsd client
 * (gpsd.ts), the NMEA serial reader (nmea.ts) and the simulator
 * (gps_simulated.ts) implement {@linkcode GpsSource}; the gps collector reads it.
 *
 * A missing field means unknown, never zero: without a fix (`mode` 0 or 1) a
 * fix has no position, so no node is ever placed at 0,0.
 */

/**
 * One fix, as gpsd's TPV reports it. `mode`: 0 unknown (no data), 1 no fix,
 * 2 2D fix, 3 3D fix. `time` is the receiver's UTC time (ISO 8601); `alt_m`
 * is the height above the WGS84 ellipsoid (gpsd's `altHAE`).
 */
export interface GpsFix {
  mode: 0 | 1 | 2 | 3;
  time?: string;
  lat?: number;
  lon?: number;
  alt_m?: number;
  speed_mps?: number;
  track_deg?: number;
  eph_m?: number;
  epv_m?: number;
  satellites_used?: number;
  satellites_seen?: number;
}

/** A source of fixes: the gpsd client, the NMEA reader or the simulator. */
export interface GpsSource {
  /** The latest fix; null while the source has never had one (no receiver, no gpsd). */
  latest(): GpsFix | null;
  close(): void;
}

/**
 * A source that also knows when its latest fix arrived on the local clock,
 * which clock sync needs to use GPS time (all sources here are such).
 */
export interface TimedGpsSource extends GpsSource {
  /** Local clock ms at which the latest fix arrived; null without one. */
  fixAtLocalMs(): number | null;
}

/** Whether a fix places the node: a 2D or 3D fix with both coordinates. */
export function hasPosition(fix: GpsFix | null): fix is GpsFix & { lat: number; lon: number } {
  return fix !== null && fix.mode >= 2 && fix.lat !== undefined && fix.lon !== undefined;
}

/** The fix's time in epoch ms when it is a real fix (mode 2 or 3) with a valid time, else null. */
export function fixTimeMs(fix: GpsFix | null): number | null {
  if (fix === null || fix.mode < 2 || fix.time === undefined) return null;
  const ms = Date.parse(fix.time);
  return Number.isFinite(ms) ? ms : null;
}
