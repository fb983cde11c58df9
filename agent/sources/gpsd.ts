/**
 * A gpsd client: one TCP connection to gpsd on this node (127.0.0.1:2947),
 * `?WATCH` for JSON, then one object a line. TPV gives the fix, SKY the
 * satellite counts; every line is validated with `lib/schemas/gpsd.ts`, and a
 * line that fails is counted and logged, never fatal. When gpsd goes away the
 * client reconnects with backoff; the last fix turns to mode 0 (unknown) once
 * no TPV came for `staleAfterMs`.
 *
 * Needs `--allow-net=127.0.0.1:2947`.
 */
import { type Clock, systemClock } from "../../lib/clock.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import {
  GPSD_CLASSES,
  GPSD_WATCH_COMMAND,
  type GpsdMessage,
  gpsdMessageSchema,
  type GpsdSky,
  type GpsdTpv,
} from "../../lib/schemas/gpsd.ts";
import type { GpsFix, TimedGpsSource } from "./gps.ts";
import { GpsFixTracker, type SatelliteCounts } from "./gps_tracker.ts";
import { LineSplitter } from "./_lines.ts";
import { reconnectLoop } from "./_reconnect.ts";

/** Options for {@linkcode GpsdClient}. */
export interface GpsdClientOptions {
  /** gpsd's address; only loopback is accepted. @default "127.0.0.1" */
  host?: string;
  /** @default 2947 */
  port?: number;
  /** @default systemClock */
  clock?: Clock;
  /** @default a logger for component "gps" */
  log?: Logger;
  /** A fix with no TPV after it for this long reads as mode 0. @default 5000 */
  staleAfterMs?: number;
  /** First wait before reconnecting. @default 500 */
  minBackoffMs?: number;
  /** Longest wait before reconnecting. @default 30000 */
  maxBackoffMs?: number;
  /** Jitter for the waits. @default Math.random */
  random?: () => number;
}

/** What the client has seen, for health reporting and tests. */
export interface GpsdClientStats {
  connected: boolean;
  /** gpsd acknowledged the watch on the current connection. */
  watching: boolean;
  /** Connections made so far. */
  connections: number;
  /** Valid objects of a known class. */
  messages: number;
  /** Lines that were not valid JSON or failed their class's schema. */
  malformed: number;
  /** Valid JSON of a class the agent does not read. */
  ignored: number;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
/** gpsd's longest objects (SKY with every constellation) stay well below this. */
const MAX_LINE_CHARS = 64 * 1024;
const encoder = new TextEncoder();

/** A fix from a TPV; `altHAE` wins over the older `alt`. */
export function fixFromTpv(tpv: GpsdTpv): GpsFix {
  const fix: GpsFix = { mode: tpv.mode };
  if (tpv.time !== undefined) fix.time = tpv.time;
  if (tpv.lat !== undefined) fix.lat = tpv.lat;
  if (tpv.lon !== undefined) fix.lon = tpv.lon;
  const alt = tpv.altHAE ?? tpv.alt;
  if (alt !== undefined) fix.alt_m = alt;
  if (tpv.speed !== undefined) fix.speed_mps = tpv.speed;
  if (tpv.track !== undefined) fix.track_deg = tpv.track;
  if (tpv.eph !== undefined) fix.eph_m = tpv.eph;
  if (tpv.epv !== undefined) fix.epv_m = tpv.epv;
  return fix;
}

/** Satellite counts from a SKY: `uSat`/`nSat` when gpsd sends them, else counted from the list. */
export function satellitesFromSky(sky: GpsdSky): SatelliteCounts {
  const counts: SatelliteCounts = {};
  const used = sky.uSat ?? sky.satellites?.filter((s) => s.used === true).length;
  const seen = sky.nSat ?? sky.satellites?.length;
  if (used !== undefined) counts.used = used;
  if (seen !== undefined) counts.seen = seen;
  return counts;
}

/**
 * A running gpsd client; it connects in the background from construction
 * until {@linkcode GpsdClient.close}.
 *
 * @example
 * ```ts
 * const gps = new GpsdClient();
 * const fix = gps.latest(); // null until gpsd reports
 * gps.close();
 * await gps.done;
 * ```
 */
export class GpsdClient implements TimedGpsSource {
  /** Settles once the client has stopped after {@linkcode close}. */
  readonly done: Promise<void>;
  readonly #host: string;
  readonly #port: number;
  readonly #log: Logger;
  readonly #tracker: GpsFixTracker;
  readonly #controller = new AbortController();
  readonly #listeners = new Set<(fix: GpsFix) => void>();
  readonly #stats: GpsdClientStats = {
    connected: false,
    watching: false,
    connections: 0,
    messages: 0,
    malformed: 0,
    ignored: 0,
  };
  #lastProblem = "";

