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

/** Samples per block: a series reporting every 10 s fills four in a 10-minute window. */
const BLOCK = 16;
/** Blocks per slab (a power of two): 64 Ki samples, two 512 KiB arrays. */
const SLAB_SHIFT = 12;
const SLAB_BLOCKS = 1 << SLAB_SHIFT;
const NONE = -1;

/**
 * Fixed-size blocks of samples carved out of large slabs, chained per
 * series and recycled through a free list. A series grows a block at a
 * time, never by copying, and a compacted window's blocks hold the next
 * window's samples: after the first window the head allocates nothing, so
 * it neither leaves garbage for the collector nor holes in the C heap (one
 * pair of small typed arrays per series did both, and cost ~400 bytes of
 * JavaScript heap per series for the array objects alone).
 */
class BlockPool {
  readonly #ts: Float64Array[] = [];
  readonly #values: Float64Array[] = [];
  /** Per block: the next block of its chain (or of the free list), NONE at the end. */
  #next = new Int32Array(0);
  #free = NONE;

  /** Samples the slabs hold room for. */
  get capacity(): number {
    return this.#ts.length * SLAB_BLOCKS * BLOCK;
  }

  allocate(): number {
    if (this.#free === NONE) this.#grow();
    const b = this.#free;
    this.#free = this.#next[b]!;
    this.#next[b] = NONE;
    return b;
  }

  /** Appends block `b` after `tail` in a chain. */
  link(tail: number, b: number): void {
    this.#next[tail] = b;
  }

  next(b: number): number {
    return this.#next[b]!;
  }

  /** Returns a chain (from `first` to `last`) to the free list. */
  freeChain(first: number, last: number): void {
    this.#next[last] = this.#free;
    this.#free = first;
  }

  write(b: number, i: number, ts: number, value: number): void {
    const at = ((b & (SLAB_BLOCKS - 1)) * BLOCK) + i;
    this.#ts[b >>> SLAB_SHIFT]![at] = ts;
    this.#values[b >>> SLAB_SHIFT]![at] = value;
  }

  /** Timestamps of block `b`'s slab; the block starts at {@linkcode BlockPool.offset}. */
  tsOf(b: number): Float64Array {
    return this.#ts[b >>> SLAB_SHIFT]!;
  }

  valuesOf(b: number): Float64Array {
    return this.#values[b >>> SLAB_SHIFT]!;
  }

  offset(b: number): number {
    return (b & (SLAB_BLOCKS - 1)) * BLOCK;
  }

  #grow(): void {
    const first = this.#ts.length * SLAB_BLOCKS;
    this.#ts.push(new Float64Array(SLAB_BLOCKS * BLOCK));
    this.#values.push(new Float64Array(SLAB_BLOCKS * BLOCK));
    const next = new Int32Array(first + SLAB_BLOCKS);
    next.set(this.#next);
    for (let b = first; b < first + SLAB_BLOCKS - 1; b++) next[b] = b + 1;
    next[first + SLAB_BLOCKS - 1] = NONE;
    this.#next = next;
    this.#free = first;
  }
}

/** The chains of one generation of the head (live or frozen), one slot per series. */
class Layer {
  /** Series id → slot, in order of first arrival. */
  readonly slots = new Map<number, number>();
  first = new Int32Array(1024);
  last = new Int32Array(1024);
  length = new Uint32Array(1024);
  samples = 0;

  /** A slot for a series new to this layer. */
  open(seriesId: number, block: number): number {
    const slot = this.slots.size;
    if (slot === this.first.length) {
      const grow = <T extends Int32Array | Uint32Array>(a: T, Type: { new (n: number): T }) => {
        const out = new Type(a.length * 2);
        out.set(a);
        return out;
      };
      this.first = grow(this.first, Int32Array);
      this.last = grow(this.last, Int32Array);
      this.length = grow(this.length, Uint32Array);
    }
    this.slots.set(seriesId, slot);
    this.first[slot] = block;
    this.last[slot] = block;
    this.length[slot] = 0;
    return slot;
  }

  /** Frees every chain to `pool` and empties the layer (its arrays stay, for reuse). */
  clear(pool: BlockPool): void {
    for (const slot of this.slots.values()) pool.freeChain(this.first[slot]!, this.last[slot]!);
    this.slots.clear();
    this.samples = 0;
  }
}

/** Samples handed to compaction; readable until {@linkcode Head.release} or {@linkcode Head.thaw}. */
export interface FrozenHead {
  /** Series with frozen samples, ascending. */
  seriesIds(): number[];
  /** Calls `fn` for each frozen sample of the series, in arrival order. */
  forEach(seriesId: number, fn: (ts: number, value: number) => void): void;
}

/**
 * The in-memory head: samples acknowledged since the last compaction, per
 * series, 16 bytes a sample in pooled blocks (see {@linkcode BlockPool}).
 * Queries read it together with the stored chunks.
 */
export class Head {
  readonly #pool = new BlockPool();
  #live = new Layer();
  /** Samples being compacted: still read by queries until compaction has stored them. */
  #frozen = new Layer();
  /** An empty layer, so swapping generations allocates nothing. */
  #spare = new Layer();

