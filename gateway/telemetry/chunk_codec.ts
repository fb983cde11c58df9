/**
 * Compact, exact binary encodings of one series' samples (a raw chunk) and of
 * its rollups, so the store writes few bytes per sample to the SD card.
 *
 * Design, after Prometheus' XOR chunks and VictoriaMetrics' decimal encoding:
 * - Timestamps: the first as a varint, then delta-of-delta as zigzag LEB128
 *   varints; a regular 10 s spacing costs one zero byte a sample before
 *   compression and almost nothing after.
 * - Values, per column: sensors report few decimals, so the smallest scale k
 *   in 0..6 for which every value is exactly `Math.round(v * 10^k) / 10^k` is
 *   picked, and the scaled integers are stored as zigzag deltas or
 *   delta-of-deltas (whichever is shorter; counters favour the latter).
 *   Sums and averages of such readings are usually a few float steps off a
 *   short decimal (`0.1 + 0.2`); they are stored as scaled integers plus each
 *   value's distance in float steps ("near decimal"), if that is shorter
 *   than the fallback. The fallback, for anything else (-0, random floats,
 *   |v·10^k| above 2^52, NaN, ±Infinity), is Gorilla-style: float64 bit
 *   patterns XORed with the previous value, stored as a header byte (leading
 *   zero bytes, meaningful bytes) and the meaningful bytes, headers and bytes
 *   in two runs so deflate sees patterns.
 * - The body is deflated (raw) only when that makes it smaller.
 *
 * Frame, shared with the ingest log (`log_codec.ts`):
 *
 * ```text
 * byte 0      format (0x01 points v1, 0x02 rollups v1, 0x03 log v1) | 0x80 if deflated
 * [uvarint]   body length before deflate (only if deflated; bounds the inflate)
 * body        raw or deflate-raw
 * 4 bytes     CRC-32 (little-endian) of everything before it
 * ```
 *
 * The checksum costs 4 bytes a chunk (0.07 B/sample at 60 samples) and buys
 * that a torn write or a flipped bit on the card is an error instead of a
 * silently wrong value: SQLite does not checksum its pages.
 *
 * Exactness: decoding gives back every timestamp and every float bit for bit
 * (including -0; NaN decodes as NaN but its payload bits are not promised).
 * Timestamps are integers in [0, 8.64e15] (epoch ms up to the end of `Date`),
 * sorted ascending; equal timestamps are allowed and keep their order.
 *
 * @module
 */
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { ByteReader, ByteWriter, floatWords, svarintLength, wordsFloat } from "./varint.ts";

/** Largest timestamp: `Date`'s end, 8.64e15 ms after the epoch. */
export const MAX_TS = 8.64e15;

/** Format bytes of the frame; a new layout gets a new number, old ones stay readable. */
export const FORMAT_POINTS_V1 = 0x01;
export const FORMAT_ROLLUPS_V1 = 0x02;
export const FORMAT_LOG_V1 = 0x03;
const DEFLATED = 0x80;

/** Samples of one series: parallel arrays, `ts` ascending (epoch ms integers). */
export interface Points {
  ts: number[];
  values: number[];
}

/** Rollup points of one series: per bucket start `ts`, the min, max, sum and count. */
export interface Rollups {
  ts: number[];
  min: number[];
  max: number[];
  sum: number[];
  count: number[];
}

/**
 * Encodes one series' samples. Typed arrays are accepted too.
 *
 * @example
 * ```ts
 * const bytes = encodeChunk({ ts: [1_700_000_000_000, 1_700_000_010_000], values: [21.5, 21.75] });
 * decodeChunk(bytes); // { ts: [1700000000000, 1700000010000], values: [21.5, 21.75] }
 * ```
 * @throws {RangeError} when the arrays differ in length or a timestamp is not
 * an integer in [0, 8.64e15] or smaller than the one before it.
 */
