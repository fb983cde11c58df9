/**
 * (d) query latency over a store holding 10 million raw samples: 20 nodes ×
 * 100 metrics = 2,000 series × 5,000 samples in the 7 days of raw
 * retention, plus 23 older days at one sample per 15 minutes, whose raw
 * samples retention has dropped while their 1-minute and 1-hour rollups
 * stay, so a 30-day 1-hour query has 720 points. The last 5 minutes stay in
 * the head, as they would on a running gateway.
 *
 * In-process (gateway/testing/harness.ts): the real app and a real SQLite
 * file with a fake clock that is moved day by day, ingesting each day's
 * samples through the store (samples older than raw retention are refused)
 * and compacting and applying retention after each, as the gateway's loop
 * would. Queries go through the HTTP API with `app.request()` and a viewer
 * token — routing, auth, validation, JSON — without a socket.
 */
import { checkBatch } from "../gateway/telemetry/batch_check.ts";
import { createHarness } from "../gateway/testing/harness.ts";
import type { Sample } from "../lib/schemas/telemetry.ts";
import { METRICS_PER_NODE, NodeMetrics } from "./_telemetry_load.ts";
import { detail, type Figure, fmt } from "./_telemetry_report.ts";

const NODES = 20;
const DAY = 86_400_000;
const RAW_DAYS = 7;
const DAYS = 30;
const RAW_SAMPLES_PER_SERIES = 5000;
/** 7 days / 5,000 samples. */
const RAW_STEP_MS = (RAW_DAYS * DAY) / RAW_SAMPLES_PER_SERIES;
const OLD_STEP_MS = 15 * 60_000;
const HEAD_MS = 5 * 60_000;
const BATCH = 5000;

/** Options for {@linkcode runQueryLatency}. */
export interface QueryOptions {
  /** Queries of each kind. */
  queries: number;
}

