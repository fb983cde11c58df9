/** What the banner shows. */
export interface BannerInfo {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  admin: { username: string; password: string };
  apiToken: string;
  dataDir: string;
  logFile: string;
  nodeCount: number;
  reportIntervalS: number;
  /** The node that drops off now and then, and how often and how long. */
  flaky: { name: string; everyS: number; awayS: number };
  /** True when an earlier run's database was reused. */
  reused: boolean;
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
    `  Gateway API    ${info.url}/v1   (reference: ${info.url}/v1/docs)`,
    `  Admin login    ${info.admin.username} / ${info.admin.password}   (one-time password; the portal asks for a new one)`,
    `  API token      ${info.apiToken}   (admin role, for this run)`,
    `  Data           ${info.dataDir}   (gateway log: ${info.logFile})`,
    "",
    `  ${info.nodeCount} simulated nodes report every ${info.reportIntervalS} s; ${info.flaky.name} drops off for ${
      minutes(info.flaky.awayS)
    } every ${minutes(info.flaky.everyS)}.`,
    "",
    "Try:",
    ...curlExamples(info.url, info.apiToken).map((c) => `  ${c}`),
    "",
    "Events follow as they happen. Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