export function encodeChunk(
  points: { readonly ts: ArrayLike<number>; readonly values: ArrayLike<number> },
): Uint8Array<ArrayBuffer> {
  const n = points.ts.length;
  checkColumns("chunk", n, { values: points.values });
  checkTimestamps("chunk", points.ts, 0, n);
  const w = new ByteWriter(16 + 3 * n);
  w.uvarint(n);
  if (n > 0) {
    writeTimestamps(w, points.ts, 0, n, 0);
    writeValues(w, points.values, 0, n);
  }
  return frame(FORMAT_POINTS_V1, w.finish());
}

/**
 * Decodes what {@linkcode encodeChunk} wrote, exactly.
 *
 * @throws {RangeError} when the bytes are truncated, corrupt or of another format.
 */
export function decodeChunk(bytes: Uint8Array): Points {
  const what = "telemetry chunk";
  const r = new ByteReader(unframe(bytes, FORMAT_POINTS_V1, what), what);
  const n = readCount(r);
  const ts: number[] = [];
  const values: number[] = [];
  if (n > 0) {
    readTimestamps(r, n, 0, ts);
    readValues(r, n, values);
  }
  r.end();
  return { ts, values };
}

/**
 * Encodes one series' rollups; each of min, max, sum and count gets its own
 * value encoding, so integer counts and 2-decimal minima stay small.
 *
 * @throws {RangeError} as {@linkcode encodeChunk} does.
 */
export function encodeRollups(
  rollups: {
    readonly ts: ArrayLike<number>;
    readonly min: ArrayLike<number>;
    readonly max: ArrayLike<number>;
    readonly sum: ArrayLike<number>;
    readonly count: ArrayLike<number>;
  },
): Uint8Array<ArrayBuffer> {
  const n = rollups.ts.length;
  const { min, max, sum, count } = rollups;
  checkColumns("rollups", n, { min, max, sum, count });
  checkTimestamps("rollups", rollups.ts, 0, n);
  const w = new ByteWriter(16 + 8 * n);
  w.uvarint(n);
  if (n > 0) {
    writeTimestamps(w, rollups.ts, 0, n, 0);
    for (const column of [min, max, sum, count]) writeValues(w, column, 0, n);
  }
  return frame(FORMAT_ROLLUPS_V1, w.finish());
}

/**
 * Decodes what {@linkcode encodeRollups} wrote, exactly.
 *
 * @throws {RangeError} when the bytes are truncated, corrupt or of another format.
 */
export function decodeRollups(bytes: Uint8Array): Rollups {
  const what = "telemetry rollups";
  const r = new ByteReader(unframe(bytes, FORMAT_ROLLUPS_V1, what), what);
  const n = readCount(r);
  const out: Rollups = { ts: [], min: [], max: [], sum: [], count: [] };
  if (n > 0) {
    readTimestamps(r, n, 0, out.ts);
    for (const column of [out.min, out.max, out.sum, out.count]) readValues(r, n, column);
  }
  r.end();
  return out;
}

// ---------------------------------------------------------------------------
// Frame: format byte, optional deflate, CRC-32. Shared with log_codec.ts.

/** Bodies shorter than this are never worth a deflate call. */
const MIN_DEFLATE = 24;
/** Deflate cannot expand more than ~1032:1; a longer claimed length is corrupt. */
const MAX_INFLATE_RATIO = 1032;

/**
 * Wraps a body in the frame: format byte, deflate-raw if that is smaller, CRC-32.
 *
 * @param level zlib level for the deflate attempt (1 fastest … 9 smallest). @default 6
 */
export function frame(format: number, body: Uint8Array, level = 6): Uint8Array<ArrayBuffer> {
  let payload = body;
  let header = new Uint8Array([format]);
  if (body.length >= MIN_DEFLATE) {
    // Output buffers sized to the data: zlib's 16 KiB default per call bloats resident memory.
    const deflated = deflateRawSync(body, {
      level,
      chunkSize: Math.max(64, Math.min(16384, body.length + 64)),
    });
    const w = new ByteWriter(10);
    w.byte(format | DEFLATED);
    w.uvarint(body.length);
    if (w.length + deflated.length < 1 + body.length) {
      payload = deflated;
      header = w.finish();
    }
  }
  const out = new Uint8Array(header.length + payload.length + 4);
  out.set(header);
  out.set(payload, header.length);
  const end = out.length - 4;
  new DataView(out.buffer).setUint32(end, crc32(out.subarray(0, end)), true);
  return out;
}

