/**
 * Byte-level building blocks of the telemetry codecs: a growable writer and a
 * bounds-checked reader of LEB128 varints (unsigned and zigzag-signed), raw
 * bytes and float64 bit patterns.
 *
 * Varints here work on plain Numbers, not BigInts: magnitudes up to 2^53 are
 * written with division instead of 32-bit shifts, so every safe integer (and
 * 2^53 itself) round-trips exactly. Epoch milliseconds (up to 8.64e15) and
 * their differences fit.
 *
 * @module
 */

/** Largest magnitude a varint may carry: every integer up to it is exact in a Number. */
export const MAX_VARINT = 2 ** 53;

const TWO_31 = 2 ** 31;

// Float64 bit patterns are read through two 32-bit words; which word holds the
// sign and exponent depends on the platform's byte order.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high (sign, exponent, top of mantissa) and low 32 bits of a float64. */
export function floatWords(value: number): [hi: number, lo: number] {
  f64[0] = value;
  return [u32[HI]!, u32[LO]!];
}

/** The float64 with these high and low 32 bits. */
export function wordsFloat(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** Bytes a zigzag varint of `n` takes (1 to 8); used to choose between encodings. */
export function svarintLength(n: number): number {
  const m = n < 0 ? -n - 1 : n;
  if (m < 64) return 1;
  if (m < 8192) return 2;
  if (m < 1048576) return 3;
  if (m < 134217728) return 4;
  if (m < 17179869184) return 5;
  if (m < 2199023255552) return 6;
  if (m < 281474976710656) return 7;
  return 8;
}

/** Appends bytes to a buffer that grows as needed. */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + extra));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Appends one byte (0-255). */
  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  /** Appends an unsigned LEB128 varint; `n` is an integer in [0, 2^53]. */
  uvarint(n: number): void {
    this.#reserve(8);
    const buf = this.#buf;
    let pos = this.#len;
    while (n >= TWO_31) {
      buf[pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    while (n > 127) {
      buf[pos++] = (n & 127) | 128;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.#len = pos;
  }

  /**
   * Appends a zigzag LEB128 varint (0, -1, 1, -2 … → 0, 1, 2, 3 …); `n` is an
   * integer in [-2^53, 2^53]. The first byte carries the sign and 6 bits, the
   * rest is an unsigned varint, so no intermediate exceeds 2^53.
   */
  svarint(n: number): void {
    if (n < 0x40000000 && n >= -0x40000000) {
      this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    const sign = n < 0 ? 1 : 0;
    const m = sign ? -n - 1 : n;
    this.byte((((m % 64) << 1) | sign) | 128);
    this.uvarint(Math.floor(m / 64));
  }

  /** Appends raw bytes. */
  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** Appends bytes `lead` to `lead + len - 1` of a float64's big-endian bit pattern (hi, lo words). */
  wordBytes(hi: number, lo: number, lead: number, len: number): void {
    this.#reserve(8);
    const buf = this.#buf;
    let pos = this.#len;
    for (let i = lead, end = lead + len; i < end; i++) {
      buf[pos++] = i < 4 ? (hi >>> (24 - 8 * i)) & 255 : (lo >>> (56 - 8 * i)) & 255;
    }
    this.#len = pos;
  }

  /** The bytes written so far (a view; the writer must not be used afterwards, except after {@linkcode reset}). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#buf.subarray(0, this.#len) as Uint8Array<ArrayBuffer>;
  }

  /**
   * Empties the writer and keeps its buffer, for a hot loop that copies out
   * what {@linkcode finish} returned before writing again: a fresh writer per
   * use costs an ArrayBuffer allocation each time.
   */
  reset(): void {
    this.#len = 0;
  }
}

/**
 * Reads what a {@linkcode ByteWriter} wrote. Every read is bounds-checked and
 * throws a `RangeError` naming `what` is being decoded, so truncated or
 * corrupt input never yields garbage past the end or an endless loop.
 */
export class ByteReader {
  #pos = 0;

  constructor(private readonly buf: Uint8Array, private readonly what: string) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.#pos;
  }

  /** A `RangeError` saying the input is corrupt at the current position. */
  corrupt(reason: string): RangeError {
    return new RangeError(`Cannot decode ${this.what}: ${reason} at byte ${this.#pos}`);
  }

  byte(): number {
    if (this.#pos >= this.buf.length) throw this.corrupt("truncated input");
    return this.buf[this.#pos++]!;
  }

  /** An unsigned varint; throws when it is above 2^53 (so at most 8 bytes are read). */
  uvarint(): number {
    const buf = this.buf;
    let pos = this.#pos;
    if (pos >= buf.length) throw this.corrupt("truncated varint");
    let b = buf[pos++]!;
    if (b < 128) {
      this.#pos = pos;
      return b;
    }
    let n = b & 127;
    let scale = 128;
    for (let i = 1;; i++) {
      if (pos >= buf.length) throw this.corrupt("truncated varint");
      b = buf[pos++]!;
      // The eighth byte holds bits 49-55: compare before adding so a sum above
      // 2^53 is never rounded into range.
      if (i === 7 && (b > 16 || (b === 16 && n > 0))) throw this.corrupt("varint above 2^53");
      n += (b & 127) * scale;
      if (b < 128) break;
      scale *= 128;
    }
    this.#pos = pos;
    return n;
  }

  /** A zigzag varint written by {@linkcode ByteWriter.svarint}. */
  svarint(): number {
    const first = this.byte();
    let m = (first >>> 1) & 63;
    if (first & 128) {
      const rest = this.uvarint();
      if (rest > (MAX_VARINT - m) / 64) throw this.corrupt("varint above 2^53");
      m += rest * 64;
    }
    return first & 1 ? -m - 1 : m;
  }

  /** The next `n` bytes, as a view. */
  bytes(n: number): Uint8Array {
    if (n > this.buf.length - this.#pos) throw this.corrupt(`truncated: ${n} bytes expected`);
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Reads `len` bytes into positions `lead`… of a big-endian float64 pattern; returns [hi, lo]. */
  wordBytes(lead: number, len: number): [hi: number, lo: number] {
    if (len > this.buf.length - this.#pos) throw this.corrupt("truncated float");
    const buf = this.buf;
    let pos = this.#pos;
    let hi = 0;
    let lo = 0;
    for (let i = lead, end = lead + len; i < end; i++) {
      if (i < 4) hi |= buf[pos++]! << (24 - 8 * i);
      else lo |= buf[pos++]! << (56 - 8 * i);
    }
    this.#pos = pos;
    return [hi >>> 0, lo >>> 0];
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.#pos !== this.buf.length) {
      throw this.corrupt(`${this.buf.length - this.#pos} unexpected trailing bytes`);
    }
  }
}
