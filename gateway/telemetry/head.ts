import { readValues, writeValues } from "./chunk_codec.ts";
import type { SampleColumnsView } from "./sample_columns.ts";
import { ByteReader, ByteWriter } from "./varint.ts";

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

/** Samples a series gathers raw before they are encoded into its byte chain. */
const SEGMENT = 8;
/** Bytes per block of a byte chain. */
const CHUNK = 64;
/** Blocks per slab (a power of two): 1 MiB of bytes, or 64 Ki samples. */
const SLAB_SHIFT = 14;
const SLAB_BLOCKS = 1 << SLAB_SHIFT;
const NONE = -1;

/**
 * Fixed-size blocks carved out of large slabs and recycled through a free
 * list. Blocks are chained per series; a compacted window's blocks hold the
 * next window's data, so after the first window the head allocates nothing:
 * it neither leaves garbage for the collector nor holes in the C heap (one
 * pair of growing typed arrays per series did both, and cost ~400 bytes of
 * JavaScript heap per series for the array objects alone).
 */
class Pool {
  /** Per block: the next block of its chain (or of the free list), NONE at the end. */
  #next = new Int32Array(0);
  #free = NONE;

  constructor(private readonly addSlab: () => void) {}

  get blocks(): number {
    return this.#next.length;
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

  #grow(): void {
    const first = this.#next.length;
    this.addSlab();
    const next = new Int32Array(first + SLAB_BLOCKS);
    next.set(this.#next);
    for (let b = first; b < first + SLAB_BLOCKS - 1; b++) next[b] = b + 1;
    next[first + SLAB_BLOCKS - 1] = NONE;
    this.#next = next;
    this.#free = first;
  }
}

/** Where block `b` starts in its slab, for blocks of `size` entries. */
const slabOf = (b: number) => b >>> SLAB_SHIFT;
const offsetOf = (b: number, size: number) => (b & (SLAB_BLOCKS - 1)) * size;

/**
 * The head's memory: raw blocks of {@linkcode SEGMENT} samples (16 bytes a
 * sample) where each series' newest samples wait, and 64-byte blocks of
 * byte chains that hold the older ones encoded (see {@linkcode encodeSegment}),
 * about 3.5 bytes a sample at the realistic load instead of 16.
 */
class Memory {
  readonly ts: Float64Array[] = [];
  readonly values: Float64Array[] = [];
  readonly bytes: Uint8Array[] = [];
  readonly raw = new Pool(() => {
    this.ts.push(new Float64Array(SLAB_BLOCKS * SEGMENT));
    this.values.push(new Float64Array(SLAB_BLOCKS * SEGMENT));
  });
  readonly chunks = new Pool(() => this.bytes.push(new Uint8Array(SLAB_BLOCKS * CHUNK)));
}

/** One generation of the head (live or frozen), one slot per series. */
class Layer {
  /** Series id → slot, in order of first arrival. */
  readonly slots = new Map<number, number>();
  /** Per slot: its raw block and how many samples wait there. */
  raw = new Int32Array(1024);
  rawLength = new Uint8Array(1024);
  /** Per slot: its byte chain (NONE when empty) and its length in bytes. */
  first = new Int32Array(1024);
  last = new Int32Array(1024);
  byteLength = new Uint32Array(1024);
  /** Per slot: samples in its byte chain, and the last one's timestamp. */
  encoded = new Uint32Array(1024);
  lastTs = new Float64Array(1024);
  samples = 0;

  /** A slot for a series new to this layer. */
  open(seriesId: number, rawBlock: number): number {
    const slot = this.slots.size;
    if (slot === this.raw.length) {
      const grow = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(
        a: T,
        Type: { new (n: number): T },
      ) => {
        const out = new Type(a.length * 2);
        out.set(a);
        return out;
      };
      this.raw = grow(this.raw, Int32Array);
      this.rawLength = grow(this.rawLength, Uint8Array);
      this.first = grow(this.first, Int32Array);
      this.last = grow(this.last, Int32Array);
      this.byteLength = grow(this.byteLength, Uint32Array);
      this.encoded = grow(this.encoded, Uint32Array);
      this.lastTs = grow(this.lastTs, Float64Array);
    }
    this.slots.set(seriesId, slot);
    this.raw[slot] = rawBlock;
    this.rawLength[slot] = 0;
    this.first[slot] = NONE;
    this.last[slot] = NONE;
    this.byteLength[slot] = 0;
    this.encoded[slot] = 0;
    this.lastTs[slot] = 0;
    return slot;
  }

