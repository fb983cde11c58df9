/**
 * An NMEA 0183 reader for a serial GPS receiver on a node without gpsd: it
 * opens the port (serial_port.ts), splits the bytes into sentences, checks
 * each checksum and builds fixes from GGA, RMC, GSA, GSV and GST. A bad
 * sentence is counted by its problem and never stops the reader; a port that
 * fails or ends is opened again with backoff.
 *
 * One receiver epoch (one time of day) is one fix: GGA gives position,
 * quality and altitude, RMC validity, date, speed and track, GSA 2D or 3D,
 * GST the errors, GSV the satellites in view. No fix (GGA quality 0, RMC
 * status V) is a fix of mode 1 without a position.
 */
import { type Clock, systemClock } from "../../lib/clock.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import type { GpsFix, TimedGpsSource } from "./gps.ts";
import { GpsFixTracker } from "./gps_tracker.ts";
import {
  type NmeaDate,
  type NmeaGga,
  type NmeaGst,
  NmeaParseError,
  type NmeaProblem,
  type NmeaRmc,
  type NmeaSentence,
  parseNmeaSentence,
} from "./nmea_sentences.ts";
import { openSerialPort, type SerialPort } from "./serial_port.ts";
import { LineSplitter } from "./_lines.ts";
import { reconnectLoop } from "./_reconnect.ts";

/** Metres per second in one knot (1852 m per hour). */
const MPS_PER_KNOT = 1852 / 3600;
const DAY_MS = 86_400_000;
/** NMEA allows 82 characters; receivers' proprietary sentences run longer. */
const MAX_LINE_CHARS = 512;

/** One epoch's sentences so far. */
interface Epoch {
  timeOfDayMs: number | undefined;
  gga?: NmeaGga;
  rmc?: NmeaRmc;
  gst?: NmeaGst;
}

/**
 * Turns a receiver's sentences into fixes. Pure apart from the tracker it
 * feeds, which stamps each fix with the local clock.
 */
export class NmeaFixAssembler {
  readonly #tracker: GpsFixTracker;
  #epoch: Epoch = { timeOfDayMs: undefined };
  /** The last RMC date and the time of day it came with, to date GGA-only epochs. */
  #date: { date: NmeaDate; timeOfDayMs: number } | null = null;
  /** Fix mode of the latest GSA; it carries no time, so it holds until the next. */
  #gsaMode: 1 | 2 | 3 | null = null;
  /** Satellites in view by talker (GP, GL, GA, GB…), from each system's GSV. */
  readonly #inView = new Map<string, number>();

  constructor(tracker: GpsFixTracker) {
    this.#tracker = tracker;
  }

  /** Takes one sentence; returns the fix it completed or changed, else null. */
  push(sentence: NmeaSentence): GpsFix | null {
    switch (sentence.type) {
      case "GGA":
        this.#enterEpoch(sentence.timeOfDayMs);
        this.#epoch.gga = sentence;
        if (sentence.satellitesUsed !== undefined) {
          this.#tracker.satellites({ used: sentence.satellitesUsed });
        }
        return this.#publish();
      case "RMC":
        this.#enterEpoch(sentence.timeOfDayMs);
        this.#epoch.rmc = sentence;
        if (sentence.date && sentence.timeOfDayMs !== undefined) {
          this.#date = { date: sentence.date, timeOfDayMs: sentence.timeOfDayMs };
        }
        return this.#publish();
      case "GST":
        this.#enterEpoch(sentence.timeOfDayMs);
        this.#epoch.gst = sentence;
        return this.#publish();
      case "GSA":
        this.#gsaMode = sentence.mode;
        return null;
      case "GSV":
        this.#inView.set(sentence.talker, sentence.satellitesInView);
        this.#tracker.satellites({ seen: [...this.#inView.values()].reduce((a, b) => a + b, 0) });
        return null;
      case "other":
        return null;
    }
  }