/**
 * Checks the frame's checksum and format and returns the body, inflated.
 *
 * @throws {RangeError} on a checksum mismatch, another format, or a body that does not inflate.
 */
export function unframe(bytes: Uint8Array, format: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot decode ${what}: expected a Uint8Array, got ${typeof bytes}`);
  }
  if (bytes.length < 5) {
    throw new RangeError(`Cannot decode ${what}: ${bytes.length} bytes is shorter than any frame`);
  }
  const end = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    end,
    true,
  );
  if (crc32(bytes.subarray(0, end)) !== stored) {
    throw new RangeError(
      `Cannot decode ${what}: checksum mismatch in ${bytes.length} bytes (torn write or corruption)`,
    );
  }
  const head = bytes[0]!;
  if ((head & ~DEFLATED) !== format) {
    throw new RangeError(
      `Cannot decode ${what}: format 0x${(head & ~DEFLATED).toString(16).padStart(2, "0")}` +
        ` is not 0x${format.toString(16).padStart(2, "0")}`,
    );
  }
  if (!(head & DEFLATED)) return bytes.subarray(1, end);
  const r = new ByteReader(bytes.subarray(0, end), what);
  r.byte();
  const rawLength = r.uvarint();
  const deflated = r.bytes(r.remaining);
  if (rawLength === 0 || rawLength > deflated.length * MAX_INFLATE_RATIO + 64) {
    throw new RangeError(
      `Cannot decode ${what}: body length ${rawLength} impossible for ${deflated.length} deflated bytes`,
    );
  }
  let body: Uint8Array;
  try {
    // A plain Uint8Array view, not the Buffer node:zlib returns, so slices stay plain too.
    const inflated = inflateRawSync(deflated, {
      maxOutputLength: rawLength,
      chunkSize: Math.max(64, rawLength),
    });
    body = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  } catch (cause) {
    throw new RangeError(`Cannot decode ${what}: body does not inflate`, { cause });
  }
  if (body.length !== rawLength) {
    throw new RangeError(
      `Cannot decode ${what}: body inflated to ${body.length} bytes, ${rawLength} expected`,
    );
  }
  return body;
}

// ---------------------------------------------------------------------------
// Columns. Exported for log_codec.ts, which stores many series the same way.

/**
 * Throws unless every column has `n` entries, all numbers.
 *
 * @throws {RangeError} on a length mismatch; {TypeError} on a non-number.
 */
export function checkColumns(
  what: string,
  n: number,
  columns: Record<string, ArrayLike<number>>,
): void {
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== n) {
      throw new RangeError(
        `Cannot encode ${what}: ${name} has ${column.length} entries, ts has ${n}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (typeof column[i] !== "number") {
        throw new TypeError(`Cannot encode ${what}: ${name}[${i}] is ${typeof column[i]}`);
      }
    }
  }
}

/**
 * Throws unless `ts[start..end)` are integers in [0, MAX_TS] in non-decreasing order.
 *
 * @throws {RangeError} naming the first bad index.
 */
export function checkTimestamps(
  what: string,
  ts: ArrayLike<number>,
  start: number,
  end: number,
): void {
  let prev = 0;
  for (let i = start; i < end; i++) {
    const t = ts[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t <= MAX_TS)) {
      throw new RangeError(
        `Cannot encode ${what}: ts[${i}] = ${t} is not an integer epoch ms in [0, ${MAX_TS}]`,
      );
    }
    if (t < prev) {
      throw new RangeError(
        `Cannot encode ${what}: ts[${i}] = ${t} is before ts[${i - 1}] = ${prev}; sort by ts`,
      );
    }
    prev = t;
  }
}

