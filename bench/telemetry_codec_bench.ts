/**
 * Telemetry codecs: bytes per sample and CPU per sample for realistic data —
 * 5,000 series, a quarter each of CPU % (1 decimal), SoC temperature °C
 * (2 decimals), byte counters and full-precision random floats, sampled every
 * 10 s. Prints a table of figures first, then `deno bench` times.
 *
 * Run: `deno bench -A bench/telemetry_codec_bench.ts`
 */
import {
  decodeChunk,
  decodeRollups,
  encodeChunk,
  encodeRollups,
} from "../gateway/telemetry/chunk_codec.ts";
import {
  decodeLogRecord,
  encodeLogRecord,
  type LogBatch,
  type LogRecord,
} from "../gateway/telemetry/log_codec.ts";

const KINDS = ["cpu %", "temp °C", "counter", "random"] as const;
type Kind = typeof KINDS[number];
const T0 = 1_763_900_000_000;
const STEP = 10_000;

/** A small deterministic PRNG, so every run measures the same data. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` consecutive values of one series of this kind. */
function seriesValues(kind: Kind, n: number, seed: number): number[] {
  const rand = prng(seed);
  const out: number[] = [];
  let x = kind === "cpu %"
    ? 20 + rand() * 30
    : kind === "temp °C"
    ? 40 + rand() * 15
    : 1e9 * rand();
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case "cpu %": // busy-ish load that wanders, one decimal as /proc/stat gives it
        x = Math.min(100, Math.max(0, x + (rand() - 0.5) * 8));
        out.push(Math.round(x * 10) / 10);
        break;
      case "temp °C": // SoC temperature: slow drift, 2 decimals
        x += (rand() - 0.5) * 0.3;
        out.push(Math.round(x * 100) / 100);
        break;
      case "counter": // interface bytes: a few kB/s with bursts
        x += Math.floor(20_000 + rand() * 5_000 + (rand() < 0.05 ? rand() * 1e6 : 0));
        out.push(x);
        break;
      case "random":
        out.push(rand() * 1000);
    }
  }
  return out;
}

const SERIES = 5000;
const kindOf = (s: number): Kind => KINDS[s % KINDS.length]!;

function batchKey(i: number): LogBatch {
  const hash = new Uint8Array(16);
  const rand = prng(i + 99);
  for (let j = 0; j < 16; j++) hash[j] = Math.floor(rand() * 256);
  return {
    nodeId: `n-${(0x10000000000 + i).toString(16).slice(-12)}`,
    epoch: "k3J9x2mQ",
    seq: 1000 + i,
    hash,
    receivedAt: T0 + 400 + i,
  };
}

/**
 * What a group commit holds: `perSeries` samples of each of `series` series,
 * in arrival order (batches of 100 samples, one node's metrics per batch), with
 * one batch key per 100 samples.
 */
function logRecord(series: number, perSeries: number): LogRecord {
  const values = Array.from(
    { length: series },
    (_, s) => seriesValues(kindOf(s), perSeries, s + 1),
  );
  const record: LogRecord = { batches: [], seriesIds: [], ts: [], values: [] };
  const ids = record.seriesIds as number[];
  for (let step = 0; step < perSeries; step++) {
    for (let s = 0; s < series; s++) {
      ids.push(s + 1);
      record.ts.push(T0 + step * STEP);
      record.values.push(values[s]![step]!);
    }
  }
  const batches = Math.ceil(ids.length / 100);
  for (let b = 0; b < batches; b++) record.batches.push(batchKey(b));
  return record;
}

function timeIt(fn: () => void, minMs = 300): number {
  fn();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits).padStart(8);
console.log("\ntelemetry codecs: bytes and time per sample");
console.log("what                                 samples    B/sample   enc ns/s   dec ns/s");

function report(label: string, samples: number, bytes: number, enc: number, dec: number): void {
  console.log(
    `${label.padEnd(36)} ${String(samples).padStart(7)}   ${fmt(bytes / samples)}   ${
      fmt(enc * 1e6 / samples, 0)
    }   ${fmt(dec * 1e6 / samples, 0)}`,
  );
}

