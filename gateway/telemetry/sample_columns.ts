/** Parallel columns of samples: series id, timestamp, value. */
export interface SampleColumnsView {
  readonly seriesIds: ArrayLike<number>;
  readonly ts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/**
 * Samples gathered one by one into growable typed columns. A compaction of
 * 20,000 series gathers a value or two per series (the open window's
 * samples, each series' newest); an object and two arrays per series held
 * ~8 MB of heap through the whole compaction, which is when the gateway's
 * memory peaks.
 */
export class SampleColumns implements SampleColumnsView {
  #ids: Uint32Array<ArrayBuffer>;
  #ts: Float64Array<ArrayBuffer>;
  #values: Float64Array<ArrayBuffer>;
  #length = 0;

  constructor(capacity = 256) {
    this.#ids = new Uint32Array(capacity);
    this.#ts = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Series ids so far (a view: valid until the next push). */
  get seriesIds(): Uint32Array<ArrayBuffer> {
    return this.#ids.subarray(0, this.#length);
  }

  /** Timestamps so far (a view: valid until the next push). */
  get ts(): Float64Array<ArrayBuffer> {
    return this.#ts.subarray(0, this.#length);
  }

  /** Values so far (a view: valid until the next push). */
  get values(): Float64Array<ArrayBuffer> {
    return this.#values.subarray(0, this.#length);
  }

  push(seriesId: number, ts: number, value: number): void {
    const i = this.#length;
    if (i === this.#ids.length) this.#grow();
    this.#ids[i] = seriesId;
    this.#ts[i] = ts;
    this.#values[i] = value;
    this.#length = i + 1;
  }

  #grow(): void {
    const size = this.#ids.length * 2;
    const ids = new Uint32Array(size), ts = new Float64Array(size), values = new Float64Array(size);
    ids.set(this.#ids);
    ts.set(this.#ts);
    values.set(this.#values);
    [this.#ids, this.#ts, this.#values] = [ids, ts, values];
  }
}
