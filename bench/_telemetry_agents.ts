/**
 * Simulated agents at the realistic rate: every node sends its 100 metrics
 * every 10 s as one batch (and, optionally, its status report), the nodes
 * spread evenly over the 10 s as independent agents would be. Like the real
 * agent, a node keeps a batch until it is acknowledged and sends it again
 * (same `batch_seq`) on its next turn.
 */
import { GatewayClient } from "../lib/api_client.ts";
import type { TelemetryBatch } from "../lib/schemas/telemetry.ts";
import type { BenchAgent } from "./_telemetry_gateway.ts";
import { sleep } from "./_telemetry_gateway.ts";
import { METRICS_PER_NODE, NodeMetrics, nodeReport } from "./_telemetry_load.ts";

/** Time between two batches of one node. */
export const SEND_INTERVAL_MS = 10_000;
/** Batches a node keeps while the gateway does not acknowledge them. */
const MAX_PENDING = 30;

/** Counters of running agents; read them at any time. */
export interface AgentCounters {
  samplesAcked: number;
  batchesAcked: number;
  failedSends: number;
  reportsSent: number;
  failedReports: number;
  /** Longest acknowledgement wait seen, ms. */
  maxAckMs: number;
}

/** Running agents. */
export interface RunningAgents {
  counters: AgentCounters;
  /** Stops every agent after its current request and waits for them. */
  stop(): Promise<void>;
}

/**
 * Starts one agent per enrolled node. Each stops by itself after
 * `maxMinutes` (a bound against a bench that hangs), or earlier on `stop()`.
 */
export function startAgents(
  baseUrl: string,
  agents: BenchAgent[],
  options: { reports: boolean; maxMinutes: number },
): RunningAgents {
  const counters: AgentCounters = {
    samplesAcked: 0,
    batchesAcked: 0,
    failedSends: 0,
    reportsSent: 0,
    failedReports: 0,
    maxAckMs: 0,
  };
  const abort = new AbortController();
  const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const deadline = start + options.maxMinutes * 60_000;
  const maxTicks = Math.ceil((options.maxMinutes * 60_000) / SEND_INTERVAL_MS);

  const runAgent = async (agent: BenchAgent) => {
    const metrics = new NodeMetrics(agent.index, agents.length);
    const client = new GatewayClient({ baseUrl, token: agent.token, timeoutMs: 30_000 });
    const offset = Math.floor((agent.index * SEND_INTERVAL_MS) / agents.length);
    const reportEvery = Math.max(1, Math.round((agent.reportIntervalS * 1000) / SEND_INTERVAL_MS));
    const pending: TelemetryBatch[] = [];
    let seq = 0;
    for (let tick = 0; tick < maxTicks && !abort.signal.aborted; tick++) {
      const at = start + tick * SEND_INTERVAL_MS + offset;
      if (at >= deadline) break;
      await sleep(at - Date.now(), abort.signal);
      if (abort.signal.aborted) break;
      pending.push({
        node_id: agent.id,
        epoch: "bench",
        batch_seq: seq++,
        samples: metrics.samples(at),
      });
      if (pending.length > MAX_PENDING) pending.shift();
      while (pending.length > 0) {
        const sentAt = performance.now();
        try {
          await client.sendTelemetry(pending[0]!);
        } catch {
          counters.failedSends++;
          break;
        }
        counters.maxAckMs = Math.max(counters.maxAckMs, performance.now() - sentAt);
        counters.samplesAcked += pending.shift()!.samples.length;
        counters.batchesAcked++;
      }
      if (options.reports && tick % reportEvery === 0) {
        try {
          await client.report(agent.id, nodeReport(agent.index, agents.length, at - start));
          counters.reportsSent++;
        } catch {
          counters.failedReports++;
        }
      }
    }
  };

  const running = Promise.all(agents.map(runAgent));
  return {
    counters,
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** Samples per second `nodes` agents send. */
export function realisticRate(nodes: number): number {
  return (nodes * METRICS_PER_NODE * 1000) / SEND_INTERVAL_MS;
}