  /** The epoch's fix, once it has a GGA or RMC to say whether there is one. */
  #publish(): GpsFix | null {
    return this.#epoch.gga || this.#epoch.rmc ? this.#tracker.update(this.#fix()) : null;
  }

  #enterEpoch(timeOfDayMs: number | undefined): void {
    if (timeOfDayMs === undefined || timeOfDayMs === this.#epoch.timeOfDayMs) return;
    this.#epoch = { timeOfDayMs };
  }

  #fix(): GpsFix {
    const { gga, rmc, gst } = this.#epoch;
    const noFix = gga?.quality === 0 || rmc?.status === "V" || rmc?.faaMode === "N";
    const lat = gga?.lat ?? rmc?.lat;
    const lon = gga?.lon ?? rmc?.lon;
    const time = this.#time();
    if (noFix || lat === undefined || lon === undefined) {
      return time === undefined ? { mode: 1 } : { mode: 1, time };
    }
    const hae = gga?.altitudeMslM !== undefined && gga.geoidSeparationM !== undefined
      ? gga.altitudeMslM + gga.geoidSeparationM
      : undefined;
    const mode = this.#gsaMode === 2 || this.#gsaMode === 3
      ? this.#gsaMode
      : gga?.altitudeMslM !== undefined
      ? 3
      : 2;
    const fix: GpsFix = { mode, lat, lon };
    if (time !== undefined) fix.time = time;
    if (hae !== undefined) fix.alt_m = round(hae, 4);
    if (rmc?.speedKnots !== undefined) fix.speed_mps = rmc.speedKnots * MPS_PER_KNOT;
    if (rmc?.trackDeg !== undefined) fix.track_deg = rmc.trackDeg;
    if (gst?.latErrorM !== undefined && gst.lonErrorM !== undefined) {
      fix.eph_m = round(Math.hypot(gst.latErrorM, gst.lonErrorM), 4);
    }
    if (gst?.altErrorM !== undefined) fix.epv_m = gst.altErrorM;
    return fix;
  }

  /** The epoch's UTC time, dated by the last RMC; a time of day far before it is the next day. */
  #time(): string | undefined {
    const timeOfDay = this.#epoch.timeOfDayMs;
    if (timeOfDay === undefined || this.#date === null) return undefined;
    const { year, month, day } = this.#date.date;
    const rolledOver = timeOfDay < this.#date.timeOfDayMs - DAY_MS / 2;
    const ms = Date.UTC(year, month - 1, day) + timeOfDay + (rolledOver ? DAY_MS : 0);
    return new Date(ms).toISOString();
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Options for {@linkcode NmeaReader}. */
export interface NmeaReaderOptions {
  /** The receiver's serial device. @default "/dev/ttyAMA0" */
  path?: string;
  /** The receiver's speed. @default 9600 */
  baud?: number;
  /** Opens the port. @default openSerialPort (libc FFI) */
  open?: (path: string, options: { baud: number }) => SerialPort;
  /** @default systemClock */
  clock?: Clock;
  /** @default a logger for component "gps" */
  log?: Logger;
  /** A fix with no sentence after it for this long reads as mode 0. @default 5000 */
  staleAfterMs?: number;
  /** First wait before reopening the port. @default 1000 */
  minBackoffMs?: number;
  /** Longest wait before reopening the port. @default 30000 */
  maxBackoffMs?: number;
  /** Jitter for the waits. @default Math.random */
  random?: () => number;
}

/** What the reader has seen. */
export interface NmeaReaderStats {
  open: boolean;
  /** Sentences that parsed, of any type. */
  sentences: number;
  /** Lines that did not, by problem (`framing` includes over-long lines). */
  errors: Record<NmeaProblem, number>;
}

/**
 * Reads a serial GPS receiver in the background from construction until
 * {@linkcode NmeaReader.close}. Needs `--allow-ffi` (see serial_port.ts).
 *
 * @example
 * ```ts
 * const gps = new NmeaReader({ path: "/dev/ttyUSB0", baud: 4800 });
 * gps.latest(); // null until the receiver speaks
 * ```
 */
export class NmeaReader implements TimedGpsSource {
  /** Settles once the reader has stopped after {@linkcode close}. */
  readonly done: Promise<void>;
  readonly #path: string;
  readonly #baud: number;
  readonly #open: (path: string, options: { baud: number }) => SerialPort;
  readonly #log: Logger;
  readonly #tracker: GpsFixTracker;
  readonly #controller = new AbortController();
  readonly #listeners = new Set<(fix: GpsFix) => void>();
  readonly #stats: NmeaReaderStats = {
    open: false,
    sentences: 0,
    errors: { framing: 0, checksum: 0, field: 0 },
  };
  #lastProblem = "";

  constructor(options: NmeaReaderOptions = {}) {
    this.#path = options.path ?? "/dev/ttyAMA0";
    this.#baud = options.baud ?? 9600;
    this.#open = options.open ?? openSerialPort;
    const clock = options.clock ?? systemClock;
    this.#log = (options.log ?? createLogger({ component: "gps" })).with({ port: this.#path });
    this.#tracker = new GpsFixTracker({ clock, staleAfterMs: options.staleAfterMs ?? 5000 });
    this.done = reconnectLoop({
      clock,
      signal: this.#controller.signal,
      session: (signal) => this.#session(signal),
      onEnded: (error, waitMs) => this.#ended(error, waitMs),
      minBackoffMs: options.minBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      random: options.random ?? Math.random,
    });
  }

  latest(): GpsFix | null {
    return this.#tracker.latest();
  }

  fixAtLocalMs(): number | null {
    return this.#tracker.fixAtLocalMs();
  }

  stats(): NmeaReaderStats {
    return { ...this.#stats, errors: { ...this.#stats.errors } };
  }

  /** Calls `listener` with each new fix; returns the unsubscribe. */
  onFix(listener: (fix: GpsFix) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#controller.abort();
  }

  /** Reads the port until it ends; true when it gave at least one sentence. */
  async #session(signal: AbortSignal): Promise<boolean> {
    const port = this.#open(this.#path, { baud: this.#baud });
    const closePort = () => port.close();
    signal.addEventListener("abort", closePort, { once: true });
    this.#stats.open = true;
    this.#lastProblem = "";
    const before = this.#stats.sentences;
    // Each opening starts a new stream: half a sentence from before means nothing.
    const lines = new LineSplitter(MAX_LINE_CHARS);
    const assembler = new NmeaFixAssembler(this.#tracker);
    try {
      for (let chunk = await port.read(); chunk !== null; chunk = await port.read()) {
        const overflows = lines.overflows;
        for (const line of lines.push(chunk)) this.#line(line, assembler);
        this.#stats.errors.framing += lines.overflows - overflows;
      }
    } finally {
      signal.removeEventListener("abort", closePort);
      port.close();
      this.#stats.open = false;
    }
    if (!signal.aborted) this.#log.info("the GPS port ended");
    return this.#stats.sentences > before;
  }

  #line(line: string, assembler: NmeaFixAssembler): void {
    if (line.trim() === "") return;
    let sentence: NmeaSentence;
    try {
      sentence = parseNmeaSentence(line);
    } catch (error) {
      if (!(error instanceof NmeaParseError)) throw error;
      const count = ++this.#stats.errors[error.problem];
      // 1st, 2nd, 4th, 8th…: a noisy line cannot flood the log.
      if ((count & (count - 1)) === 0) {
        this.#log.warn("ignored an NMEA line", { error: error.message, count });
      }
      return;
    }
    this.#stats.sentences++;
    const fix = assembler.push(sentence);
    if (fix) { for (const listener of this.#listeners) listener(fix); }
  }

  #ended(error: unknown, waitMs: number): void {
    if (error === null) return;
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const context = { error: problem, wait_ms: waitMs };
    if (problem === this.#lastProblem) this.#log.debug("GPS port unavailable; retrying", context);
    else this.#log.warn("GPS port unavailable; retrying", context);
    this.#lastProblem = problem;
  }
}
