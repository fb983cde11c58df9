/** Samples of one series held in memory, in arrival order. */
interface SeriesHead {
  ts: number[];
  values: number[];
}

/** Sorted points with one value per timestamp. */
export interface PointList {
  ts: number[];
  values: number[];
}

/**
 * Merges points: sorted by time, and for equal timestamps the one that
 * arrived last wins (a later batch corrects an earlier one). `older` comes
 * before `newer` in arrival order.
 */
export function mergePoints(older: PointList, newer: PointList): PointList {
  const byTs = new Map<number, number>();
  for (let i = 0; i < older.ts.length; i++) byTs.set(older.ts[i]!, older.values[i]!);
  for (let i = 0; i < newer.ts.length; i++) byTs.set(newer.ts[i]!, newer.values[i]!);
  const ts = [...byTs.keys()].sort((a, b) => a - b);
  return { ts, values: ts.map((t) => byTs.get(t)!) };
}

/**
 * The in-memory head: samples acknowledged since the last compaction, per
 * series. Queries read it together with the stored chunks.
 */
export class Head {
  #series = new Map<number, SeriesHead>();
  #count = 0;

  get sampleCount(): number {
    return this.#count;
  }

  add(seriesId: number, ts: number, value: number): void {
    let s = this.#series.get(seriesId);
    if (!s) this.#series.set(seriesId, s = { ts: [], values: [] });
    s.ts.push(ts);
    s.values.push(value);
    this.#count++;
  }

  /** This series' head points in [from, to], sorted, last arrival winning per timestamp. */
  range(seriesId: number, from: number, to: number): PointList {
    const s = this.#series.get(seriesId);
    if (!s) return { ts: [], values: [] };
    const picked: PointList = { ts: [], values: [] };
    for (let i = 0; i < s.ts.length; i++) {
      const t = s.ts[i]!;
      if (t >= from && t <= to) {
        picked.ts.push(t);
        picked.values.push(s.values[i]!);
      }
    }
    return mergePoints({ ts: [], values: [] }, picked);
  }

  /** The newest sample of a series in the head. */
  latest(seriesId: number): { ts: number; value: number } | null {
    const s = this.#series.get(seriesId);
    if (!s || s.ts.length === 0) return null;
    let best = 0;
    for (let i = 1; i < s.ts.length; i++) if (s.ts[i]! >= s.ts[best]!) best = i;
    return { ts: s.ts[best]!, value: s.values[best]! };
  }

  seriesIds(): number[] {
    return [...this.#series.keys()];
  }

  /** Takes every sample out, leaving the head empty. */
  drain(): Map<number, SeriesHead> {
    const drained = this.#series;
    this.#series = new Map();
    this.#count = 0;
    return drained;
  }
}
