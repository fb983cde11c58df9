/**
 * Cost of inline `sensor_value` evaluation on the ingest path: one node's
 * 100-sample batch (20 metrics × 5 label sets) through
 * `SensorValueTriggers.evaluate()` with no triggers loaded versus 1,000
 * loaded — 980 on metrics the batch does not carry, 20 on its metrics (a mix
 * of all nodes, a node list and a label filter) — so the cost per sample is
 * visible. Also: the same 1,000 when every watched sample crosses or re-arms
 * (state written, one transaction per call; the worst case), and 1,000
 * per-node triggers on one of the batch's metrics (the node index at work),
 * and 1,000 on other metrics only. Then the way ingest calls it, with the
 * telemetry store's series ids: the mixed 1,000, and 1,000 all on the
 * batch's metrics (50 watching every sample, half of them crossed — the
 * quiet path at its busiest). For scale, a reference: validating the
 * same batch with `telemetryBatchSchema`, one of the things every ingest
 * does anyway (a lower bound of ingest's own cost per sample).
 *
 * Divide the time per iteration by 100 for the cost per sample.
 *
 * Run: `deno bench -A bench/flow_triggers_bench.ts`
 */
import { createLogger } from "../lib/log.ts";
import { sensorValueTriggerSchema } from "../lib/schemas/flows.ts";
import { telemetryBatchSchema } from "../lib/schemas/telemetry.ts";
import { type SensorSample, SensorValueTriggers } from "../gateway/flows/triggers/sensor_value.ts";
import type { SensorValueTrigger } from "../gateway/flows/triggers/sensor_value.ts";
import { openGatewayDatabase } from "../gateway/start.ts";

const NODE = "n-0000000000aa";
const FLOWS = 1000;
const BATCH_METRICS = 20;
const LABEL_SETS = 5;
const THRESHOLD = 1e6;

const dir = await Deno.makeTempDir({ prefix: "halo-flow-triggers-bench-" });
const { db } = await openGatewayDatabase(
  dir,
  createLogger({ component: "bench", write: () => {} }),
);
globalThis.addEventListener("unload", () => {
  db.close();
  Deno.removeSync(dir, { recursive: true });
});
const insertFlow = db.prepare(
  `INSERT INTO flows (id, name, created_at, created_by, updated_at, updated_by)
   VALUES (?, ?, 0, 'bench', 0, 'bench')`,
);
for (let id = 1; id <= FLOWS; id++) insertFlow.run(id, `flow ${id}`);

const nodeId = (i: number) => `n-${i.toString(16).padStart(12, "0")}`;
const trigger = (flowId: number, config: Record<string, unknown>): SensorValueTrigger => ({
  flowId,
  version: 1,
  stepId: "t",
  config: sensorValueTriggerSchema.parse(config),
});

/** 980 triggers on other metrics, 20 on the batch's: all nodes, a node list, a label filter. */
const mixed: SensorValueTrigger[] = [];
for (let i = 0; i < FLOWS - BATCH_METRICS; i++) {
  mixed.push(trigger(i + 1, {
    metric: `other.metric${i}`,
    operator: ">",
    value: THRESHOLD,
    ...(i % 2 === 0 ? {} : { nodes: [nodeId(i), NODE] }),
  }));
}
for (let m = 0; m < BATCH_METRICS; m++) {
  const scope = m % 3 === 0
    ? {}
    : m % 3 === 1
    ? { nodes: [NODE, nodeId(m)] }
    : { labels: { core: String(m % LABEL_SETS) } };
  mixed.push(trigger(FLOWS - BATCH_METRICS + m + 1, {
    metric: `node.metric${m}`,
    operator: ">",
    value: THRESHOLD,
    hysteresis: 10,
    ...scope,
  }));
}

/** 1,000 flows, one per node, all on the batch's first metric. */
const perNode: SensorValueTrigger[] = [];
for (let i = 0; i < FLOWS; i++) {
  perNode.push(trigger(i + 1, {
    metric: "node.metric0",
    operator: ">",
    value: THRESHOLD,
    nodes: [i === 0 ? NODE : nodeId(i)],
  }));
}

/** 1,000 flows on the batch's metrics: 50 a metric, above and below, some with hysteresis. */
const dense: SensorValueTrigger[] = [];
for (let i = 0; i < FLOWS; i++) {
  const below = i % 2 === 1;
  dense.push(trigger(i + 1, {
    metric: `node.metric${i % BATCH_METRICS}`,
    operator: below ? "<" : ">",
    // Every value of batch(false) lies between -1 and 100: the "<" triggers cross at once.
    value: below ? 1000 : THRESHOLD,
    ...(i % 3 === 0 ? { hysteresis: 5 } : {}),
  }));
}

