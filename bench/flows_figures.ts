/**
 * HALO Flows benchmarks (issue 5):
 *
 * 1. Ingest rate with 1,000 enabled sensor_value flows versus none, in one
 *    run: two real gateway processes (started as the system tests start
 *    them), one with 1,000 flows watching the metrics the nodes send, one
 *    with none (both keep the built-in node-offline flow), each fed by 50
 *    closed-loop senders over loopback HTTP with the telemetry bench's
 *    realistic batches of 100 samples. They are measured in alternating
 *    rounds, which of the two goes first alternating too, and each one's
 *    figure is the median of its rounds: the machine's other work then
 *    falls on both alike.
 * 2. Latency from an ingest request that crosses a threshold to the alert
 *    row being committed, p50/p99 over 1,000 crossings (in-process through
 *    the API, real SQLite file).
 *
 * Run: deno run -A bench/flows_figures.ts [--crossings N] [--seconds S] [--rounds R]
 */
import { parseArgs } from "node:util";
import { createHarness, type Harness } from "../gateway/testing/harness.ts";
import { type BenchGateway, startBenchGateway } from "./_telemetry_gateway.ts";
import { METRICS_PER_NODE, NodeMetrics } from "./_telemetry_load.ts";
import { clockTicksPerSecond, cpuSeconds } from "./_telemetry_proc.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    crossings: { type: "string", default: "1000" },
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "7" },
  },
});
const CROSSINGS = Number(values.crossings), SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
for (const [name, n] of Object.entries({ CROSSINGS, SECONDS, ROUNDS })) {
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`--${name.toLowerCase()} must be a whole number ≥ 1`);
  }
}

const SENDERS = 50;
const FLOWS = 1000;
/** Batch k of a sender is stamped base + k × this; base lies far enough back for every k. */
const BATCH_STEP_MS = 100;
const HISTORY_MS = 2 * 3600_000;

/**
 * The 1,000 flows: each watches a metric the nodes send (ten per metric,
 * label filters included), with thresholds no value reaches, so every
 * sample of a watched series is evaluated and none fires — the cost of
 * watching, not of acting. A few have hysteresis or `for_s`.
 */
function benchFlows(specs: NodeMetrics["specs"]) {
  return Array.from({ length: FLOWS }, (_, i) => {
    const spec = specs[i % specs.length]!;
    const above = i % 2 === 0;
    return {
      name: `watch ${spec.metric} ${i}`,
      steps: [
        {
          id: "t",
          type: "sensor_value",
          config: {
            metric: spec.metric,
            ...(spec.labels ? { labels: spec.labels } : {}),
            operator: above ? ">" : "<",
            value: above ? 1e12 : -1e12,
            ...(i % 7 === 0 ? { hysteresis: 1 } : {}),
            ...(i % 11 === 0 ? { for_s: 60 } : {}),
          },
        },
        { id: "a", type: "alert", config: { message: "{node_name} {metric} {value}" } },
      ],
      edges: [{ from: "t", to: "a" }],
    };
  });
}

/** A gateway process with its senders' state. */
interface IngestWorld {
  gw: BenchGateway;
  auth: string[];
  /** The next batch_seq of every sender. */
  seq: number;
}

async function ingestWorld(nodes: NodeMetrics[], flows: number): Promise<IngestWorld> {
  const gw = await startBenchGateway(SENDERS);
  try {
    for (const flow of benchFlows(nodes[0]!.specs).slice(0, flows)) {
      await gw.admin.request("POST", "/v1/flows", { body: flow });
    }
    return { gw, auth: gw.agents.map((a) => `Bearer ${a.token}`), seq: 0 };
  } catch (error) {
    await gw[Symbol.asyncDispose]();
    throw error;
  }
}

/** What one round measured. */
interface Round {
  /** Samples acknowledged per second of wall time. */
  rate: number;
  /** The gateway process's CPU time (all its threads) per sample, µs. */
  cpuUs: number;
}