  /** Frees every block to `memory` and empties the layer (its arrays stay, for reuse). */
  clear(memory: Memory): void {
    for (const slot of this.slots.values()) {
      memory.raw.freeChain(this.raw[slot]!, this.raw[slot]!);
      if (this.first[slot] !== NONE) memory.chunks.freeChain(this.first[slot]!, this.last[slot]!);
    }
    this.slots.clear();
    this.samples = 0;
  }
}

const FLAG_DOD = 1;
/** Timestamp steps beyond this are written as plain deltas (their delta-of-delta could pass 2^53). */
const MAX_DOD_STEP = 2 ** 51;

/**
 * Shared by every {@linkcode encodeSegment} call, whose bytes are copied into
 * the head's chunks before the next: under peak ingest a writer per segment
 * was ~70,000 ArrayBuffer allocations a second.
 */
const SEGMENT_WRITER = new ByteWriter(256);

/**
 * Encodes samples `[at, at + n)` of a raw block, in arrival order: a flags
 * byte, the first timestamp as a zigzag varint relative to `prevTs`, then
 * each further timestamp as its delta-of-delta (a regular 10 s spacing costs
 * a byte; plain deltas when steps are huge), then the values as the stored
 * chunks encode them (writeValues: scaled decimals or XORed float bits,
 * exact to the bit).
 */
function encodeSegment(
  ts: Float64Array,
  values: Float64Array,
  at: number,
  n: number,
  prevTs: number,
): Uint8Array {
  const w = SEGMENT_WRITER;
  w.reset();
  let dod = true;
  for (let i = at + 1; i < at + n; i++) {
    const step = ts[i]! - ts[i - 1]!;
    if (step > MAX_DOD_STEP || step < -MAX_DOD_STEP) dod = false;
  }
  w.byte(dod ? FLAG_DOD : 0);
  w.svarint(ts[at]! - prevTs);
  let prevStep = 0;
  for (let i = at + 1; i < at + n; i++) {
    const step = ts[i]! - ts[i - 1]!;
    w.svarint(dod ? step - prevStep : step);
    prevStep = step;
  }
  writeValues(w, values, at, at + n);
  return w.finish();
}

/** Decodes `n` samples written by {@linkcode encodeSegment}; returns the last timestamp. */
function decodeSegment(
  r: ByteReader,
  n: number,
  prevTs: number,
  fn: (ts: number, value: number) => void,
): number {
  const dod = (r.byte() & FLAG_DOD) !== 0;
  const ts = new Float64Array(n);
  ts[0] = prevTs + r.svarint();
  let step = 0;
  for (let i = 1; i < n; i++) {
    step = dod ? step + r.svarint() : r.svarint();
    ts[i] = ts[i - 1]! + step;
  }
  const values: number[] = [];
  readValues(r, n, values);
  for (let i = 0; i < n; i++) fn(ts[i]!, values[i]!);
  return ts[n - 1]!;
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
 * series, in pooled blocks (see {@linkcode Memory}). Queries read it
 * together with the stored chunks.
 */
export class Head {
  readonly #memory = new Memory();
  #live = new Layer();
  /** Samples being compacted: still read by queries until compaction has stored them. */
  #frozen = new Layer();
  /** An empty layer, so swapping generations allocates nothing. */
  #spare = new Layer();

  get sampleCount(): number {
    return this.#live.samples;
  }

  /** Bytes of memory the head holds (it keeps its blocks for the next window). */
  get bytes(): number {
    return this.#memory.raw.blocks * SEGMENT * 16 + this.#memory.chunks.blocks * CHUNK;
  }

  add(seriesId: number, ts: number, value: number): void {
    Head.#append(this.#memory, this.#live, seriesId, ts, value);
  }

  static #append(memory: Memory, layer: Layer, seriesId: number, ts: number, value: number) {
    let slot = layer.slots.get(seriesId);
    if (slot === undefined) slot = layer.open(seriesId, memory.raw.allocate());
    const b = layer.raw[slot]!;
    const slab = slabOf(b), at = offsetOf(b, SEGMENT);
    const n = layer.rawLength[slot]!;
    memory.ts[slab]![at + n] = ts;
    memory.values[slab]![at + n] = value;
    layer.samples++;
    if (n + 1 < SEGMENT) {
      layer.rawLength[slot] = n + 1;
      return;
    }
    Head.#appendBytes(
      memory,
      layer,
      slot,
      encodeSegment(memory.ts[slab]!, memory.values[slab]!, at, SEGMENT, layer.lastTs[slot]!),
    );
    layer.encoded[slot] = layer.encoded[slot]! + SEGMENT;
    layer.lastTs[slot] = memory.ts[slab]![at + SEGMENT - 1]!;
    layer.rawLength[slot] = 0;
  }

