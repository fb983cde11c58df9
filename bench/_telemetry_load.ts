/**
 * What the telemetry benchmark sends: 100 plausible metrics per node (CPU,
 * memory, disk, temperatures, power, radio links, interface counters,
 * processes, sensors), each a pure function of (node, metric, time), with
 * the decimals a real tool prints. The same values are encoded for the
 * gateway (`POST /v1/telemetry`) and for VictoriaMetrics (JSON-lines
 * import), so both stores see identical series, timestamps and values.
 *
 * Bodies are built by string concatenation from per-series prefixes: at
 * peak load the load generator shares two cores with the server, and
 * `JSON.stringify` of 100 objects per request would cost it more than the
 * values themselves.
 */
import type { Labels, Sample, Unit } from "../lib/schemas/telemetry.ts";
import type { NodeReportInput } from "../lib/schemas/report.ts";
import { sampleReport } from "../lib/testing/reports.ts";

/** Metrics each simulated node reports. */
export const METRICS_PER_NODE = 100;

interface MetricSpec {
  metric: string;
  unit?: Unit;
  labels?: Labels;
  kind: "gauge" | "counter";
  /** Digits after the decimal point, as the tool reading it prints. */
  decimals: number;
  /** Gauge: typical value. Counter: value at t = 0. */
  base: number;
  /** Gauge: swing of the slow cycle. Counter: increase per second. */
  amp: number;
  /** Gauge: period of the slow cycle, s. */
  periodS: number;
  /** Gauge: size of the per-sample jitter. */
  noise: number;
}

const gauge = (
  metric: string,
  unit: Unit | undefined,
  decimals: number,
  base: number,
  amp: number,
  periodS: number,
  noise: number,
  labels?: Labels,
): MetricSpec => ({
  metric,
  ...(unit !== undefined ? { unit } : {}),
  ...(labels ? { labels } : {}),
  kind: "gauge",
  decimals,
  base,
  amp,
  periodS,
  noise,
});

const counter = (
  metric: string,
  unit: Unit,
  decimals: number,
  perSecond: number,
  labels?: Labels,
): MetricSpec => ({
  metric,
  unit,
  ...(labels ? { labels } : {}),
  kind: "counter",
  decimals,
  base: 1e6 * perSecond,
  amp: perSecond,
  periodS: 1,
  noise: 0,
});

