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
 * One series' samples in the head, in arrival order: `length` of the typed
 * arrays are used. Typed arrays, not one object per sample: 16 bytes a
 * sample, outside the JavaScript heap, so a full head costs the garbage
 * collector nothing to scan.
 */
export interface SeriesHead {
  ts: Float64Array;
  values: Float64Array;
  length: number;
}

/** Capacity of a series seen for the first time; doubled while it grows. */
const INITIAL_CAPACITY = 16;

/**
 * The in-memory head: samples acknowledged since the last compaction, per
 * series. Queries read it together with the stored chunks.
 */
export class Head {
  #series = new Map<number, SeriesHead>();
  /** Samples being compacted: still read by queries until compaction has stored them. */
  #frozen = new Map<number, SeriesHead>();
  /**
   * Samples each series held at its last compaction: its next arrays start at
   * that size, so a steady series allocates once a window instead of growing
   * through several copies.
   */
  readonly #lastLength = new Map<number, number>();
  #count = 0;

  get sampleCount(): number {
    return this.#count;
  }

  add(seriesId: number, ts: number, value: number): void {
    let s = this.#series.get(seriesId);
    if (!s) {
      const capacity = Math.max(INITIAL_CAPACITY, this.#lastLength.get(seriesId) ?? 0);
      s = { ts: new Float64Array(capacity), values: new Float64Array(capacity), length: 0 };
      this.#series.set(seriesId, s);
    } else if (s.length === s.ts.length) {
      const ts = new Float64Array(s.length * 2), values = new Float64Array(s.length * 2);
      ts.set(s.ts);
      values.set(s.values);
      s.ts = ts;
      s.values = values;
    }
    s.ts[s.length] = ts;
    s.values[s.length] = value;
    s.length++;
    this.#count++;
  }

  /** Adds parallel columns of samples (a group commit). */
  addAll(seriesIds: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): void {
    for (let i = 0; i < ts.length; i++) this.add(seriesIds[i]!, ts[i]!, values[i]!);
  }

  /** This series' head points in [from, to], sorted, last arrival winning per timestamp. */
  range(seriesId: number, from: number, to: number): PointList {
    const picked: PointList = { ts: [], values: [] };
    // Frozen samples arrived before the live ones, so they come first.
    for (const s of [this.#frozen.get(seriesId), this.#series.get(seriesId)]) {
      if (!s) continue;
      for (let i = 0; i < s.length; i++) {
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
      for (let i = 0; i < s.length; i++) {
        if (!best || s.ts[i]! >= best.ts) best = { ts: s.ts[i]!, value: s.values[i]! };
      }
    }
    return best;
  }

  /**
   * Moves every live sample into the frozen layer for compaction and returns
   * them; queries keep seeing them until {@linkcode Head.release}.
   */
  freeze(): ReadonlyMap<number, SeriesHead> {
    if (this.#frozen.size > 0) throw new Error("a compaction is already under way");
    this.#frozen = this.#series;
    this.#series = new Map();
    this.#count = 0;
    for (const [id, s] of this.#frozen) this.#lastLength.set(id, s.length);
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
    this.#addSeries(live);
  }

  /** Puts the frozen samples back in front of the live ones after a failed compaction. */
  thaw(): void {
    const live = this.#series;
    this.#series = this.#frozen;
    this.#frozen = new Map();
    this.#count = 0;
    for (const s of this.#series.values()) this.#count += s.length;
    this.#addSeries(live);
  }

  #addSeries(heads: ReadonlyMap<number, SeriesHead>): void {
    for (const [id, s] of heads) {
      for (let i = 0; i < s.length; i++) this.add(id, s.ts[i]!, s.values[i]!);
    }
  }
}
