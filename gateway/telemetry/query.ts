import type { Resolution } from "../../lib/schemas/telemetry.ts";
import type { ChunkStore } from "./chunk_store.ts";
import { type Head, mergePoints, type PointList } from "./head.ts";
import {
  concatRollups,
  HOUR_MS,
  MINUTE_MS,
  rollUp,
  type RollupList,
  rollUpRollups,
} from "./rollup.ts";
import { hourOf, WINDOW_MS, windowOf, windowsBetween } from "./windows.ts";

/** Spans up to this use raw samples when the caller lets the server choose. */
export const AUTO_RAW_MAX_MS = 6 * HOUR_MS;
/** Spans up to this use 1-minute rollups; longer ones 1-hour rollups. */
export const AUTO_1M_MAX_MS = 7 * 24 * HOUR_MS;

/** The resolution a span gets by default. */
export function autoResolution(from: number, to: number): Resolution {
  const span = to - from;
  return span <= AUTO_RAW_MAX_MS ? "raw" : span <= AUTO_1M_MAX_MS ? "1m" : "1h";
}

/** Reads one series' points from the stored chunks and the in-memory head. */
export class SeriesReader {
  constructor(private readonly chunks: ChunkStore, private readonly head: Head) {}

  /** Raw samples in [from, to], head samples winning on equal timestamps. */
  raw(seriesId: number, from: number, to: number): PointList {
    const stored: PointList = { ts: [], values: [] };
    for (const w of windowsBetween(from, to)) {
      const chunk = this.chunks.raw(w, seriesId);
      if (!chunk) continue;
      for (let i = 0; i < chunk.ts.length; i++) {
        const t = chunk.ts[i]!;
        if (t >= from && t <= to) {
          stored.ts.push(t);
          stored.values.push(chunk.values[i]!);
        }
      }
    }
    const fresh = this.head.range(seriesId, from, to);
    return fresh.ts.length === 0 ? stored : mergePoints(stored, fresh);
  }

  /** 1-minute rollups of the minutes starting in [from, to]. */
  minutes(seriesId: number, from: number, to: number): RollupList {
    const out: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
    const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
    const touched = this.#headWindows(seriesId, first, to);
    for (const w of windowsBetween(first, to)) {
      let m: RollupList | null;
      if (touched.has(w)) {
        // Samples not yet compacted: recompute this window from its raw samples.
        const stored = this.chunks.raw(w, seriesId);
        const merged = mergePoints(
          stored ?? { ts: [], values: [] },
          this.head.range(seriesId, w, w + WINDOW_MS - 1),
        );
        m = rollUp(merged, MINUTE_MS);
        if (!stored) {
          const old = this.chunks.minutes(w, seriesId);
          if (old) m = rollUpRollups(concatRollups(old, m), MINUTE_MS);
        }
      } else {
        m = this.chunks.minutes(w, seriesId);
      }
      if (!m) continue;
      for (let i = 0; i < m.ts.length; i++) {
        if (m.ts[i]! >= first && m.ts[i]! <= to) push(out, m, i);
      }
    }
    return out;
  }

  /** 1-hour rollups of the hours starting in [from, to]. */
  hours(seriesId: number, from: number, to: number): RollupList {
    const out: RollupList = { ts: [], min: [], max: [], sum: [], count: [] };
    const first = hourOf(from);
    const touched = new Set([...this.#headWindows(seriesId, first, to)].map(hourOf));
    for (let h = first; h <= to; h += HOUR_MS) {
      if (touched.has(h)) {
        const r = rollUpRollups(this.minutes(seriesId, h, h + HOUR_MS - 1), HOUR_MS);
        if (r.ts.length === 1) push(out, r, 0);
        continue;
      }
      const row = this.chunks.hour(h, seriesId);
      if (row) {
        out.ts.push(h);
        out.min.push(row.min);
        out.max.push(row.max);
        out.sum.push(row.sum);
        out.count.push(row.count);
      }
    }
    return out;
  }

  #headWindows(seriesId: number, from: number, to: number): Set<number> {
    const p = this.head.range(seriesId, windowOf(from), to);
    return new Set(p.ts.map(windowOf));
  }
}

function push(out: RollupList, from: RollupList, i: number): void {
  out.ts.push(from.ts[i]!);
  out.min.push(from.min[i]!);
  out.max.push(from.max[i]!);
  out.sum.push(from.sum[i]!);
  out.count.push(from.count[i]!);
}
