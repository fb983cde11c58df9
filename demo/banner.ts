/** What the banner shows. */
export interface BannerInfo {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The admin login and the file the demo keeps its password in. */
  admin: { username: string; password: string; file: string };
  apiToken: string;
  dataDir: string;
  logFile: string;
  nodeCount: number;
  reportIntervalS: number;
  /** The node that drops off now and then, and how often and how long. */
  flaky: { name: string; everyS: number; awayS: number };
  /** True when an earlier run's database was reused. */
  reused: boolean;
  /** How the nodes send telemetry; null when the gateway takes none. */
  telemetry: { intervalS: number; backfilledDays: number | null } | null;
}

/** The three curl commands the banner offers, each working as printed. */
export function curlExamples(url: string, token: string): string[] {
  const auth = `-H "Authorization: Bearer ${token}"`;
  return [
    `curl -s ${url}/health`,
    `curl -s ${auth} ${url}/v1/nodes`,
    `curl -s ${auth} "${url}/v1/events?limit=5"`,
  ];
}

/** The text the demo prints once everything runs. */
export function formatBanner(info: BannerInfo): string {
  const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);
  return [
    "",
    `HALO demo is running${info.reused ? " (on the data of an earlier run)" : ""}.`,
    "",
    `  Portal         ${info.url}/   (open it in a browser; log in as the admin below)`,
    `  Gateway API    ${info.url}/v1   (reference: ${info.url}/v1/docs)`,
    `  Admin login    ${info.admin.username} / ${info.admin.password}   (set by the demo; kept in ${info.admin.file})`,
    `  API token      ${info.apiToken}   (admin role, for this run)`,
    `  Data           ${info.dataDir}   (gateway log: ${info.logFile})`,
    "",
    `  ${info.nodeCount} simulated nodes report every ${info.reportIntervalS} s; ${info.flaky.name} drops off for ${
      minutes(info.flaky.awayS)
    } every ${minutes(info.flaky.everyS)}.`,
    telemetryLine(info.telemetry),
    "",
    "Try:",
    ...curlExamples(info.url, info.apiToken).map((c) => `  ${c}`),
    "",
    "Events follow as they happen. Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

function telemetryLine(telemetry: BannerInfo["telemetry"]): string {
  if (telemetry === null) {
    return "  Telemetry is off: this gateway takes none (POST /v1/telemetry).";
  }
  const history = telemetry.backfilledDays === null
    ? "earlier runs' history is kept"
    : `${telemetry.backfilledDays} days of history back-filled`;
  return `  They send telemetry every ${telemetry.intervalS} s (${history}).`;
}

/** Thousands separated, for sample counts. */
const count = (n: number) => n.toLocaleString("en-US");

/** The line printed before the back-fill starts. */
export function formatBackfillStart(
  info: { days: number; stepS: number; nodes: number; samples: number },
): string {
  return `Back-filling ${info.days} days of telemetry for ${info.nodes} nodes, one round every ${
    info.stepS === 60 ? "minute" : `${info.stepS} s`
  }: ${count(info.samples)} samples.`;
}

/** A progress line: how much is stored, after how long. */
export function formatBackfillProgress(done: number, total: number, ms: number): string {
  const percent = total === 0 ? 100 : Math.floor((100 * done) / total);
  return `  ${String(percent).padStart(3)}%  ${count(done)} samples  ${(ms / 1000).toFixed(1)} s`;
}

/** The line printed once the back-fill is over. */
export function formatBackfillDone(
  result: { samples: number; total: number; ms: number; unsupported: boolean },
): string {
  if (result.unsupported) {
    return "The gateway takes no telemetry (POST /v1/telemetry answers 404); the demo goes on without it.";
  }
  const rate = Math.round(result.samples / Math.max(result.ms / 1000, 0.001));
  const partial = result.samples < result.total ? ` of ${count(result.total)} (stopped)` : "";
  return `Back-filled ${count(result.samples)} samples${partial} in ${
    (result.ms / 1000).toFixed(1)
  } s (${count(rate)} samples/s).`;
}

/** Options for {@linkcode backfillPrinter}. */
export interface BackfillPrinterOptions {
  write: (line: string) => void;
  now: () => number;
  days: number;
  stepS: number;
  nodes: number;
}

/**
 * A progress callback for the back-fill that prints the start line at 0
 * and a line at every further 20 %.
 */
export function backfillPrinter(
  options: BackfillPrinterOptions,
): (done: number, total: number) => void {
  let started = options.now();
  let shown = -1;
  return (done, total) => {
    if (done === 0 && shown === -1) {
      started = options.now();
      shown = 0;
      options.write(formatBackfillStart({ ...options, samples: total }));
      return;
    }
    const fifth = total === 0 ? 5 : Math.floor((5 * done) / total);
    if (fifth <= shown) return;
    shown = fifth;
    options.write(formatBackfillProgress(done, total, options.now() - started));
  };
}