  get sampleCount(): number {
    return this.#live.samples;
  }

  /** Samples the head has memory for (it keeps its blocks for the next window). */
  get capacity(): number {
    return this.#pool.capacity;
  }

  add(seriesId: number, ts: number, value: number): void {
    Head.#append(this.#pool, this.#live, seriesId, ts, value);
  }

  static #append(pool: BlockPool, layer: Layer, seriesId: number, ts: number, value: number) {
    let slot = layer.slots.get(seriesId);
    if (slot === undefined) slot = layer.open(seriesId, pool.allocate());
    const n = layer.length[slot]!;
    let b = layer.last[slot]!;
    if (n > 0 && n % BLOCK === 0) {
      const fresh = pool.allocate();
      pool.link(b, fresh);
      layer.last[slot] = b = fresh;
    }
    pool.write(b, n % BLOCK, ts, value);
    layer.length[slot] = n + 1;
    layer.samples++;
  }

  /** Adds parallel columns of samples (a group commit). */
  addAll(seriesIds: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): void {
    for (let i = 0; i < ts.length; i++) this.add(seriesIds[i]!, ts[i]!, values[i]!);
  }

  /** Calls `fn` for each of the series' samples in `layer`, in arrival order. */
  #each(layer: Layer, seriesId: number, fn: (ts: number, value: number) => void): void {
    const slot = layer.slots.get(seriesId);
    if (slot === undefined) return;
    const pool = this.#pool;
    let left = layer.length[slot]!;
    for (let b = layer.first[slot]!; left > 0; b = pool.next(b)) {
      const ts = pool.tsOf(b), values = pool.valuesOf(b), at = pool.offset(b);
      const n = Math.min(left, BLOCK);
      for (let i = at; i < at + n; i++) fn(ts[i]!, values[i]!);
      left -= n;
    }
  }

  /** This series' head points in [from, to], sorted, last arrival winning per timestamp. */
  range(seriesId: number, from: number, to: number): PointList {
    const picked: PointList = { ts: [], values: [] };
    const pick = (t: number, v: number) => {
      if (t >= from && t <= to) (picked.ts.push(t), picked.values.push(v));
    };
    // Frozen samples arrived before the live ones, so they come first.
    this.#each(this.#frozen, seriesId, pick);
    this.#each(this.#live, seriesId, pick);
    return mergePoints({ ts: [], values: [] }, picked);
  }

  /** The newest sample of a series in the head (the last arrival on equal timestamps). */
  latest(seriesId: number): { ts: number; value: number } | null {
    let best: { ts: number; value: number } | null = null;
    const keep = (ts: number, value: number) => {
      if (!best || ts >= best.ts) best = { ts, value };
    };
    this.#each(this.#frozen, seriesId, keep);
    this.#each(this.#live, seriesId, keep);
    return best;
  }

  /**
   * Moves every live sample into the frozen layer for compaction and returns
   * them; queries keep seeing them until {@linkcode Head.release}.
   */
  freeze(): FrozenHead {
    if (this.#frozen.slots.size > 0) throw new Error("a compaction is already under way");
    [this.#frozen, this.#live] = [this.#live, this.#frozen];
    const frozen = this.#frozen;
    return {
      seriesIds: () => [...frozen.slots.keys()].sort((a, b) => a - b),
      forEach: (seriesId, fn) => this.#each(frozen, seriesId, fn),
    };
  }

  /**
   * Drops the frozen samples once compaction stored them; `keep` (samples it
   * did not compact) goes back in front of the live ones, as the older arrivals.
   */
  release(keep: Map<number, { ts: number[]; values: number[] }> = new Map()): void {
    this.#frozen.clear(this.#pool);
    if (keep.size === 0) return;
    const kept = this.#spare;
    for (const [id, s] of keep) {
      for (let i = 0; i < s.ts.length; i++) {
        Head.#append(this.#pool, kept, id, s.ts[i]!, s.values[i]!);
      }
    }
    this.#putInFront(kept);
  }

  /** Puts the frozen samples back in front of the live ones after a failed compaction. */
  thaw(): void {
    const frozen = this.#frozen;
    this.#frozen = this.#spare;
    this.#putInFront(frozen);
  }

  /** Makes `older` the live layer, followed by the current live samples; the old live layer becomes the spare. */
  #putInFront(older: Layer): void {
    const newer = this.#live;
    for (const id of newer.slots.keys()) {
      this.#each(newer, id, (ts, value) => Head.#append(this.#pool, older, id, ts, value));
    }
    newer.clear(this.#pool);
    this.#live = older;
    this.#spare = newer;
  }
}
