/**
 * (c) peak ingest: 50 concurrent clients, one per node, each posting its
 * node's 100 metrics as one batch and the next batch as soon as the
 * acknowledgement comes back, against the real gateway process and against
 * VictoriaMetrics, each fresh in every round of the same run.
 *
 * Both get identical data: client i sends batch k with the 100 values of
 * node i at `base + k s` (bench/_telemetry_load.ts), so 5,000 series, the
 * same timestamps and the same values; only the encoding differs (the
 * gateway's batch JSON, VictoriaMetrics' JSON lines, one line per series).
 * Samples count when their acknowledgement arrives inside the measured
 * window, after a warm-up.
 *
 * The two promises differ: the gateway acknowledges only what is fsynced,
 * VictoriaMetrics what is in memory (it flushes about every second).
 */
import { startBenchGateway } from "./_telemetry_gateway.ts";
import { METRICS_PER_NODE, NodeMetrics } from "./_telemetry_load.ts";
import { clockTicksPerSecond, type Pid, type ProcSnapshot, snapshot } from "./_telemetry_proc.ts";
import { detail, type Figure, fmt } from "./_telemetry_report.ts";
import { startVictoriaMetrics } from "./_telemetry_vm.ts";

const CLIENTS = 50;
const WARMUP_MS = 3000;
/** Batch k of a node is stamped base + k s; base is this far in the past. */
const HISTORY_MS = 2 * 3600_000;
/** At most this many batches per client: keeps every timestamp in the past. */
const MAX_BATCHES = 7000;
const BATCH_STEP_MS = 1000;

/** Options for {@linkcode runPeakIngest}. */
export interface PeakOptions {
  /** Measured seconds per server and round. */
  seconds: number;
  /** Rounds, each measuring both servers. */
  rounds: number;
}

/** What one closed-loop run measured. */
interface LoadResult {
  samplesPerSecond: number;
  samples: number;
  /** Samples acknowledged, warm-up and the last in-flight batches included. */
  ackedTotal: number;
  batchesSent: number;
  errors: number;
  firstError: string | null;
  p50Ms: number;
  p99Ms: number;
  serverCpuUs: number;
  serverCpuCores: number;
  serverWrittenPerSample: number;
  clientCpuCores: number;
}

/**
 * `CLIENTS` closed-loop clients calling `send(client, k)` for k = 0, 1, …
 * until the window ends; counts the samples acknowledged inside it.
 */
async function closedLoop(
  serverPid: Pid,
  measureMs: number,
  send: (client: number, k: number) => Promise<Response>,
  okStatus: number,
): Promise<LoadResult> {
  const tps = await clockTicksPerSecond();
  const t0 = performance.now();
  const windowStart = t0 + WARMUP_MS;
  const windowEnd = windowStart + measureMs;
  let samples = 0, ackedTotal = 0, batchesSent = 0, errors = 0;
  let firstError: string | null = null;
  const latencies: number[] = [];
  let serverStart = snapshot(serverPid, tps), clientStart = snapshot("self", tps);
  const startWindow = setTimeout(() => {
    serverStart = snapshot(serverPid, tps);
    clientStart = snapshot("self", tps);
  }, WARMUP_MS);
  let serverEnd: ProcSnapshot | null = null, clientEnd: ProcSnapshot | null = null;
  const endWindow = setTimeout(() => {
    serverEnd = snapshot(serverPid, tps);
    clientEnd = snapshot("self", tps);
  }, WARMUP_MS + measureMs);

  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    for (let k = 0; k < MAX_BATCHES && performance.now() < windowEnd; k++) {
      const sent = performance.now();
      batchesSent++;
      try {
        const res = await send(client, k);
        const text = await res.text();
        if (res.status !== okStatus) {
          errors++;
          firstError ??= `${res.status} ${text.slice(0, 300)}`;
          continue;
        }
      } catch (error) {
        errors++;
        firstError ??= String(error);
        continue;
      }
      const acked = performance.now();
      ackedTotal += METRICS_PER_NODE;
      if (acked >= windowStart && acked < windowEnd) {
        samples += METRICS_PER_NODE;
        latencies.push(acked - sent);
      }
    }
  }));
  clearTimeout(startWindow);
  clearTimeout(endWindow);
  // The clients stop at the window's end, maybe before its timer fires: count to then.
  serverEnd ??= snapshot(serverPid, tps);
  clientEnd ??= snapshot("self", tps);
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const seconds = measureMs / 1000;
  return {
    samplesPerSecond: samples / seconds,
    samples,
    ackedTotal,
    batchesSent,
    errors,
    firstError,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    serverCpuUs: ((serverEnd.cpu - serverStart.cpu) * 1e6) / samples,
    serverCpuCores: (serverEnd.cpu - serverStart.cpu) / seconds,
    serverWrittenPerSample: (serverEnd.writeBytes - serverStart.writeBytes) / samples,
    clientCpuCores: (clientEnd.cpu - clientStart.cpu) / seconds,
  };
}

function describe(r: LoadResult): string {
  return `${fmt(r.samplesPerSecond)} samples/s (${fmt(r.samples)} acknowledged in the window, ` +
    `${fmt(r.batchesSent)} batches sent, ${r.errors} errors${
      r.firstError ? `: first ${r.firstError}` : ""
    }); ack latency p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms; server CPU ${
      fmt(r.serverCpuCores, 2)
    } cores = ${fmt(r.serverCpuUs, 2)} µs/sample, wrote ${
      fmt(r.serverWrittenPerSample, 1)
    } B/sample during the window; load generator ${fmt(r.clientCpuCores, 2)} cores`;
}