  static #appendBytes(memory: Memory, layer: Layer, slot: number, data: Uint8Array): void {
    const { chunks, bytes } = memory;
    let length = layer.byteLength[slot]!;
    let b = layer.last[slot]!;
    for (let i = 0; i < data.length;) {
      const used = length % CHUNK;
      if (b === NONE || (used === 0 && length > 0)) {
        const fresh = chunks.allocate();
        if (b === NONE) layer.first[slot] = fresh;
        else chunks.link(b, fresh);
        layer.last[slot] = b = fresh;
      }
      const n = Math.min(CHUNK - used, data.length - i);
      // A loop, not set(subarray): a view per copy of a few bytes costs more than it saves.
      const slab = bytes[slabOf(b)]!;
      for (let j = 0, to = offsetOf(b, CHUNK) + used; j < n; j++) slab[to + j] = data[i + j]!;
      i += n;
      length += n;
    }
    layer.byteLength[slot] = length;
  }

  /** Adds parallel columns of samples (a group commit). */
  addAll(seriesIds: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>): void {
    for (let i = 0; i < ts.length; i++) this.add(seriesIds[i]!, ts[i]!, values[i]!);
  }

  /** Calls `fn` for each of the series' samples in `layer`, in arrival order. */
  #each(layer: Layer, seriesId: number, fn: (ts: number, value: number) => void): void {
    const slot = layer.slots.get(seriesId);
    if (slot === undefined) return;
    const memory = this.#memory;
    const length = layer.byteLength[slot]!;
    if (length > 0) {
      const buf = new Uint8Array(length);
      for (let b = layer.first[slot]!, at = 0; at < length; b = memory.chunks.next(b)) {
        const n = Math.min(CHUNK, length - at);
        const from = offsetOf(b, CHUNK);
        buf.set(memory.bytes[slabOf(b)]!.subarray(from, from + n), at);
        at += n;
      }
      // Copied out first: `fn` may add to the head.
      const r = new ByteReader(buf, "telemetry head");
      let prevTs = 0;
      for (let i = 0; i < layer.encoded[slot]!; i += SEGMENT) {
        prevTs = decodeSegment(r, SEGMENT, prevTs, fn);
      }
    }
    const b = layer.raw[slot]!;
    const ts = memory.ts[slabOf(b)]!, values = memory.values[slabOf(b)]!;
    const at = offsetOf(b, SEGMENT);
    for (let i = at; i < at + layer.rawLength[slot]!; i++) fn(ts[i]!, values[i]!);
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
   * did not compact; each series' in arrival order) goes back in front of the
   * live ones, as the older arrivals.
   */
  release(keep?: SampleColumnsView): void {
    this.#frozen.clear(this.#memory);
    if (!keep || keep.ts.length === 0) return;
    const kept = this.#spare;
    const { seriesIds, ts, values } = keep;
    for (let i = 0; i < ts.length; i++) {
      Head.#append(this.#memory, kept, seriesIds[i]!, ts[i]!, values[i]!);
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
      this.#each(newer, id, (ts, value) => Head.#append(this.#memory, older, id, ts, value));
    }
    newer.clear(this.#memory);
    this.#live = older;
    this.#spare = newer;
  }
}
