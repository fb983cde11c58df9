/** Log levels in increasing severity. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** Context fields attached to one log line. */
export type LogContext = Record<string, unknown>;

/** A structured logger writing one JSON object a line. */
export interface Logger {
  debug(msg: string, context?: LogContext): void;
  info(msg: string, context?: LogContext): void;
  warn(msg: string, context?: LogContext): void;
  error(msg: string, context?: LogContext): void;
  /** A logger whose lines all carry `context`. */
  with(context: LogContext): Logger;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  component: string;
  /** Lowest level written. @default "info" */
  level?: LogLevel;
  /** Where lines go. @default standard error */
  write?: (line: string) => void;
  now?: () => number;
}

/** Parses a level name, e.g. from `HALO_LOG`; throws a `TypeError` naming the accepted values. */
export function parseLogLevel(value: string, source = "HALO_LOG"): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new TypeError(
    `Invalid log level "${value}" in ${source}: use one of ${LOG_LEVELS.join(", ")}`,
  );
}

const encoder = new TextEncoder();
const stderrWrite = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));

/**
 * Creates a logger for one component; lines are JSON with `ts`, `level`,
 * `component`, `msg` and the context, readable by journald and `jq`.
 *
 * @example
 * ```ts
 * const log = createLogger({ component: "gateway-api" });
 * log.info("listening", { port: 8080 });
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const min = LOG_LEVELS.indexOf(options.level ?? "info");
  const write = options.write ?? stderrWrite;
  const now = options.now ?? Date.now;
  const make = (base: LogContext): Logger => {
    const emit = (level: LogLevel) => (msg: string, context?: LogContext) => {
      if (LOG_LEVELS.indexOf(level) < min) return;
      const line = {
        ts: new Date(now()).toISOString(),
        level,
        component: options.component,
        msg,
        ...base,
        ...serializeErrors(context),
      };
      write(JSON.stringify(line));
    };
    return {
      debug: emit("debug"),
      info: emit("info"),
      warn: emit("warn"),
      error: emit("error"),
      with: (context) => make({ ...base, ...context }),
    };
  };
  return make({});
}

function serializeErrors(context: LogContext | undefined): LogContext {
  if (!context) return {};
  const out: LogContext = {};
  for (const [key, value] of Object.entries(context)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
  }
  return out;
}
