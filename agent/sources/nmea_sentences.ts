/**
 * NMEA 0183 sentences a GPS receiver sends: `$` + address + fields + `*` +
 * two hex digits, the XOR of every byte between `$` and `*`. Parses GGA, RMC,
 * GSA, GSV and GST; any other well-formed sentence comes back as `other`.
 * Everything else throws {@linkcode NmeaParseError} naming the field.
 */

/** Why a line is not a usable sentence. */
export type NmeaProblem = "framing" | "checksum" | "field";

/** A line that is not a well-formed sentence, or a field that does not parse. */
export class NmeaParseError extends Error {
  override name = "NmeaParseError";
  constructor(readonly problem: NmeaProblem, message: string) {
    super(message);
  }
}

/** A calendar date (UTC). */
export interface NmeaDate {
  year: number;
  month: number;
  day: number;
}

/** `GGA`: fix data. Quality 0 is no fix; altitude is above mean sea level. */
export interface NmeaGga {
  type: "GGA";
  talker: string;
  timeOfDayMs?: number;
  lat?: number;
  lon?: number;
  quality: number;
  satellitesUsed?: number;
  hdop?: number;
  altitudeMslM?: number;
  geoidSeparationM?: number;
}

/** `RMC`: recommended minimum. Status `V` (or FAA mode `N`) is no fix. */
export interface NmeaRmc {
  type: "RMC";
  talker: string;
  timeOfDayMs?: number;
  status: "A" | "V";
  lat?: number;
  lon?: number;
  speedKnots?: number;
  trackDeg?: number;
  date?: NmeaDate;
  /** FAA mode indicator (NMEA 2.3+): A autonomous, D differential, E estimated, N not valid… */
  faaMode?: string;
}

/** `GSA`: fix mode (1 none, 2 2D, 3 3D), satellites used and DOPs. */
export interface NmeaGsa {
  type: "GSA";
  talker: string;
  mode: 1 | 2 | 3;
  satellitesUsed: number[];
  pdop?: number;
  hdop?: number;
  vdop?: number;
}

/** `GSV`: one of several sentences listing the satellites in view. */
export interface NmeaGsv {
  type: "GSV";
  talker: string;
  messages: number;
  messageNumber: number;
  satellitesInView: number;
}

/** `GST`: position error statistics (1 sigma, metres). */
export interface NmeaGst {
  type: "GST";
  talker: string;
  timeOfDayMs?: number;
  latErrorM?: number;
  lonErrorM?: number;
  altErrorM?: number;
}

/** A well-formed sentence of a type the agent does not read (VTG, GLL, TXT, proprietary…). */
export interface NmeaOther {
  type: "other";
  address: string;
}

export type NmeaSentence = NmeaGga | NmeaRmc | NmeaGsa | NmeaGsv | NmeaGst | NmeaOther;

/** The checksum of a sentence body (the text between `$` and `*`), as two uppercase hex digits. */
export function nmeaChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum.toString(16).toUpperCase().padStart(2, "0");
}

/** Printable ASCII without the delimiters `$` and `*`. */
const BODY = /^[\x20-\x23\x25-\x29\x2b-\x7e]*$/;

/**
 * Parses one line (without its line end).
 *
 * @throws {NmeaParseError} when the framing or checksum is wrong or a field does not parse
 * @example
 * ```ts
 * parseNmeaSentence("$GPGGA,123519,4807.038,N,01131.324,E,1,08,0.9,545.4,M,46.9,M,,*42");
 * // { type: "GGA", lat: 48.1173, lon: 11.522066…, quality: 1, altitudeMslM: 545.4, … }
 * ```
 */
export function parseNmeaSentence(line: string): NmeaSentence {
  const star = line.lastIndexOf("*");
  if (!line.startsWith("$") || star < 0 || star !== line.length - 3) {
    throw new NmeaParseError("framing", `Not an NMEA sentence ($…*hh): ${preview(line)}`);
  }
  const body = line.slice(1, star);
  const given = line.slice(star + 1).toUpperCase();
  if (!BODY.test(body) || !/^[0-9A-F]{2}$/.test(given)) {
    throw new NmeaParseError("framing", `Not an NMEA sentence ($…*hh): ${preview(line)}`);
  }
  const computed = nmeaChecksum(body);
  if (computed !== given) {
    throw new NmeaParseError(
      "checksum",
      `NMEA checksum ${given} does not match ${computed}: ${preview(line)}`,
    );
  }
  const fields = body.split(",");
  const address = fields[0]!;
  if (!/^[A-Z][A-Z0-9]{1,9}$/.test(address)) {
    throw new NmeaParseError(
      "framing",
      `NMEA address "${preview(address)}" is not a sentence type`,
    );
  }
  if (address.startsWith("P") || address.length !== 5) return { type: "other", address };
  const reader = new Fields(address, fields);
  const talker = address.slice(0, 2);
  switch (address.slice(2)) {
    case "GGA":
      return parseGga(talker, reader);
    case "RMC":
      return parseRmc(talker, reader);
    case "GSA":
      return parseGsa(talker, reader);
    case "GSV":
      return parseGsv(talker, reader);
    case "GST":
      return parseGst(talker, reader);
    default:
      return { type: "other", address };
  }
}