let ts = Date.UTC(2026, 10, 23, 12, 0, 0);
/** One node's batch, reused: each call moves it 10 s on, so no sample is out of order. */
const samples: SensorSample[] = [];
for (let m = 0; m < BATCH_METRICS; m++) {
  for (let l = 0; l < LABEL_SETS; l++) {
    samples.push({ metric: `node.metric${m}`, labels: { core: String(l) }, ts, value: 0 });
  }
}
/** The batch, newer than the last; `high` puts every value above the threshold. */
function batch(high: boolean): SensorSample[] {
  ts += 10_000;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    s.ts = ts;
    s.value = high ? THRESHOLD * 2 : i;
  }
  return samples;
}

const elsewhere = new SensorValueTriggers(db);
elsewhere.load(mixed.slice(0, FLOWS - BATCH_METRICS));
const none = new SensorValueTriggers(db);
none.load([]);
const loaded = new SensorValueTriggers(db);
loaded.load(mixed);
const crossing = new SensorValueTriggers(db);
crossing.load(mixed);
const byNode = new SensorValueTriggers(db);
byNode.load(perNode);
const mixedById = new SensorValueTriggers(db);
mixedById.load(mixed);
const denseById = new SensorValueTriggers(db);
denseById.load(dense);
/** The batch's series ids, as the telemetry store gives them. */
const seriesIds = Uint32Array.from(samples, (_, i) => i + 1);

// Figures per sample, printed before deno bench's own table.
function perSample(
  triggers: SensorValueTriggers,
  iterations: number,
  alternate: boolean,
  ids?: Uint32Array,
): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    triggers.evaluate(NODE, batch(alternate && i % 2 === 0), ts, ids);
  }
  return (performance.now() - start) * 1e6 / (iterations * samples.length);
}
perSample(none, 2000, false);
perSample(loaded, 2000, false);
perSample(mixedById, 2000, false, seriesIds);
perSample(denseById, 2000, false, seriesIds);
const body = { node_id: NODE, epoch: "bench", batch_seq: 1, samples };
const validate = () => {
  const start = performance.now();
  for (let i = 0; i < 2000; i++) telemetryBatchSchema.parse(body);
  return (performance.now() - start) * 1e6 / (2000 * samples.length);
};
validate();
const figures = {
  "0 triggers": perSample(none, 20_000, false),
  "980 triggers, none on the batch's metrics": perSample(elsewhere, 20_000, false),
  "1,000 triggers, no crossing": perSample(loaded, 20_000, false),
  "1,000 per-node triggers on one metric": perSample(byNode, 20_000, false),
  "1,000 triggers, every watched sample changes state": perSample(crossing, 200, true),
  "by series id: 1,000 triggers, no crossing": perSample(mixedById, 20_000, false, seriesIds),
  "by series id: 1,000 on the batch's metrics (50 a sample)": perSample(
    denseById,
    20_000,
    false,
    seriesIds,
  ),
  "reference: telemetryBatchSchema.parse() of the batch": validate(),
};
console.log("evaluate() cost per sample (100-sample batches):");
for (const [name, ns] of Object.entries(figures)) {
  console.log(`  ${name.padEnd(58)} ${ns.toFixed(1).padStart(9)} ns`);
}

Deno.bench("evaluate() 100 samples, 0 triggers", { group: "evaluate", baseline: true }, () => {
  none.evaluate(NODE, batch(false), ts);
});

Deno.bench("evaluate() 100 samples, 1,000 triggers (20 on the batch's metrics), no crossing", {
  group: "evaluate",
}, () => {
  loaded.evaluate(NODE, batch(false), ts);
});

Deno.bench("evaluate() 100 samples, 1,000 per-node triggers on one of its metrics", {
  group: "evaluate",
}, () => {
  byNode.evaluate(NODE, batch(false), ts);
});

Deno.bench(
  "evaluate() 100 samples, 980 triggers, none on its metrics",
  { group: "evaluate" },
  () => {
    elsewhere.evaluate(NODE, batch(false), ts);
  },
);

Deno.bench("evaluate() by series id, 100 samples, 1,000 triggers on its metrics (50 a sample)", {
  group: "evaluate",
}, () => {
  denseById.evaluate(NODE, batch(false), ts, seriesIds);
});

let high = false;
Deno.bench("evaluate() 100 samples, 1,000 triggers, every watched sample changes state (writes)", {
  group: "evaluate",
}, () => {
  high = !high;
  crossing.evaluate(NODE, batch(high), ts);
});

Deno.bench("reference: telemetryBatchSchema.parse() of the same 100 samples", {
  group: "evaluate",
}, () => {
  telemetryBatchSchema.parse(body);
});
