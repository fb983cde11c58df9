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
  // The common case at compaction and in queries: one side empty, the other in strict time order.
  if (older.ts.length === 0 && isStrictlyIncreasing(newer.ts)) return newer;
  if (newer.ts.length === 0 && isStrictlyIncreasing(older.ts)) return older;
  const byTs = new Map<number, number>();
  for (let i = 0; i < older.ts.length; i++) byTs.set(older.ts[i]!, older.values[i]!);
  for (let i = 0; i < newer.ts.length; i++) byTs.set(newer.ts[i]!, newer.values[i]!);
  const ts = [...byTs.keys()].sort((a, b) => a - b);
  return { ts, values: ts.map((t) => byTs.get(t)!) };
}

function isStrictlyIncreasing(ts: readonly number[]): boolean {
  for (let i = 1; i < ts.length; i++) if (ts[i]! <= ts[i - 1]!) return false;
  return true;
}

/**
 * The in-memory head: samples acknowledged since the last compaction, per
 * series. Queries read it together with the stored chunks.
 */
export class Head {
  #series = new Map<number, SeriesHead>();
  /** Samples being compacted: still read by queries until compaction has stored them. */
  #frozen = new Map<number, SeriesHead>();
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
    const picked: PointList = { ts: [], values: [] };
    // Frozen samples arrived before the live ones, so they come first.
    for (const s of [this.#frozen.get(seriesId), this.#series.get(seriesId)]) {
      if (!s) continue;
      for (let i = 0; i < s.ts.length; i++) {
        const t = s.ts[i]!;
        if (t >= from && t <= to) {
          picked.ts.push(t);
          picked.values.push(s.values[i]!);
        }
      }
    }
    return mergePoints({ ts: [], values: [] }, picked);
  }

  /** The newest sample of a series in the head (the last arrival on equal timestamps). */
  latest(seriesId: number): { ts: number; value: number } | null {
    let best: { ts: number; value: number } | null = null;
    for (const s of [this.#frozen.get(seriesId), this.#series.get(seriesId)]) {
      if (!s) continue;
      for (let i = 0; i < s.ts.length; i++) {
        if (!best || s.ts[i]! >= best.ts) best = { ts: s.ts[i]!, value: s.values[i]! };
      }
    }
    return best;
  }

  /**
   * Moves every live sample into the frozen layer for compaction and returns
   * them; queries keep seeing them until {@linkcode Head.release}.
   */
  freeze(): Map<number, SeriesHead> {
    if (this.#frozen.size > 0) throw new Error("a compaction is already under way");
    this.#frozen = this.#series;
    this.#series = new Map();
    this.#count = 0;
    return this.#frozen;
  }

  /**
   * Drops the frozen samples once compaction stored them; `keep` (samples it
   * did not compact) goes back in front of the live ones, as the older arrivals.
   */
  release(keep: Map<number, { ts: number[]; values: number[] }> = new Map()): void {
    this.#frozen = new Map();
    if (keep.size === 0) return;
    const live = this.#series;
    this.#series = new Map();
    this.#count = 0;
    for (const [id, s] of keep) {
      for (let i = 0; i < s.ts.length; i++) this.add(id, s.ts[i]!, s.values[i]!);
    }
    for (const [id, s] of live) {
      for (let i = 0; i < s.ts.length; i++) this.add(id, s.ts[i]!, s.values[i]!);
    }
  }

  /** Puts the frozen samples back in front of the live ones after a failed compaction. */
  thaw(): void {
    const live = this.#series;
    this.#series = this.#frozen;
    this.#frozen = new Map();
    this.#count = 0;
    for (const s of this.#series.values()) this.#count += s.ts.length;
    for (const [id, s] of live) {
      for (let i = 0; i < s.ts.length; i++) this.add(id, s.ts[i]!, s.values[i]!);
    }
  }
}
