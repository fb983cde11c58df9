/**
 * The agent's cycle: collect → stamp in gateway time → buffer → report →
 * deliver, every interval the gateway's answers give. Everything it touches
 * comes in as an option, so the demo runs several agents in one process,
 * each with its own simulated sources.
 */
import { GatewayApiError, type GatewayClient } from "../lib/api_client.ts";
import { type Clock, pause } from "../lib/clock.ts";
import type { Logger } from "../lib/log.ts";
import type { AgentStatus } from "../lib/schemas/agent_socket.ts";
import { nodeReportSchema } from "../lib/schemas/report.ts";
import {
  type Collector,
  COLLECTOR_OK_METRIC,
  type CollectorHealth,
  type Reading,
  type ReportPart,
  runCollectors,
} from "./collectors/collector.ts";
import type { ClockSync, StampedSample, TelemetryBuffer } from "./ports.ts";
import type { LiveFeed } from "./socket/live_feed.ts";

/** What an {@linkcode Agent} works with. */
export interface AgentOptions {
  nodeId: string;
  collectors: readonly Collector[];
  buffer: TelemetryBuffer;
  clockSync: ClockSync;
  /** A client with the node's agent token, asked each cycle: the gateway's address may change. */
  client: () => Promise<GatewayClient>;
  clock: Clock;
  log: Logger;
  /** The agent's version, for the status. */
  version: string;
  /** Where readings go as they are collected (agent.sock's `/live`). */
  live?: LiveFeed;
  /** Until the gateway's first answer says otherwise. @default 10 */
  reportIntervalS?: number;
  /** Longest a collector may take. @default 5000 */
  collectorTimeoutMs?: number;
}

/** How one report went. */
export interface ReportOutcome {
  ok: boolean;
  /** Why not, when not ok. */
  error?: string;
}

/** What one cycle did. */
export interface CycleResult {
  /** Samples handed to the buffer. */
  buffered: number;
  /** null when the cycle stopped before reporting. */
  report: ReportOutcome | null;
  /** The buffer's report of its delivery; null when it did not run or failed. */
  delivery: unknown;
  health: CollectorHealth[];
}

/** A sample and whether the clock was synced when it was stamped. */
interface Stamped {
  sample: StampedSample;
  synced: boolean;
}