/** A small deterministic PRNG, so every run asks the same queries. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Runs (d); returns its figures. */
export async function runQueryLatency(options: QueryOptions): Promise<Figure[]> {
  const part = "d";
  const buildStart = performance.now();
  await using h = await createHarness();
  const join = await h.joinToken(NODES);
  const nodes: { id: string; metrics: NodeMetrics }[] = [];
  for (let i = 0; i < NODES; i++) {
    const res = await h.request("/v1/enroll", {
      method: "POST",
      json: {
        join_token: join,
        hardware: { serial: `QBENCH${String(i).padStart(4, "0")}` },
        hostname: `q${i}`,
      },
    });
    const body = await res.json() as { node_id: string };
    nodes.push({ id: body.node_id, metrics: new NodeMetrics(i, NODES) });
  }
  const begin = Math.ceil(h.clock.now() / DAY) * DAY;
  const end = begin + DAYS * DAY;
  const rawFrom = end - RAW_DAYS * DAY;
  /** Sample times in [from, to): the old grid before `rawFrom`, the dense one after. */
  const times = (from: number, to: number) => {
    const out: number[] = [];
    for (
      let t = Math.ceil((from - begin) / OLD_STEP_MS) * OLD_STEP_MS + begin;
      t < Math.min(to, rawFrom);
      t += OLD_STEP_MS
    ) out.push(t);
    const k0 = Math.max(0, Math.ceil((from - rawFrom) / RAW_STEP_MS));
    for (let k = k0; rawFrom + k * RAW_STEP_MS < to; k++) {
      out.push(Math.round(rawFrom + k * RAW_STEP_MS));
    }
    return out;
  };
  let seq = 0;
  let ingested = 0;
  const ingest = async (from: number, to: number) => {
    const ts = times(from, to);
    for (const node of nodes) {
      let samples: Sample[] = [];
      const send = async () => {
        const body = JSON.stringify({
          node_id: node.id,
          epoch: "query-bench",
          batch_seq: seq++,
          samples,
        });
        const checked = checkBatch(JSON.parse(body));
        if ("issues" in checked) throw new TypeError(checked.issues[0]!.message);
        await h.deps.telemetry.ingest(node.id, checked, body);
        ingested += samples.length;
        samples = [];
      };
      for (const t of ts) {
        samples.push(...node.metrics.samples(t));
        if (samples.length >= BATCH) await send();
      }
      if (samples.length > 0) await send();
    }
  };
  for (let day = 0; day < DAYS; day++) {
    const from = begin + day * DAY;
    const last = day === DAYS - 1;
    const to = last ? end - HEAD_MS : from + DAY;
    await h.clock.tick(to - h.clock.now());
    await ingest(from, to);
    await h.deps.telemetry.compact();
    h.deps.telemetry.applyRetention();
  }
  await h.clock.tick(end - h.clock.now());
  await ingest(end - HEAD_MS, end);
  h.deps.telemetry.flush();
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const db = h.deps.db;
  const raw = db.prepare("SELECT sum(count) AS n, count(*) AS chunks FROM telemetry_raw").get() as {
    n: number;
    chunks: number;
  };
  const hours = (db.prepare("SELECT count(*) AS n FROM telemetry_1h").get() as { n: number }).n;
  const pages = db.prepare("PRAGMA page_count").get() as { page_count: number };
  detail(
    part,
    `store built in ${fmt(buildSeconds, 1)} s (${fmt(ingested)} samples ingested in-process ` +
      `over ${DAYS} fake-clock days, compacted daily): ${fmt(raw.n)} raw samples in ${
        fmt(raw.chunks)
      } chunks + ${fmt(h.deps.telemetry.health().head_samples)} in the head, ${
        fmt(hours)
      } hourly rows, ${NODES * METRICS_PER_NODE} series, database ${
        fmt((pages.page_count * 4096) / 1e6, 0)
      } MB`,
  );

  const viewer = await h.tokenFor("viewer");
  const random = prng(4);
  const ask = async (kind: "1h raw" | "30d 1h") => {
    const node = nodes[Math.floor(random() * NODES)]!;
    const spec = node.metrics.specs[Math.floor(random() * METRICS_PER_NODE)]!;
    const [from, to, resolution] = kind === "1h raw"
      ? (() => {
        const f = Math.round(rawFrom + random() * (end - rawFrom - 3600_000));
        return [f, f + 3600_000, "raw"];
      })()
      : [end - DAYS * DAY, end, "1h"];
    const params = new URLSearchParams({
      node: node.id,
      metric: spec.metric,
      from: String(from),
      to: String(to),
      resolution: String(resolution),
    });
    if (spec.labels) {
      params.set("labels", Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(","));
    }
    const started = performance.now();
    const res = await h.request(`/v1/telemetry?${params}`, { token: viewer });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`Query failed: ${res.status} ${text}`);
    const body = JSON.parse(text) as { series: { points: unknown[] }[] };
    if (body.series.length !== 1) {
      throw new Error(`Expected one series for ${params}, got ${body.series.length}`);
    }
    return { ms, points: body.series[0]!.points.length };
  };
  const figures: Figure[] = [];
  for (const [kind, target] of [["1h raw", 10], ["30d 1h", 20]] as const) {
    for (let i = 0; i < 50; i++) await ask(kind); // warm-up: JIT, statement caches
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < options.queries; i++) {
      const r = await ask(kind);
      times.push(r.ms);
      points += r.points;
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 0.5), p99 = percentile(times, 0.99);
    detail(
      part,
      `${
        kind === "1h raw" ? "one-hour raw" : "30-day 1-hour"
      } single-series query × ${options.queries}: p50 ${fmt(p50, 2)} ms, p99 ${
        fmt(p99, 2)
      } ms, max ${fmt(times.at(-1)!, 2)} ms, ` +
        `mean ${fmt(times.reduce((a, b) => a + b, 0) / times.length, 2)} ms; ${
          fmt(points / options.queries, 1)
        } points per answer (target p99 < ${target} ms)`,
    );
    figures.push({
      part: "d",
      name: `${kind === "1h raw" ? "1-hour raw" : "30-day 1h"} query, 10 M samples, p50 / p99`,
      value: `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`,
      target: `p99 < ${target} ms`,
    });
  }
  figures.push({
    part: "d",
    name: "building that store (in-process, fake clock)",
    value: `${fmt(buildSeconds, 0)} s`,
    target: "—",
  });
  return figures;
}
