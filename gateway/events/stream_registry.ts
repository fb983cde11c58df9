/** Limits of a {@linkcode StreamRegistry}. */
export interface StreamLimits {
  /** Streams one caller may hold open at once. */
  perCaller: number;
  /** Streams all callers together may hold open at once. */
  total: number;
}

/** One admitted stream: `signal` aborts when a newer stream of its caller takes its place. */
export interface StreamLease {
  readonly signal: AbortSignal;
  /** Frees the stream's place; call it when the stream ends, however it ends. Idempotent. */
  release(): void;
}

/**
 * Open long-lived streams by caller, each caller and all of them bounded. A
 * caller who opens one stream more than it may keeps the new one and loses
 * its oldest, so a client whose old stream went half-dead can reconnect
 * without waiting for the server to notice. When all places are taken, a
 * caller who holds a stream still swaps its oldest; one who holds none is
 * refused (null), as that is the only way the total stays bounded.
 */
export class StreamRegistry {
  readonly #byCaller = new Map<string, Set<AbortController>>();
  #open = 0;

  constructor(readonly limits: StreamLimits) {
    if (!(limits.perCaller >= 1 && limits.total >= limits.perCaller)) {
      throw new RangeError(
        `Cannot bound streams to ${limits.perCaller} per caller and ${limits.total} in all`,
      );
    }
  }

  /** Streams open now, in all. */
  get open(): number {
    return this.#open;
  }

  /** Streams `caller` holds open now. */
  openOf(caller: string): number {
    return this.#byCaller.get(caller)?.size ?? 0;
  }

  /** Admits a new stream of `caller`, closing its oldest if need be; null when all places are taken. */
  admit(caller: string): StreamLease | null {
    const own = this.#byCaller.get(caller) ?? new Set<AbortController>();
    const full = own.size >= this.limits.perCaller || this.#open >= this.limits.total;
    if (full && own.size === 0) return null;
    if (full) this.#evictOldest(caller, own);
    const controller = new AbortController();
    own.add(controller);
    this.#byCaller.set(caller, own);
    this.#open++;
    return {
      signal: controller.signal,
      release: () => this.#remove(caller, controller),
    };
  }

  #evictOldest(caller: string, own: ReadonlySet<AbortController>): void {
    const oldest = own.values().next().value!;
    this.#remove(caller, oldest);
    oldest.abort();
  }

  #remove(caller: string, controller: AbortController): void {
    const own = this.#byCaller.get(caller);
    if (!own?.delete(controller)) return;
    this.#open--;
    if (own.size === 0) this.#byCaller.delete(caller);
  }
}