/** Reads a sample count, refusing one the remaining bytes cannot hold (each takes ≥ 1 byte). */
export function readCount(r: ByteReader): number {
  const n = r.uvarint();
  if (n > r.remaining) throw r.corrupt(`count ${n} exceeds the ${r.remaining} bytes left`);
  return n;
}

/**
 * Writes checked, non-decreasing timestamps `ts[start..end)` (at least one):
 * the first relative to `base`, then the first delta, then delta-of-deltas.
 */
export function writeTimestamps(
  w: ByteWriter,
  ts: ArrayLike<number>,
  start: number,
  end: number,
  base: number,
): void {
  let prev = ts[start]!;
  w.svarint(prev - base);
  if (end - start < 2) return;
  let delta = ts[start + 1]! - prev;
  w.uvarint(delta);
  prev += delta;
  for (let i = start + 2; i < end; i++) {
    const t = ts[i]!;
    const d = t - prev;
    w.svarint(d - delta);
    delta = d;
    prev = t;
  }
}

/**
 * Reads `n` ≥ 1 timestamps written by {@linkcode writeTimestamps} into `out`.
 *
 * @returns the first timestamp, the next series' `base` in the log.
 * @throws {RangeError} when a timestamp leaves [0, MAX_TS] or goes backwards.
 */
export function readTimestamps(r: ByteReader, n: number, base: number, out: number[]): number {
  // Every intermediate is checked against MAX_TS < 2^53, so the sums stay exact.
  const first = base + r.svarint();
  if (first < 0 || first > MAX_TS) throw r.corrupt(`timestamp ${first} out of range`);
  out.push(first);
  if (n < 2) return first;
  let delta = r.uvarint();
  let t = first + delta;
  if (t > MAX_TS) throw r.corrupt(`timestamp ${t} out of range`);
  out.push(t);
  for (let i = 2; i < n; i++) {
    delta += r.svarint();
    t += delta;
    if (delta < 0 || t > MAX_TS) throw r.corrupt(`timestamp ${t} out of range or decreasing`);
    out.push(t);
  }
  return first;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
/** Scaled integers stay within ±2^52, so their deltas (±2^53) are exact. */
const SCALED_LIMIT = 2 ** 52;
const KIND_DELTA = 0x00;
const KIND_DOD = 0x10;
const KIND_XOR = 0x20;
const KIND_NEAR = 0x30;

let scratch = new Float64Array(1024);

/**
 * The smallest k in 0..6 for which every value is exactly its rounded
 * `v·10^k` divided by 10^k, leaving those integers in `scratch`; -1 if none.
 */
function decimalScale(values: ArrayLike<number>, start: number, end: number): number {
  const n = end - start;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const s = scratch;
  // The property is not monotonic in k (rounding), so each k re-checks every
  // value; values that fit no k fail on their first value, so this stays cheap.
  next: for (let k = 0; k < POW10.length; k++) {
    const p = POW10[k]!;
    for (let i = 0; i < n; i++) {
      const v = values[start + i]!;
      const x = Math.round(v * p);
      if (x / p !== v || x > SCALED_LIMIT || x < -SCALED_LIMIT) continue next;
      if (x === 0 && 1 / v < 0) return -1; // -0: an integer cannot carry its sign
      s[i] = x;
    }
    return k;
  }
  return -1;
}

/** Writes `values[start..end)` (at least one) in the shortest exact value encoding. */
export function writeValues(
  w: ByteWriter,
  values: ArrayLike<number>,
  start: number,
  end: number,
): void {
  const n = end - start;
  const k = decimalScale(values, start, end);
  if (k < 0) {
    const [near, nearBytes] = nearDecimalScale(values, start, end);
    if (near >= 0 && nearBytes < xorBytes(values, start, end)) {
      writeNear(w, values, start, end, near);
    } else writeXor(w, values, start, end);
    return;
  }
  const s = scratch;
  // Estimate both integer layouts by their varint lengths; deflate follows
  // either way, so this only has to rank them.
  let deltaBytes = 0;
  let dodBytes = 0;
  let dodOk = true;
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const d = s[i]! - s[i - 1]!;
    deltaBytes += svarintLength(d);
    dodBytes += svarintLength(d - prevDelta);
    if (d > SCALED_LIMIT || d < -SCALED_LIMIT) dodOk = false;
    prevDelta = d;
  }
  const dod = dodOk && dodBytes < deltaBytes;
  w.byte((dod ? KIND_DOD : KIND_DELTA) | k);
  w.svarint(s[0]!);
  prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const d = s[i]! - s[i - 1]!;
    w.svarint(dod ? d - prevDelta : d);
    prevDelta = d;
  }
}