/** One node's agent. */
export class Agent {
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly #startedAt: number;
  #intervalS: number;
  #health = new Map<string, CollectorHealth>();
  #lastReport: { at: number; outcome: ReportOutcome } | null = null;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#log = options.log.with({ node_id: options.nodeId });
    this.#intervalS = options.reportIntervalS ?? 10;
    this.#startedAt = options.clockSync.now().ms;
  }

  /** The cycle's interval now, from the gateway's last answer. */
  get reportIntervalS(): number {
    return this.#intervalS;
  }

  /**
   * One cycle. Every sample collected reaches the buffer before it returns,
   * also when `signal` aborts (shutdown); reporting and delivery are then
   * skipped. Never throws: failures are logged and in the result.
   */
  async cycle(signal: AbortSignal): Promise<CycleResult> {
    const stamped: Stamped[] = [];
    const keep = (collector: string, readings: Reading[]) => {
      const { ms, synced } = this.#o.clockSync.now();
      const samples = readings.map((r) => ({ ...r, ts: ms }));
      for (const sample of samples) stamped.push({ sample, synced });
      this.#o.live?.publish({ collector, samples });
    };
    const round = await runCollectors(this.#o.collectors, {
      log: this.#log,
      clock: this.#o.clock,
      signal,
      previous: this.#health,
      ...(this.#o.collectorTimeoutMs !== undefined
        ? { timeoutMs: this.#o.collectorTimeoutMs }
        : {}),
      onCollected: keep,
    });
    keep("agent", round.readings.filter((r) => r.metric === COLLECTOR_OK_METRIC));
    this.#health = new Map(round.health.map((h) => [h.collector, h]));
    const buffered = await this.#buffer(stamped);
    const result = { buffered, report: null, delivery: null, health: round.health };
    if (signal.aborted) return result;
    let client: GatewayClient;
    try {
      client = await this.#o.client();
    } catch (error) {
      return { ...result, report: this.#noted({ ok: false, error: (error as Error).message }) };
    }
    const report = this.#noted(await this.#send(client, round.report));
    if (signal.aborted) return { ...result, report };
    return { ...result, report, delivery: await this.#deliver(client, signal) };
  }

  /**
   * Runs a cycle every interval until `signal` aborts; resolves once the
   * cycle in progress has put what it collected in the buffer.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.#log.info("agent running", { report_interval_s: this.#intervalS });
    while (!signal.aborted) {
      const started = this.#o.clock.now();
      await this.cycle(signal);
      const next = started + this.#intervalS * 1000;
      if (!await pause(this.#o.clock, Math.max(0, next - this.#o.clock.now()), signal)) break;
    }
  }

  /** What agent.sock's `/status` shows. */
  status(): AgentStatus {
    const iso = (ms: number) => new Date(ms).toISOString();
    const stats = this.#o.buffer.stats();
    return {
      version: this.#o.version,
      node_id: this.#o.nodeId,
      started_at: iso(this.#startedAt),
      report_interval_s: this.#intervalS,
      last_report: this.#lastReport && {
        at: iso(this.#lastReport.at),
        ok: this.#lastReport.outcome.ok,
        error: this.#lastReport.outcome.error ?? null,
      },
      buffer: stats,
      clock: { offset_ms: this.#o.clockSync.offsetMs(), synced: this.#o.clockSync.now().synced },
      collectors: [...this.#health.values()].map((h) => ({
        collector: h.collector,
        ok: h.ok,
        error: h.error ?? null,
        readings: h.readings,
        duration_ms: h.durationMs,
      })),
    };
  }

  /** Hands the samples to the buffer, one call per clock state. */
  async #buffer(stamped: Stamped[]): Promise<number> {
    let kept = 0;
    for (const synced of [false, true]) {
      const samples = stamped.filter((s) => s.synced === synced).map((s) => s.sample);
      if (samples.length === 0) continue;
      try {
        await this.#o.buffer.add(samples, { synced });
        kept += samples.length;
      } catch (error) {
        this.#log.error("cannot buffer samples; they are lost", { samples: samples.length, error });
      }
    }
    return kept;
  }

  /** Keeps a report's outcome for the status; logs when reports start failing and recover. */
  #noted(outcome: ReportOutcome): ReportOutcome {
    const before = this.#lastReport?.outcome;
    if (!outcome.ok && outcome.error !== before?.error) {
      this.#log.warn("report failed", { error: outcome.error });
    } else if (outcome.ok && before && !before.ok) {
      this.#log.info("reporting again");
    }
    this.#lastReport = { at: this.#o.clockSync.now().ms, outcome };
    return outcome;
  }

  /** Sends the node report; its answer sets the clock and the interval. */
  async #send(client: GatewayClient, part: ReportPart): Promise<ReportOutcome> {
    if (part.boot_id === undefined || part.uptime_s === undefined) {
      return {
        ok: false,
        error: "no collector gave the report's boot_id and uptime_s (see the host collector)",
      };
    }
    const report = nodeReportSchema.safeParse(part);
    if (!report.success) {
      const issue = report.error.issues[0]!;
      const field = issue.path.join(".");
      return {
        ok: false,
        error: `the collectors gave no valid report: ${field}: ${issue.message}`,
      };
    }
    const sentAt = this.#o.clock.now();
    try {
      const answer = await client.report(this.#o.nodeId, report.data);
      this.#o.clockSync.observe(answer.gateway_time_ms, sentAt, this.#o.clock.now());
      if (answer.report_interval_s !== this.#intervalS) {
        this.#log.info("report interval changed", { report_interval_s: answer.report_interval_s });
        this.#intervalS = answer.report_interval_s;
      }
      return { ok: true };
    } catch (error) {
      if (error instanceof GatewayApiError && error.status === 401) {
        return {
          ok: false,
          error: "the gateway refused this node's agent token (revoked, or the node was " +
            "decommissioned): re-enroll it with a replacement token from an admin",
        };
      }
      return { ok: false, error: (error as Error).message };
    }
  }

  async #deliver(client: GatewayClient, signal: AbortSignal): Promise<unknown> {
    try {
      const result = await this.#o.buffer.deliver(client, signal);
      this.#log.debug("delivered", { result });
      return result;
    } catch (error) {
      this.#log.warn("delivery failed; the samples stay buffered", { error });
      return null;
    }
  }
}
