/**
 * A node's status reports to the gateway, as its agent sends them: one each
 * interval, the interval following `report_interval_s` in the gateway's
 * answers. What goes in a report comes from a {@linkcode ReportSource}: a
 * simulated network in the demo, the system itself in an agent.
 */
import type { GatewayClient } from "../api_client.ts";
import { type Clock, pause } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { NodeReportInput } from "../schemas/report.ts";

/** Where a node's status report comes from. */
export interface ReportSource {
  /** The node's report as of `now` (ms since the epoch). */
  report(now: number): NodeReportInput;
}

/** Options for {@linkcode runReporter}. */
export interface ReporterOptions {
  /** A client holding the node's agent token. */
  client: GatewayClient;
  nodeId: string;
  /** The node's name in log lines. */
  name: string;
  source: ReportSource;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
  /** Until the gateway says otherwise in a report's answer. */
  intervalMs: number;
  /** Wait before the first report, so nodes started together do not report together. @default none */
  firstReportInMs?: number;
  /**
   * Whether the node can reach the gateway now; a round where it cannot
   * sends nothing (a simulated node cut off from the mesh). @default always
   */
  reachable?: () => boolean;
}

/**
 * Sends the node's report each interval until `signal` aborts. A failed
 * report is logged once when failures start and once when reports go
 * through again; it is not retried before the next interval.
 */
export async function runReporter(options: ReporterOptions): Promise<void> {
  const { client, nodeId, name, source, clock, log, signal } = options;
  let intervalMs = options.intervalMs;
  let failing = false;
  const first = options.firstReportInMs;
  if (first !== undefined && !await pause(clock, first, signal)) return;
  while (!signal.aborted) {
    if (options.reachable?.() ?? true) {
      try {
        const answer = await client.report(nodeId, source.report(clock.now()));
        intervalMs = answer.report_interval_s * 1000;
        if (answer.events.length > 0) {
          log.debug("report caused events", { node: name, events: answer.events });
        }
        if (failing) log.info("reporting again", { node: name });
        failing = false;
      } catch (error) {
        if (signal.aborted) return;
        // One line when it starts failing, not one every interval.
        if (!failing) log.warn("report failed; retrying every interval", { node: name, error });
        failing = true;
      }
    }
    if (!await pause(clock, intervalMs, signal)) return;
  }
}