/** Residuals of the near-decimal encoding stay within this many units in the last place. */
const MAX_RESIDUAL = 2 ** 24;
const TWO_32 = 2 ** 32;

/**
 * How many float64 steps (units in the last place) `v` is above `base`; NaN
 * when they differ in sign or by more than {@linkcode MAX_RESIDUAL} steps.
 */
function ulpDistance(v: number, base: number): number {
  const [vh, vl] = floatWords(v);
  const [bh, bl] = floatWords(base);
  const dh = vh - bh;
  if (dh > 1 || dh < -1 || (vh ^ bh) & 0x80000000) return NaN;
  const r = dh * TWO_32 + (vl - bl);
  return r <= MAX_RESIDUAL && r >= -MAX_RESIDUAL ? r : NaN;
}

/** `base` moved by `r` float64 steps, as {@linkcode ulpDistance} measured them. */
function addUlps(r: ByteReader, base: number, steps: number): number {
  const [h, l] = floatWords(base);
  let lo = l + steps;
  let hi = h;
  if (lo < 0) {
    lo += TWO_32;
    hi -= 1;
  } else if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  if (hi < 0 || hi >= TWO_32 || (hi ^ h) & 0x80000000) throw r.corrupt("residual crosses zero");
  return wordsFloat(hi, lo);
}

/**
 * For values a few float steps away from short decimals (sums and averages of
 * decimal readings, `0.1 + 0.2`): the scale k in 0..6 whose scaled-integer
 * deltas plus step residuals are shortest, and their estimated bytes; k = -1
 * when no scale brings every residual within {@linkcode MAX_RESIDUAL}.
 */
function nearDecimalScale(values: ArrayLike<number>, start: number, end: number): [number, number] {
  let best = -1;
  let bestBytes = Infinity;
  next: for (let k = 0; k < POW10.length; k++) {
    const p = POW10[k]!;
    let bytes = 0;
    let prev = 0;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      const x = Math.round(v * p) + 0; // + 0 turns -0 into 0, as the decoder will see it
      if (!(x <= SCALED_LIMIT && x >= -SCALED_LIMIT)) continue next;
      const r = ulpDistance(v, x / p);
      if (r !== r) continue next; // NaN: too far
      bytes += svarintLength(x - prev) + svarintLength(r);
      prev = x;
    }
    if (bytes < bestBytes) {
      best = k;
      bestBytes = bytes;
    }
  }
  return [best, bestBytes];
}

/** Scaled integers as deltas (first one absolute), then every value's step residual. */
function writeNear(
  w: ByteWriter,
  values: ArrayLike<number>,
  start: number,
  end: number,
  k: number,
): void {
  const p = POW10[k]!;
  w.byte(KIND_NEAR | k);
  let prev = 0;
  for (let i = start; i < end; i++) {
    const x = Math.round(values[i]! * p) + 0;
    w.svarint(x - prev);
    prev = x;
  }
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    w.svarint(ulpDistance(v, (Math.round(v * p) + 0) / p));
  }
}

function readNear(r: ByteReader, n: number, k: number, out: number[]): void {
  const p = POW10[k]!;
  const first = out.length;
  let x = 0;
  for (let i = 0; i < n; i++) {
    x += r.svarint();
    if (x > SCALED_LIMIT || x < -SCALED_LIMIT) throw r.corrupt("scaled value out of range");
    out.push(x / p);
  }
  for (let i = first; i < first + n; i++) {
    const steps = r.svarint();
    if (steps > MAX_RESIDUAL || steps < -MAX_RESIDUAL) throw r.corrupt("residual out of range");
    out[i] = addUlps(r, out[i]!, steps);
  }
}