function parseGga(talker: string, f: Fields): NmeaGga {
  f.atLeast(10);
  const sentence: NmeaGga = { type: "GGA", talker, quality: f.integer(6, "fix quality", 0, 9)! };
  assign(sentence, "timeOfDayMs", f.time(1));
  assign(sentence, "lat", f.coordinate(2, "lat"));
  assign(sentence, "lon", f.coordinate(4, "lon"));
  assign(sentence, "satellitesUsed", f.integer(7, "satellites used", 0, 99));
  assign(sentence, "hdop", f.number(8, "HDOP"));
  assign(sentence, "altitudeMslM", f.number(9, "altitude"));
  assign(sentence, "geoidSeparationM", f.number(11, "geoid separation"));
  return sentence;
}

function parseRmc(talker: string, f: Fields): NmeaRmc {
  f.atLeast(10);
  const status = f.text(2);
  if (status !== "A" && status !== "V") f.fail(2, "status", "expected A (valid) or V (void)");
  const sentence: NmeaRmc = { type: "RMC", talker, status: status as "A" | "V" };
  assign(sentence, "timeOfDayMs", f.time(1));
  assign(sentence, "lat", f.coordinate(3, "lat"));
  assign(sentence, "lon", f.coordinate(5, "lon"));
  assign(sentence, "speedKnots", f.number(7, "speed", 0));
  assign(sentence, "trackDeg", f.number(8, "track", 0, 360));
  assign(sentence, "date", f.date(9));
  const mode = f.text(12);
  if (mode !== "") sentence.faaMode = mode;
  return sentence;
}

function parseGsa(talker: string, f: Fields): NmeaGsa {
  f.atLeast(18);
  const mode = f.integer(2, "fix mode", 1, 3);
  if (mode === undefined) f.fail(2, "fix mode", "expected 1, 2 or 3");
  const satellitesUsed: number[] = [];
  for (let i = 3; i <= 14; i++) {
    const prn = f.integer(i, "satellite", 1, 999);
    if (prn !== undefined) satellitesUsed.push(prn);
  }
  const sentence: NmeaGsa = { type: "GSA", talker, mode: mode as 1 | 2 | 3, satellitesUsed };
  assign(sentence, "pdop", f.number(15, "PDOP", 0));
  assign(sentence, "hdop", f.number(16, "HDOP", 0));
  assign(sentence, "vdop", f.number(17, "VDOP", 0));
  return sentence;
}

function parseGsv(talker: string, f: Fields): NmeaGsv {
  f.atLeast(4);
  const messages = f.required(f.integer(1, "number of messages", 1, 99), 1, "number of messages");
  const messageNumber = f.required(
    f.integer(2, "message number", 1, messages),
    2,
    "message number",
  );
  const satellitesInView = f.required(f.integer(3, "satellites in view", 0, 999), 3, "in view");
  return { type: "GSV", talker, messages, messageNumber, satellitesInView };
}

function parseGst(talker: string, f: Fields): NmeaGst {
  f.atLeast(9);
  const sentence: NmeaGst = { type: "GST", talker };
  assign(sentence, "timeOfDayMs", f.time(1));
  assign(sentence, "latErrorM", f.number(6, "latitude error", 0));
  assign(sentence, "lonErrorM", f.number(7, "longitude error", 0));
  assign(sentence, "altErrorM", f.number(8, "altitude error", 0));
  return sentence;
}

/** Sets an optional property only when the value is known (`exactOptionalPropertyTypes`). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) {
  if (value !== undefined) target[key] = value;
}

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const COORDINATE = {
  lat: {
    pattern: /^(\d{2})(\d{2}(?:\.\d+)?)$/,
    max: 90,
    hemispheres: ["N", "S"],
    form: "ddmm.mmmm",
  },
  lon: {
    pattern: /^(\d{3})(\d{2}(?:\.\d+)?)$/,
    max: 180,
    hemispheres: ["E", "W"],
    form: "dddmm.mmmm",
  },
} as const;

/**
 * Degrees from NMEA's `ddmm.mmmm` (latitude) or `dddmm.mmmm` (longitude) and
 * its hemisphere letter: dd + mm/60, negative for S and W.
 *
 * @throws {RangeError} naming what is wrong
 */