/** Measures the gateway once, in a fresh process; logs what it measured. */
async function measureGateway(
  part: string,
  measureMs: number,
  nodes: NodeMetrics[],
  tsOf: (k: number) => number,
): Promise<LoadResult> {
  await using gw = await startBenchGateway(CLIENTS);
  const auth = gw.agents.map((a) => `Bearer ${a.token}`);
  const result = await closedLoop(gw.pid, measureMs, (i, k) =>
    fetch(`${gw.baseUrl}/v1/telemetry`, {
      method: "POST",
      headers: { authorization: auth[i]!, "content-type": "application/json" },
      body: nodes[i]!.gatewayBody(gw.agents[i]!.id, "peak", k, tsOf(k)),
    }), 200);
  const head = await gw.headSamples();
  const metrics = await gw.admin.request("GET", "/v1/telemetry/metrics") as {
    metrics: { series: number }[];
  };
  const series = metrics.metrics.reduce((n, m) => n + m.series, 0);
  await gw.stop();
  detail(part, `gateway: ${describe(result)}`);
  detail(
    part,
    `gateway holds ${fmt(series)} series; ${fmt(result.ackedTotal)} samples acknowledged ` +
      `in all (warm-up included), ${fmt(head)} of them in the head (the rest compacted)`,
  );
  return result;
}

/** Measures VictoriaMetrics once, in a fresh process; logs what it measured and stored. */
async function measureVictoriaMetrics(
  part: string,
  measureMs: number,
  nodes: NodeMetrics[],
  tsOf: (k: number) => number,
): Promise<LoadResult> {
  await using server = await startVictoriaMetrics();
  const result = await closedLoop(
    server.pid,
    measureMs,
    (i, k) =>
      fetch(`${server.baseUrl}/api/v1/import`, {
        method: "POST",
        body: nodes[i]!.vmBody(`node-${i}`, tsOf(k)),
      }),
    204,
  );
  await server.flush();
  const stored = await server.count(tsOf(0), tsOf(MAX_BATCHES));
  detail(part, `VictoriaMetrics: ${describe(result)}`);
  detail(
    part,
    `VictoriaMetrics holds ${fmt(stored.series)} series, ${fmt(stored.samples)} samples ` +
      `of the ${fmt(result.ackedTotal)} acknowledged in all (warm-up included)`,
  );
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Runs (c) in `rounds` rounds, each measuring both servers, which goes
 * first alternating: on a shared machine one server's run alone moved by
 * ±15 % between runs, so the figures are medians and the ratio the median
 * of each round's ratio. Returns its figures.
 */
export async function runPeakIngest(options: PeakOptions): Promise<Figure[]> {
  const part = "c";
  const measureMs = options.seconds * 1000;
  const base = Math.floor((Date.now() - HISTORY_MS) / 60_000) * 60_000;
  const nodes = Array.from({ length: CLIENTS }, (_, i) => new NodeMetrics(i, CLIENTS));
  const tsOf = (k: number) => base + k * BATCH_STEP_MS;
  detail(
    part,
    `${CLIENTS} clients × batches of ${METRICS_PER_NODE} samples, closed loop, ` +
      `${WARMUP_MS / 1000} s warm-up + ${options.seconds} s measured per server and round, ` +
      `${options.rounds} round(s); ` +
      `${CLIENTS * METRICS_PER_NODE} series, batch k stamped ${new Date(base).toISOString()} + k s`,
  );
  const gateway: number[] = [], vm: number[] = [], ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let g: LoadResult, v: LoadResult;
    if (round % 2 === 0) {
      g = await measureGateway(part, measureMs, nodes, tsOf);
      v = await measureVictoriaMetrics(part, measureMs, nodes, tsOf);
    } else {
      v = await measureVictoriaMetrics(part, measureMs, nodes, tsOf);
      g = await measureGateway(part, measureMs, nodes, tsOf);
    }
    gateway.push(g.samplesPerSecond);
    vm.push(v.samplesPerSecond);
    ratios.push(g.samplesPerSecond / v.samplesPerSecond);
    detail(
      part,
      `round ${round + 1}: gateway ${fmt(g.samplesPerSecond)}, VictoriaMetrics ${
        fmt(v.samplesPerSecond)
      } samples/s, ratio ${fmt(ratios.at(-1)!, 2)}×`,
    );
  }
  const ratio = median(ratios);
  detail(
    part,
    `ratio gateway / VictoriaMetrics, median of ${ratios.length} round(s): ${fmt(ratio, 2)}× ` +
      `(rounds: ${ratios.map((r) => fmt(r, 2)).join(", ")}; target ≥ 0.5×)`,
  );
  return [
    {
      part: "c",
      name:
        `peak ingest, gateway (${CLIENTS} clients × ${METRICS_PER_NODE} samples, fsynced acks), ` +
        `median of ${gateway.length}`,
      value: `${fmt(median(gateway))} samples/s`,
      target: "—",
    },
    {
      part: "c",
      name: `peak ingest, VictoriaMetrics 1.79 (same load, same rounds), median of ${vm.length}`,
      value: `${fmt(median(vm))} samples/s`,
      target: "—",
    },
    {
      part: "c",
      name: "ratio gateway / VictoriaMetrics (median of the rounds' ratios)",
      value: `${fmt(ratio, 2)}×`,
      target: "≥ 0.5×",
    },
  ];
}