/** Bytes {@linkcode writeXor} would take, headers included. */
function xorBytes(values: ArrayLike<number>, start: number, end: number): number {
  let bytes = 1 + end - start;
  let prevHi = 0;
  let prevLo = 0;
  for (let i = start; i < end; i++) {
    const [hi, lo] = floatWords(values[i]!);
    bytes += xorHeader((hi ^ prevHi) >>> 0, (lo ^ prevLo) >>> 0) & 15;
    prevHi = hi;
    prevLo = lo;
  }
  return bytes;
}

function xorHeader(xh: number, xl: number): number {
  if (xh === 0 && xl === 0) return 0x80; // 8 leading zero bytes, nothing stored
  const lead = xh !== 0 ? Math.clz32(xh) >>> 3 : 4 + (Math.clz32(xl) >>> 3);
  const trail = xl !== 0
    ? (31 - Math.clz32(xl & -xl)) >>> 3
    : 4 + ((31 - Math.clz32(xh & -xh)) >>> 3);
  return (lead << 4) | (8 - lead - trail);
}

function writeXor(w: ByteWriter, values: ArrayLike<number>, start: number, end: number): void {
  w.byte(KIND_XOR);
  for (let pass = 0; pass < 2; pass++) {
    let prevHi = 0;
    let prevLo = 0;
    for (let i = start; i < end; i++) {
      const [hi, lo] = floatWords(values[i]!);
      const xh = (hi ^ prevHi) >>> 0;
      const xl = (lo ^ prevLo) >>> 0;
      const h = xorHeader(xh, xl);
      if (pass === 0) w.byte(h);
      else w.wordBytes(xh, xl, h >>> 4, h & 15);
      prevHi = hi;
      prevLo = lo;
    }
  }
}

/**
 * Reads `n` ≥ 1 values written by {@linkcode writeValues} into `out`.
 *
 * @throws {RangeError} on an unknown encoding or an integer out of its range.
 */
export function readValues(r: ByteReader, n: number, out: number[]): void {
  const mode = r.byte();
  const kind = mode & 0xf0;
  const k = mode & 0x0f;
  if (kind === KIND_XOR && k === 0) {
    readXor(r, n, out);
    return;
  }
  if (kind === KIND_NEAR && k < POW10.length) {
    readNear(r, n, k, out);
    return;
  }
  if ((kind !== KIND_DELTA && kind !== KIND_DOD) || k >= POW10.length) {
    throw r.corrupt(`unknown value encoding 0x${mode.toString(16)}`);
  }
  const p = POW10[k]!;
  let s = r.svarint();
  if (s > SCALED_LIMIT || s < -SCALED_LIMIT) throw r.corrupt("scaled value out of range");
  out.push(s / p);
  let delta = 0;
  for (let i = 1; i < n; i++) {
    if (kind === KIND_DOD) {
      delta += r.svarint();
      if (delta > SCALED_LIMIT || delta < -SCALED_LIMIT) throw r.corrupt("delta out of range");
    } else delta = r.svarint();
    s += delta;
    if (s > SCALED_LIMIT || s < -SCALED_LIMIT) throw r.corrupt("scaled value out of range");
    out.push(s / p);
  }
}

function readXor(r: ByteReader, n: number, out: number[]): void {
  const headers = r.bytes(n);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const h = headers[i]!;
    const lead = h >>> 4;
    const len = h & 15;
    if (lead + len > 8) throw r.corrupt(`bad float header 0x${h.toString(16)}`);
    const [xh, xl] = r.wordBytes(lead, len);
    hi = (hi ^ xh) >>> 0;
    lo = (lo ^ xl) >>> 0;
    out.push(wordsFloat(hi, lo));
  }
}