export function nmeaCoordinate(value: string, hemisphere: string, axis: "lat" | "lon"): number {
  const rule = COORDINATE[axis];
  const match = rule.pattern.exec(value);
  if (!match) throw new RangeError(`"${value}" is not ${rule.form}`);
  const degrees = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes >= 60) throw new RangeError(`"${value}" has ${minutes} minutes (at most 59.999…)`);
  const result = degrees + minutes / 60;
  if (result > rule.max) throw new RangeError(`"${value}" is beyond ${rule.max}°`);
  const sign = (rule.hemispheres as readonly string[]).indexOf(hemisphere);
  if (sign < 0) {
    throw new RangeError(`hemisphere "${hemisphere}" is not ${rule.hemispheres.join(" or ")}`);
  }
  return sign === 0 ? result : -result;
}

/** The fields of one sentence, read with errors that name the sentence, field and value. */
class Fields {
  constructor(readonly address: string, readonly fields: string[]) {}

  fail(index: number, name: string, expected: string): never {
    const value = this.fields[index] ?? "";
    throw new NmeaParseError(
      "field",
      `${this.address} field ${index} (${name}) "${preview(value)}": ${expected}`,
    );
  }

  atLeast(count: number): void {
    if (this.fields.length < count) {
      throw new NmeaParseError(
        "field",
        `${this.address} has ${this.fields.length - 1} fields; expected at least ${count - 1}`,
      );
    }
  }

  text(index: number): string {
    return this.fields[index] ?? "";
  }

  required<T>(value: T | undefined, index: number, name: string): T {
    return value === undefined ? this.fail(index, name, "must not be empty") : value;
  }

  number(index: number, name: string, min = -Infinity, max = Infinity): number | undefined {
    const text = this.text(index);
    if (text === "") return undefined;
    const value = Number(text);
    if (!DECIMAL.test(text) || value < min || value > max) {
      this.fail(index, name, `expected a number${range(min, max)}`);
    }
    return value;
  }

  integer(index: number, name: string, min: number, max: number): number | undefined {
    const text = this.text(index);
    if (text === "") return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      this.fail(index, name, `expected a whole number${range(min, max)}`);
    }
    return value;
  }

  /** `hhmmss` or `hhmmss.sss` as milliseconds since midnight UTC. */
  time(index: number): number | undefined {
    const text = this.text(index);
    if (text === "") return undefined;
    const match = /^(\d{2})(\d{2})(\d{2})(\.\d{1,6})?$/.exec(text);
    const [h, m, s] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [99, 0, 0];
    // Second 60 is a leap second.
    if (h > 23 || m > 59 || s > 60) this.fail(index, "time", "expected hhmmss.ss (UTC)");
    const fraction = match![4] ? Math.round(Number(match![4]) * 1000) : 0;
    return ((h * 60 + m) * 60 + s) * 1000 + fraction;
  }

  /** `ddmmyy`; years 80-99 are 1980-1999 (GPS began in 1980), 00-79 are 2000-2079. */
  date(index: number): NmeaDate | undefined {
    const text = this.text(index);
    if (text === "") return undefined;
    const match = /^(\d{2})(\d{2})(\d{2})$/.exec(text);
    if (!match) this.fail(index, "date", "expected ddmmyy");
    const [day, month, yy] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const year = yy >= 80 ? 1900 + yy : 2000 + yy;
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
      this.fail(index, "date", "no such day");
    }
    return { year, month, day };
  }

  /** A coordinate and the hemisphere after it; both empty is no position. */
  coordinate(index: number, axis: "lat" | "lon"): number | undefined {
    const value = this.text(index);
    const hemisphere = this.text(index + 1);
    if (value === "" && hemisphere === "") return undefined;
    try {
      return nmeaCoordinate(value, hemisphere, axis);
    } catch (error) {
      return this.fail(index, axis === "lat" ? "latitude" : "longitude", (error as Error).message);
    }
  }
}

function range(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return "";
  if (max === Infinity) return ` ≥ ${min}`;
  return ` from ${min} to ${max}`;
}

/** A line as it may appear in an error: printable, and short. */
function preview(text: string): string {
  const shown = text.replace(/[^\x20-\x7e]/g, "?");
  return shown.length > 100 ? `${shown.slice(0, 100)}…` : shown;
}
