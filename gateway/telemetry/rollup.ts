import type { PointList } from "./head.ts";

/** Aggregates per bucket: start time, min, max, sum and count. */
export interface RollupList {
  ts: number[];
  min: number[];
  max: number[];
  sum: number[];
  count: number[];
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Buckets sorted points into `bucketMs` buckets (aligned to the epoch). */
export function rollUp(points: PointList, bucketMs: number): RollupList {
  const out: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
  for (let i = 0; i < points.ts.length; i++) {
    const bucket = Math.floor(points.ts[i]! / bucketMs) * bucketMs;
    const v = points.values[i]!;
    const last = out.ts.length - 1;
    if (last >= 0 && out.ts[last] === bucket) {
      out.min[last] = Math.min(out.min[last]!, v);
      out.max[last] = Math.max(out.max[last]!, v);
      out.sum[last] = out.sum[last]! + v;
      out.count[last] = out.count[last]! + 1;
    } else {
      out.ts.push(bucket);
      out.min.push(v);
      out.max.push(v);
      out.sum.push(v);
      out.count.push(1);
    }
  }
  return out;
}

/** Combines rollups of finer buckets into `bucketMs` buckets. */
export function rollUpRollups(input: RollupList, bucketMs: number): RollupList {
  const out: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
  for (let i = 0; i < input.ts.length; i++) {
    const bucket = Math.floor(input.ts[i]! / bucketMs) * bucketMs;
    const last = out.ts.length - 1;
    if (last >= 0 && out.ts[last] === bucket) {
      out.min[last] = Math.min(out.min[last]!, input.min[i]!);
      out.max[last] = Math.max(out.max[last]!, input.max[i]!);
      out.sum[last] = out.sum[last]! + input.sum[i]!;
      out.count[last] = out.count[last]! + input.count[i]!;
    } else {
      out.ts.push(bucket);
      out.min.push(input.min[i]!);
      out.max.push(input.max[i]!);
      out.sum.push(input.sum[i]!);
      out.count.push(input.count[i]!);
    }
  }
  return out;
}

/** Two rollup lists merged in time order (buckets not combined). */
export function concatRollups(a: RollupList, b: RollupList): RollupList {
  const order = [...a.ts.map((t, i) => ({ t, s: a, i })), ...b.ts.map((t, i) => ({ t, s: b, i }))]
    .sort((x, y) => x.t - y.t);
  const out: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
  for (const { s, i } of order) {
    out.ts.push(s.ts[i]!);
    out.min.push(s.min[i]!);
    out.max.push(s.max[i]!);
    out.sum.push(s.sum[i]!);
    out.count.push(s.count[i]!);
  }
  return out;
}