/** One closed-loop round of `SECONDS`: every sender posts its next batch once the last is acknowledged. */
async function ingestRound(
  world: IngestWorld,
  nodes: NodeMetrics[],
  base: number,
  tps: number,
): Promise<Round> {
  const { gw, auth } = world;
  const first = world.seq;
  let samples = 0, last = first;
  const cpu0 = cpuSeconds(gw.pid, tps);
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(nodes.map(async (node, i) => {
    for (let seq = first; performance.now() < deadline; seq++) {
      const res = await fetch(`${gw.baseUrl}/v1/telemetry`, {
        method: "POST",
        headers: { authorization: auth[i]!, "content-type": "application/json" },
        body: node.gatewayBody(gw.agents[i]!.id, "flows-bench", seq, base + seq * BATCH_STEP_MS),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text}`);
      samples += METRICS_PER_NODE;
      last = Math.max(last, seq + 1);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  world.seq = last;
  return { rate: samples / seconds, cpuUs: (cpuSeconds(gw.pid, tps) - cpu0) * 1e6 / samples };
}

async function ingestRates(): Promise<Record<"none" | "many", Round>> {
  const tps = await clockTicksPerSecond();
  const nodes = Array.from({ length: SENDERS }, (_, i) => new NodeMetrics(i, SENDERS));
  const base = Math.floor((Date.now() - HISTORY_MS) / 60_000) * 60_000;
  const maxBatches = Math.floor(HISTORY_MS / BATCH_STEP_MS);
  const worlds = {
    none: await ingestWorld(nodes, 0),
    many: await ingestWorld(nodes, FLOWS),
  };
  const rounds = { none: [] as Round[], many: [] as Round[] };
  try {
    // Round -1 warms both up (JIT, connections, series creation) and is not counted.
    for (let r = -1; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ["none", "many"] as const : ["many", "none"] as const;
      for (const name of order) {
        const round = await ingestRound(worlds[name], nodes, base, tps);
        if (worlds[name].seq >= maxBatches) throw new Error("--rounds × --seconds too long");
        if (r >= 0) rounds[name].push(round);
      }
    }
  } finally {
    await worlds.none.gw[Symbol.asyncDispose]();
    await worlds.many.gw[Symbol.asyncDispose]();
  }
  const show = (rs: Round[]) =>
    rs.map((r) => `${Math.round(r.rate / 1000)}k/s ${r.cpuUs.toFixed(2)} µs`).join(", ");
  console.log(`  rounds, no flows:    ${show(rounds.none)}`);
  console.log(`  rounds, 1,000 flows: ${show(rounds.many)}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = (rs: Round[]): Round => ({
    rate: median(rs.map((r) => r.rate)),
    cpuUs: median(rs.map((r) => r.cpuUs)),
  });
  return { none: summary(rounds.none), many: summary(rounds.many) };
}

async function enroll(h: Harness, n: number) {
  const join = await h.joinToken(n + 1);
  const agents: { id: string; token: string }[] = [];
  for (let i = 0; i < n; i++) {
    const b = await (await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: join,
        hardware: { serial: `FLB${String(i).padStart(6, "0")}` },
        hostname: `f${i}`,
      },
    })).json();
    agents.push({ id: b.node_id, token: b.agent_token });
  }
  return agents;
}

async function crossingLatency(): Promise<number[]> {
  await using h = await createHarness();
  const admin = await h.tokenFor("admin");
  await (await h.request("/v1/flows", {
    method: "POST",
    token: admin,
    json: {
      name: "hot",
      steps: [
        { id: "t", type: "sensor_value", config: { metric: "soc.temp", operator: ">", value: 45 } },
        { id: "a", type: "alert", config: { message: "{node_name} hot", auto_resolve: true } },
      ],
      edges: [{ from: "t", to: "a" }],
    },
  })).body?.cancel();
  const [agent] = await enroll(h, 1);
  const alertCount = h.deps.db.prepare("SELECT count(*) AS n FROM flow_alerts");
  const latencies: number[] = [];
  for (let i = 0; i < CROSSINGS; i++) {
    // Cool down first (resolves the previous alert), then cross.
    for (const value of [40, 50]) {
      const before = (alertCount.get() as { n: number }).n;
      const t0 = performance.now();
      const res = h.request("/v1/telemetry", {
        method: "POST",
        token: agent!.token,
        json: {
          node_id: agent!.id,
          epoch: "lat",
          batch_seq: i * 2 + (value === 50 ? 1 : 0),
          samples: [{
            metric: "soc.temp",
            ts: h.clock.now() - 100_000 + i * 2 + (value === 50 ? 1 : 0),
            value,
          }],
        },
      });
      if (value === 50) {
        // The alert commits on its own, without waiting for the samples' group commit.
        while ((alertCount.get() as { n: number }).n === before) {
          await new Promise((r) => setTimeout(r, 0));
        }
        latencies.push(performance.now() - t0);
      }
      await (await res).body?.cancel();
    }
  }
  return latencies.sort((a, b) => a - b);
}

const { none, many } = await ingestRates();
console.log(
  `ingest, two gateway processes × ${SENDERS} closed-loop senders × ${METRICS_PER_NODE} samples, ` +
    `median of ${ROUNDS} alternating rounds of ${SECONDS} s:`,
);
const perS = (r: Round) => `${Math.round(r.rate).toLocaleString("en")} samples/s`;
console.log(
  `  no flows:                 ${perS(none)}, gateway CPU ${none.cpuUs.toFixed(2)} µs/sample`,
);
console.log(
  `  1,000 sensor_value flows: ${perS(many)}, gateway CPU ${many.cpuUs.toFixed(2)} µs/sample`,
);
console.log(
  `  ratio: ${(many.rate / none.rate * 100).toFixed(1)} % of the no-flow rate (target ≥ 90 %); ` +
    `by gateway CPU per sample ${(none.cpuUs / many.cpuUs * 100).toFixed(1)} %`,
);
const lat = await crossingLatency();
const pick = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(2);
console.log(
  `crossing → alert row committed, ${lat.length} crossings: p50 ${pick(0.5)} ms, p99 ${
    pick(0.99)
  } ms (target p99 < 50 ms)`,
);