// Raw chunks: 60 samples (10 minutes at 10 s) per series.
const ts60 = Array.from({ length: 60 }, (_, i) => T0 + i * STEP);
for (const kind of KINDS) {
  const chunks = Array.from({ length: 200 }, (_, s) => ({
    ts: ts60,
    values: seriesValues(kind, 60, s + 1),
  }));
  const encoded = chunks.map(encodeChunk);
  const bytes = encoded.reduce((a, e) => a + e.length, 0);
  const enc = timeIt(() => chunks.forEach(encodeChunk));
  const dec = timeIt(() => encoded.forEach(decodeChunk));
  report(`chunk of 60, ${kind}`, 200 * 60, bytes, enc, dec);
}
{
  const chunks = Array.from({ length: 200 }, (_, s) => ({
    ts: ts60,
    values: seriesValues(kindOf(s), 60, s + 1),
  }));
  const encoded = chunks.map(encodeChunk);
  const bytes = encoded.reduce((a, e) => a + e.length, 0);
  const enc = timeIt(() => chunks.forEach(encodeChunk));
  const dec = timeIt(() => encoded.forEach(decodeChunk));
  report("chunk of 60, mix of the four", 200 * 60, bytes, enc, dec);
}

// Rollups: a day of 1-minute buckets of 6 samples each, per series.
const rollups = Array.from({ length: 100 }, (_, s) => {
  const v = seriesValues(kindOf(s), 1440 * 6, s + 1);
  const r = {
    ts: [] as number[],
    min: [] as number[],
    max: [] as number[],
    sum: [] as number[],
    count: [] as number[],
  };
  for (let m = 0; m < 1440; m++) {
    const part = v.slice(m * 6, m * 6 + 6);
    r.ts.push(T0 + m * 60_000);
    r.min.push(Math.min(...part));
    r.max.push(Math.max(...part));
    r.sum.push(part.reduce((a, b) => a + b, 0));
    r.count.push(6);
  }
  return r;
});
{
  const encoded = rollups.map(encodeRollups);
  const bytes = encoded.reduce((a, e) => a + e.length, 0);
  const enc = timeIt(() => rollups.forEach(encodeRollups));
  const dec = timeIt(() => encoded.forEach(decodeRollups));
  report("1-min rollup points, mix (per point)", 100 * 1440, bytes, enc, dec);
}

// Log records: a realistic 1 s group commit, and a big one.
const commit = logRecord(500, 1); // 50 nodes × 100 metrics every 10 s: 500 samples a second
const big = logRecord(SERIES, 50); // 250,000 samples
for (
  const [label, record] of [["log record, 1 s commit (500)", commit], [
    "log record, 5,000 × 50",
    big,
  ]] as const
) {
  const bytes = encodeLogRecord(record);
  const enc = timeIt(() => encodeLogRecord(record), 1000);
  const dec = timeIt(() => decodeLogRecord(bytes), 1000);
  report(label, record.ts.length, bytes.length, enc, dec);
}
console.log();

const temps = { ts: ts60, values: seriesValues("temp °C", 60, 7) };
const tempChunk = encodeChunk(temps);
Deno.bench("encodeChunk: 60 samples, temperature with 2 decimals", { group: "chunk" }, () => {
  encodeChunk(temps);
});
Deno.bench("decodeChunk: 60 samples, temperature with 2 decimals", { group: "chunk" }, () => {
  decodeChunk(tempChunk);
});
const bigBytes = encodeLogRecord(big);
Deno.bench("encodeLogRecord: 250,000 samples of 5,000 series", { group: "log" }, () => {
  encodeLogRecord(big);
});
Deno.bench("decodeLogRecord: 250,000 samples of 5,000 series", { group: "log" }, () => {
  decodeLogRecord(bigBytes);
});
