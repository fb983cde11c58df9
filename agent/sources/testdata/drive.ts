/**
 * What `drive.nmea` holds, epoch by epoch, written from its description (not
 * parsed from it), so tests can check a reader against the log.
 */

/** One second of the drive. */
export interface DriveEpoch {
  time: string;
  fix: boolean;
  lat: number;
  lon: number;
  /** Height above the ellipsoid: 545.4 + i m above sea level plus the 46.9 m geoid separation. */
  alt_m: number;
  speed_mps: number;
  track_deg: number;
}

/** The drive's NMEA log, CRLF line ends, comment lines first (gpsfake skips them). */
export const DRIVE_LOG = new URL("./drive.nmea", import.meta.url);

/** 19.4 knots. */
const SPEED_MPS = 19.4 * 1852 / 3600;

/** The 13 epochs; 10:00:05 to 10:00:08 have no fix. */
export const DRIVE: readonly DriveEpoch[] = Array.from({ length: 13 }, (_, i) => ({
  time: `2024-05-14T10:00:${String(i).padStart(2, "0")}.000Z`,
  fix: i < 5 || i > 8,
  lat: 48.1173 + 0.0001 * i,
  lon: 11.5221 + 0.00015 * i,
  alt_m: 545.4 + i + 46.9,
  speed_mps: SPEED_MPS,
  track_deg: 45,
}));

/** The epoch at `time`, or undefined for a time the drive does not have. */
export function driveEpochAt(time: string): DriveEpoch | undefined {
  return DRIVE.find((epoch) => Date.parse(epoch.time) === Date.parse(time));
}

/** The sentences of the log, without comments and line ends. */
export async function driveSentences(): Promise<string[]> {
  const text = await Deno.readTextFile(DRIVE_LOG);
  return text.split("\r\n").filter((line) => line.startsWith("$"));
}