/** The 100 metrics of node `i` of `n` (link labels name its neighbours). */
function metricSpecs(i: number, n: number): MetricSpec[] {
  const specs: MetricSpec[] = [
    gauge("cpu.usage", "%", 1, 12, 8, 300, 3),
    ...[0, 1, 2, 3].map((c) => gauge("cpu.core.usage", "%", 1, 12, 9, 240, 5, { core: `${c}` })),
    gauge("cpu.load1", undefined, 2, 0.6, 0.4, 300, 0.1),
    gauge("cpu.load5", undefined, 2, 0.55, 0.3, 900, 0.03),
    gauge("cpu.load15", undefined, 2, 0.5, 0.2, 2700, 0.01),
    gauge("mem.used", "%", 1, 38, 4, 3600, 0.3),
    gauge("mem.available", "B", 0, 1.2e9, 8e7, 3600, 4e6),
    gauge("swap.used", "%", 1, 2, 1, 7200, 0.1),
    gauge("disk.used", "%", 2, 31, 0.2, 86400, 0.01),
    gauge("disk.read", "B/s", 0, 2e4, 1.5e4, 600, 5e3),
    gauge("disk.write", "B/s", 0, 6e4, 4e4, 600, 2e4),
    gauge("soc.temp", "°C", 1, 48, 6, 1800, 0.4),
    gauge("pmic.temp", "°C", 1, 41, 5, 1800, 0.3),
    gauge("board.temp", "°C", 1, 33, 4, 3600, 0.2),
    gauge("fan.speed", "rpm", 0, 2400, 600, 900, 40),
    gauge("power.voltage", "V", 3, 12.6, 0.4, 7200, 0.004),
    gauge("power.current", "A", 3, 0.42, 0.1, 600, 0.01),
    gauge("power.power", "W", 2, 5.3, 1.2, 600, 0.1),
    counter("power.energy", "Wh", 2, 0.0015),
  ];
  for (let d = 1; d <= 6; d++) {
    const neighbor = { neighbor: `n${(i + d) % n}` };
    specs.push(gauge("link.signal", "dBm", 1, -58 - 4 * d, 3, 1200, 0.8, neighbor));
    specs.push(gauge("link.tq", "count", 0, 230 - 10 * d, 12, 600, 3, neighbor));
    specs.push(gauge("link.throughput", "bit/s", 0, 8e6 / d, 2e6 / d, 600, 3e5, neighbor));
  }
  specs.push(
    gauge("wifi.noise", "dBm", 1, -95, 2, 1800, 0.5),
    gauge("wifi.channel_busy", "%", 1, 22, 10, 600, 2),
    counter("wifi.tx_retries", "count", 0, 3),
    counter("wifi.tx_failed", "count", 0, 0.05),
    counter("wifi.beacon_loss", "count", 0, 0.01),
    gauge("mesh.originators", "count", 0, Math.min(n, 40), 2, 3600, 0.4),
  );
  const ifaces = ["eth0", "wlan1", "bat0", "wg0"];
  for (
    const [metric, unit, rate] of [
      ["net.rx_bytes", "B", 40_000],
      ["net.tx_bytes", "B", 25_000],
      ["net.rx_packets", "count", 60],
      ["net.tx_packets", "count", 45],
      ["net.rx_errors", "count", 0.02],
      ["net.tx_dropped", "count", 0.05],
    ] as const
  ) {
    ifaces.forEach((iface, k) => specs.push(counter(metric, unit, 0, rate / (k + 1), { iface })));
  }
  for (const proc of ["halo-agent", "halo-mesh", "halo-field", "sshd", "chronyd"]) {
    specs.push(gauge("proc.rss", "B", 0, 2.4e7, 2e6, 3600, 5e4, { proc }));
  }
  for (const proc of ["halo-agent", "halo-mesh", "halo-field", "sshd", "chronyd"]) {
    specs.push(gauge("proc.cpu", "%", 1, 1.5, 1, 300, 0.4, { proc }));
  }
  specs.push(
    gauge("env.temp", "°C", 2, 14, 6, 86400, 0.05, { sensor: "bme280" }),
    gauge("env.humidity", "%", 2, 68, 15, 86400, 0.1, { sensor: "bme280" }),
    gauge("env.pressure", "hPa", 2, 1002, 4, 43200, 0.03, { sensor: "bme280" }),
  );
  for (let c = 0; c < 8; c++) {
    specs.push(gauge("adc.voltage", "mV", 1, 1650, 300, 900 + 60 * c, 2, { channel: `${c}` }));
  }
  for (let p = 1; p <= 4; p++) {
    specs.push(gauge("soil.moisture", "%", 1, 30 + 5 * p, 3, 86400, 0.1, { probe: `${p}` }));
  }
  specs.push(
    gauge("light.level", "lx", 1, 12_000, 11_000, 86400, 150),
    gauge("wind.speed", "m/s", 1, 3.5, 2.5, 1200, 0.6),
    gauge("wind.direction", "deg", 0, 220, 60, 3600, 8),
    counter("rain.total", "mm", 1, 0.0002),
    gauge("air.co2", "ppm", 0, 430, 25, 7200, 4),
  );
  if (specs.length !== METRICS_PER_NODE) {
    throw new RangeError(`Expected ${METRICS_PER_NODE} metrics, built ${specs.length}`);
  }
  return specs;
}

/** 32-bit mix of two integers: per-sample jitter and per-series phases without state. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

const JSON_STRING = (s: string) => JSON.stringify(s);

/** One simulated node's metrics; values depend only on (node, metric, ts). */
export class NodeMetrics {
  readonly specs: MetricSpec[];
  readonly #phase: number[];
  readonly #seed: number[];
  readonly #scale: number[];
  /** `{"metric":"cpu.usage","ts":` per metric. */
  readonly #gwHead: string[];
  /** `,"unit":"%","labels":{…}}` per metric. */
  readonly #gwTail: string[];

