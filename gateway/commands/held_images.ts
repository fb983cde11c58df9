/** An image held for its caller. */
export interface HeldImage {
  contentType: string;
  data: Uint8Array;
}

/** Limits of {@linkcode HeldImages}. */
export interface HoldLimits {
  /** How long an image is held when nobody fetches it. */
  ttlMs: number;
  /** Bytes held at most; holding more lets the oldest go. */
  maxBytes: number;
}

/**
 * Images the gateway keeps in memory only until their caller fetches them
 * once, or a short time: a snapshot is "returned to the caller and never
 * stored unless asked", and a gateway's memory is small, so the oldest go
 * first when the bound is reached.
 */
export class HeldImages {
  readonly #images = new Map<string, HeldImage & { until: number }>();
  #bytes = 0;

  constructor(readonly limits: HoldLimits, private readonly now: () => number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `image` for command `id`. */
  hold(id: string, image: HeldImage): void {
    this.#drop(id);
    this.#sweep();
    this.#images.set(id, { ...image, until: this.now() + this.limits.ttlMs });
    this.#bytes += image.data.length;
    for (const oldest of this.#images.keys()) {
      if (this.#bytes <= this.limits.maxBytes || oldest === id) break;
      this.#drop(oldest);
    }
  }

  /** Whether an image is held for `id`. */
  has(id: string): boolean {
    this.#sweep();
    return this.#images.has(id);
  }

  /** The image held for `id`, which is no longer held afterwards. */
  take(id: string): HeldImage | null {
    this.#sweep();
    const image = this.#images.get(id);
    if (!image) return null;
    this.#drop(id);
    return { contentType: image.contentType, data: image.data };
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, image] of this.#images) if (image.until <= now) this.#drop(id);
  }

  #drop(id: string): void {
    const image = this.#images.get(id);
    if (!image) return;
    this.#images.delete(id);
    this.#bytes -= image.data.length;
  }
}