  /** @throws {RangeError} when `host` is not loopback or `port` is not a TCP port */
  constructor(options: GpsdClientOptions = {}) {
    this.#host = options.host ?? "127.0.0.1";
    this.#port = options.port ?? 2947;
    if (!LOOPBACK.has(this.#host)) {
      throw new RangeError(
        `gpsd host "${this.#host}" is not loopback: the agent reads the gpsd on its own node ` +
          "(127.0.0.1 or ::1)",
      );
    }
    if (!Number.isInteger(this.#port) || this.#port < 1 || this.#port > 65535) {
      throw new RangeError(`gpsd port ${this.#port} is not a TCP port (1-65535)`);
    }
    const clock = options.clock ?? systemClock;
    this.#log = (options.log ?? createLogger({ component: "gps" })).with({
      gpsd: `${this.#host}:${this.#port}`,
    });
    this.#tracker = new GpsFixTracker({ clock, staleAfterMs: options.staleAfterMs ?? 5000 });
    this.done = reconnectLoop({
      clock,
      signal: this.#controller.signal,
      session: (signal) => this.#session(signal),
      onEnded: (error, waitMs) => this.#ended(error, waitMs),
      minBackoffMs: options.minBackoffMs ?? 500,
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

  stats(): GpsdClientStats {
    return { ...this.#stats };
  }

  /** Calls `listener` with each new fix (a live stream); returns the unsubscribe. */
  onFix(listener: (fix: GpsFix) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#controller.abort();
  }

  /** One connection: watch, then read until gpsd closes it; true when gpsd sent valid data. */
  async #session(signal: AbortSignal): Promise<boolean> {
    const conn = await Deno.connect({ hostname: this.#host, port: this.#port });
    const closeConn = () => {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    };
    // close() may have come while connecting: the abort event is gone by now.
    if (signal.aborted) {
      closeConn();
      return false;
    }
    signal.addEventListener("abort", closeConn, { once: true });
    this.#stats.connected = true;
    this.#stats.connections++;
    this.#lastProblem = "";
    const before = this.#stats.messages;
    const lines = new LineSplitter(MAX_LINE_CHARS);
    try {
      await writeAll(conn, encoder.encode(GPSD_WATCH_COMMAND));
      const buffer = new Uint8Array(16 * 1024);
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        const overflows = lines.overflows;
        for (const line of lines.push(buffer.subarray(0, n))) this.#line(line);
        for (let i = overflows; i < lines.overflows; i++) this.#malformed("line too long", "");
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener("abort", closeConn);
      closeConn();
      this.#stats.connected = false;
      this.#stats.watching = false;
    }
    if (!signal.aborted) this.#log.info("gpsd closed the connection");
    return this.#stats.messages > before;
  }

  #line(line: string): void {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.#malformed("not JSON", line);
    }
    const cls = typeof json === "object" && json !== null
      ? (json as { class?: unknown }).class
      : null;
    if (typeof cls !== "string") return this.#malformed("no class", line);
    if (!GPSD_CLASSES.has(cls)) {
      this.#stats.ignored++;
      return;
    }
    const parsed = gpsdMessageSchema.safeParse(json);
    if (!parsed.success) {
      const reason = parsed.error.issues
        .map((issue) => `${cls}.${issue.path.join(".")}: ${issue.message}`)
        .join("; ");
      return this.#malformed(reason, line);
    }
    this.#stats.messages++;
    this.#message(parsed.data);
  }

  #message(message: GpsdMessage): void {
    switch (message.class) {
      case "TPV": {
        const fix = this.#tracker.update(fixFromTpv(message));
        for (const listener of this.#listeners) listener(fix);
        return;
      }
      case "SKY":
        return this.#tracker.satellites(satellitesFromSky(message));
      case "WATCH":
        this.#stats.watching = message.enable !== false;
        return;
      case "VERSION":
        return this.#log.info("connected to gpsd", { release: message.release });
      case "DEVICES":
        if (message.devices.length === 0) this.#log.info("gpsd has no receiver yet");
        return;
      case "ERROR":
        return this.#log.warn("gpsd reported an error", { error: message.message });
      case "DEVICE":
        return;
    }
  }

  /** Counts a bad line; logs the 1st, 2nd, 4th, 8th… so a broken stream cannot flood the log. */
  #malformed(reason: string, line: string): void {
    const count = ++this.#stats.malformed;
    if ((count & (count - 1)) === 0) {
      this.#log.warn("ignored a line from gpsd", { reason, line: line.slice(0, 200), count });
    }
  }

  #ended(error: unknown, waitMs: number): void {
    // gpsd closing the connection was logged by the session.
    if (error === null) return;
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const context = { error: problem, wait_ms: waitMs };
    // The same failure every few seconds (no gpsd on this node) is worth one warning.
    if (problem === this.#lastProblem) this.#log.debug("gpsd unavailable; reconnecting", context);
    else this.#log.warn("gpsd unavailable; reconnecting", context);
    this.#lastProblem = problem;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}