  constructor(readonly index: number, nodeCount: number) {
    this.specs = metricSpecs(index, nodeCount);
    this.#phase = this.specs.map((_, j) => (mix(index, j) / 2 ** 32) * 2 * Math.PI);
    this.#seed = this.specs.map((_, j) => mix(index + 7919, j));
    this.#scale = this.specs.map((s) => 10 ** s.decimals);
    this.#gwHead = this.specs.map((s) => `{"metric":${JSON_STRING(s.metric)},"ts":`);
    this.#gwTail = this.specs.map((s) =>
      (s.unit !== undefined ? `,"unit":${JSON_STRING(s.unit)}` : "") +
      (s.labels ? `,"labels":${JSON.stringify(s.labels)}` : "") + "}"
    );
  }

  /** Value of metric `j` at `ts` (epoch ms), rounded as its tool prints it. */
  value(j: number, ts: number): number {
    const s = this.specs[j]!;
    const scale = this.#scale[j]!;
    const seconds = ts / 1000;
    let v: number;
    if (s.kind === "counter") {
      v = s.base + s.amp * (seconds % 1e7) + (this.#seed[j]! % 1000);
    } else {
      const jitter = mix(this.#seed[j]!, Math.floor(seconds)) / 2 ** 31 - 1;
      v = s.base + s.amp * Math.sin((2 * Math.PI * seconds) / s.periodS + this.#phase[j]!) +
        s.noise * jitter;
      if (s.unit === "%") v = Math.min(100, Math.max(0, v));
    }
    return Math.round(v * scale) / scale;
  }

  /** The node's 100 samples at `ts`, as an agent would send them. */
  samples(ts: number): Sample[] {
    return this.specs.map((s, j) => ({
      metric: s.metric,
      ts,
      value: this.value(j, ts),
      ...(s.unit !== undefined ? { unit: s.unit } : {}),
      ...(s.labels ? { labels: s.labels } : {}),
    }));
  }

  /** `POST /v1/telemetry` body with the node's 100 samples at `ts`. */
  gatewayBody(nodeId: string, epoch: string, seq: number, ts: number): string {
    let body = `{"node_id":"${nodeId}","epoch":"${epoch}","batch_seq":${seq},"samples":[`;
    for (let j = 0; j < METRICS_PER_NODE; j++) {
      if (j > 0) body += ",";
      body += this.#gwHead[j]! + ts + `,"value":` + this.value(j, ts) + this.#gwTail[j]!;
    }
    return body + "]}";
  }

  /**
   * VictoriaMetrics JSON-lines import body with the same 100 samples: one line
   * per series, labelled with `node` (the series identity is (node, metric,
   * labels), as in the gateway).
   */
  vmBody(nodeLabel: string, ts: number): string {
    let body = "";
    for (let j = 0; j < METRICS_PER_NODE; j++) {
      body += this.#vmHead(nodeLabel, j) + this.value(j, ts) + `],"timestamps":[` + ts + "]}\n";
    }
    return body;
  }

  #vmHeads = new Map<string, string[]>();

  #vmHead(nodeLabel: string, j: number): string {
    let heads = this.#vmHeads.get(nodeLabel);
    if (!heads) {
      heads = this.specs.map((s) =>
        `{"metric":${
          JSON.stringify({ __name__: s.metric, node: nodeLabel, ...(s.labels ?? {}) })
        },"values":[`
      );
      this.#vmHeads.set(nodeLabel, heads);
    }
    return heads[j]!;
  }
}

function mac(i: number, nic: number): string {
  const hex = (v: number) => v.toString(16).padStart(2, "0");
  return `02:00:00:${hex(nic)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
}

/** A status report of node `i` of `n` at `uptimeMs` (three interfaces, three links). */
export function nodeReport(i: number, n: number, uptimeMs: number): NodeReportInput {
  return sampleReport({
    uptime_s: Math.round(uptimeMs / 1000),
    hostname: `n${i}`,
    interfaces: [
      {
        name: "eth0",
        kind: "eth",
        mac: mac(i, 0),
        addresses: [`198.18.${i & 255}.${1 + (i >> 8)}/24`],
        up: true,
      },
      { name: "wlan1", kind: "halow", mac: mac(i, 1), addresses: [], up: true },
      {
        name: "bat0",
        kind: "batman",
        mac: mac(i, 2),
        addresses: [`198.19.${1 + (i >> 8)}.${i & 255}/16`],
        up: true,
      },
    ],
    links: [1, 2, 3].map((d) => ({
      iface: "wlan1",
      neighbor_mac: mac((i + d) % n, 1),
      tq: 150 + Math.round(50 * Math.sin(uptimeMs / 60_000 + i + d)),
      signal_dbm: -60 - d,
      last_seen_ms: 300,
    })),
  });
}
