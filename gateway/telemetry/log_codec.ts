/**
 * Binary encoding of one group-commit record of the ingest log: the keys of
 * the batches it acknowledges and their samples, many series at once.
 *
 * Samples are regrouped by series (ascending id) and, within a series, by
 * timestamp; then every series is stored like a raw chunk (`chunk_codec.ts`):
 * delta-of-delta timestamps and decimal-scaled or XORed values, all
 * timestamp columns first and all value columns after, so deflate finds the
 * repeats. A series' first timestamp is stored relative to the previous
 * series' first one: an agent samples its metrics together, so most are 0.
 *
 * Order: {@linkcode decodeLogRecord} returns the same samples sorted by series
 * id, then timestamp; samples with the same series and timestamp keep their
 * relative input order, so "the last arrival wins" still holds on replay.
 *
 * Body layout (inside the frame of `chunk_codec.ts`, format 0x03, with CRC-32):
 *
 * ```text
 * uvarint batches; per batch: str nodeId, str epoch, uvarint seq, 16 B hash, uvarint receivedAt
 *   (str = uvarint byte length + UTF-8)
 * uvarint samples, uvarint series
 * series ids: uvarint first, then uvarint (gap - 1) each
 * per series: uvarint (count - 1)
 * per series: timestamp column;  then per series: value column
 * ```
 *
 * Measured on the development machine (2-core AMD EPYC, Deno 2.9), 250,000
 * samples of 5,000 series (a quarter each CPU %, °C with 2 decimals, byte
 * counters, full-precision random floats) in one record: 2.97 B/sample,
 * 0.13 µs/sample to encode and 0.04 µs/sample to decode; a 1 s commit of 500
 * such samples from 5 batches: 5.8 B/sample. `bench/telemetry_codec_bench.ts`
 * prints the current figures.
 *
 * @module
 */
import {
  checkColumns,
  checkTimestamps,
  FORMAT_LOG_V1,
  frame,
  readCount,
  readTimestamps,
  readValues,
  unframe,
  writeTimestamps,
  writeValues,
} from "./chunk_codec.ts";
import { ByteReader, ByteWriter } from "./varint.ts";

/** The idempotency key of one acknowledged batch, and when it arrived. */
export interface LogBatch {
  nodeId: string;
  epoch: string;
  seq: number;
  /** Digest of the batch body (16 bytes), to tell a retry from a conflicting reuse of the key. */
  hash: Uint8Array;
  /** Gateway clock, epoch ms. */
  receivedAt: number;
}

/**
 * What one group commit acknowledged: batch keys and the samples of all those
 * batches as parallel arrays (any order on encode; see the module doc for the
 * order on decode, where `seriesIds` is a `Uint32Array`).
 */
export interface LogRecord {
  batches: LogBatch[];
  seriesIds: Uint32Array | number[];
  ts: number[];
  values: number[];
}

const HASH_BYTES = 16;
/**
 * Deflate level of log records. Measured on 250,000 samples: level 1 saves
 * 0.02 µs a sample but writes 12% more bytes; level 9 saves 0.3% for 50% more
 * deflate time. Bytes written are what wears the card, so zlib's default.
 */
export const LOG_DEFLATE_LEVEL = 6;
/**
 * Deflate level for records written under heavy ingest (group_commit.ts), when
 * the event loop is the limit: on records of 2,500 samples of bench (c)'s
 * load, 57% less deflate time (58 instead of 134 µs) for 26% more bytes.
 */
export const LOG_DEFLATE_LEVEL_FAST = 1;
const WHAT = "telemetry log record";

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes a group-commit record.
 *
 * @example
 * ```ts
 * const bytes = encodeLogRecord({
 *   batches: [{ nodeId: "n-0123456789ab", epoch: "e1", seq: 7, hash: new Uint8Array(16), receivedAt: 1_700_000_000_500 }],
 *   seriesIds: [3, 4],
 *   ts: [1_700_000_000_000, 1_700_000_000_000],
 *   values: [41.25, 17],
 * });
 * decodeLogRecord(bytes).values; // [41.25, 17]
 * ```
 * @param level zlib level of the deflate (decoding takes any). @default LOG_DEFLATE_LEVEL
 * @throws {RangeError} when the sample arrays differ in length, a series id is
 * not a uint32, a timestamp is not an integer in [0, 8.64e15], or a batch has
 * a bad seq, receivedAt or hash length.
 */
export function encodeLogRecord(
  record: {
    readonly batches: readonly LogBatch[];
    readonly seriesIds: ArrayLike<number>;
    readonly ts: ArrayLike<number>;
    readonly values: ArrayLike<number>;
  },
  level: number = LOG_DEFLATE_LEVEL,
): Uint8Array<ArrayBuffer> {
  const { batches, seriesIds, values } = record;
  const ts = record.ts;
  const n = ts.length;
  checkColumns("log record", n, { seriesIds, values });
  checkIds(seriesIds, n);
  // Checked per index, unsorted: only the range matters before grouping.
  for (let i = 0; i < n; i++) checkTimestamps("log record", ts, i, i + 1);

  const w = new ByteWriter(256 + 80 * batches.length + 4 * n);
  writeBatches(w, batches);

  const groups = groupBySeries(seriesIds, ts, n);
  let sortedTs: ArrayLike<number> = ts;
  let sortedValues: ArrayLike<number> = values;
  if (groups.order) {
    const order = groups.order;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      t[i] = ts[j]!;
      v[i] = values[j]!;
    }
    sortedTs = t;
    sortedValues = v;
  }
  const { ids, counts } = groups;
  w.uvarint(n);
  w.uvarint(ids.length);
  for (let s = 0; s < ids.length; s++) w.uvarint(s === 0 ? ids[0]! : ids[s]! - ids[s - 1]! - 1);
  for (let s = 0; s < ids.length; s++) w.uvarint(counts[s]! - 1);
  let start = 0;
  let base = 0;
  for (let s = 0; s < ids.length; s++) {
    const end = start + counts[s]!;
    writeTimestamps(w, sortedTs, start, end, base);
    base = sortedTs[start]!;
    start = end;
  }
  start = 0;
  for (let s = 0; s < ids.length; s++) {
    const end = start + counts[s]!;
    writeValues(w, sortedValues, start, end);
    start = end;
  }
  return frame(FORMAT_LOG_V1, w.finish(), level);
}

/**
 * Decodes what {@linkcode encodeLogRecord} wrote: the same batches and the
 * same samples, sorted by series then timestamp (ties in input order).
 *
 * @throws {RangeError} when the record is torn or corrupt (the CRC-32 catches
 * every single-byte change) or of another format.
 */
export function decodeLogRecord(bytes: Uint8Array): LogRecord {
  const r = new ByteReader(unframe(bytes, FORMAT_LOG_V1, WHAT), WHAT);
  const batches = readBatches(r);
  const n = readCount(r);
  const seriesCount = r.uvarint();
  if (seriesCount > n || (n > 0 && seriesCount === 0)) {
    throw r.corrupt(`${seriesCount} series for ${n} samples`);
  }
  const ids = new Array<number>(seriesCount);
  let id = -1;
  for (let s = 0; s < seriesCount; s++) {
    id += r.uvarint() + 1;
    if (id > 0xffffffff) throw r.corrupt(`series id ${id} is not a uint32`);
    ids[s] = id;
  }
  const counts = new Array<number>(seriesCount);
  let total = 0;
  for (let s = 0; s < seriesCount; s++) {
    const c = r.uvarint() + 1;
    total += c;
    if (total > n) throw r.corrupt(`series counts exceed ${n} samples`);
    counts[s] = c;
  }
  if (total !== n) throw r.corrupt(`series counts sum to ${total}, not ${n}`);
  const seriesIds = new Uint32Array(n);
  const ts: number[] = [];
  const values: number[] = [];
  let base = 0;
  let at = 0;
  for (let s = 0; s < seriesCount; s++) {
    base = readTimestamps(r, counts[s]!, base, ts);
    seriesIds.fill(ids[s]!, at, at + counts[s]!);
    at += counts[s]!;
  }
  for (let s = 0; s < seriesCount; s++) readValues(r, counts[s]!, values);
  r.end();
  return { batches, seriesIds, ts, values };
}

function checkIds(ids: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (!(Number.isInteger(id) && id >= 0 && id <= 0xffffffff)) {
      throw new RangeError(`Cannot encode log record: seriesIds[${i}] = ${id} is not a uint32`);
    }
  }
}

function writeBatches(w: ByteWriter, batches: readonly LogBatch[]): void {
  w.uvarint(batches.length);
  batches.forEach((b, i) => {
    const where = `Cannot encode log record: batches[${i}]`;
    if (typeof b.nodeId !== "string" || typeof b.epoch !== "string") {
      throw new TypeError(`${where}: nodeId and epoch must be strings`);
    }
    if (!b.nodeId.isWellFormed() || !b.epoch.isWellFormed()) {
      // A lone surrogate would come back from UTF-8 as U+FFFD: not the same key.
      throw new RangeError(`${where}: nodeId or epoch has a lone surrogate`);
    }
    for (const [name, n] of [["seq", b.seq], ["receivedAt", b.receivedAt]] as const) {
      if (!(Number.isSafeInteger(n) && n >= 0)) {
        throw new RangeError(`${where}.${name} = ${n} is not a non-negative safe integer`);
      }
    }
    if (!(b.hash instanceof Uint8Array) || b.hash.length !== HASH_BYTES) {
      throw new RangeError(`${where}.hash must be ${HASH_BYTES} bytes, got ${b.hash?.length}`);
    }
    for (const s of [b.nodeId, b.epoch]) {
      const bytes = utf8.encode(s);
      w.uvarint(bytes.length);
      w.bytes(bytes);
    }
    w.uvarint(b.seq);
    w.bytes(b.hash);
    w.uvarint(b.receivedAt);
  });
}

function readBatches(r: ByteReader): LogBatch[] {
  const count = readCount(r);
  const batches: LogBatch[] = [];
  const str = (): string => {
    const bytes = r.bytes(r.uvarint());
    try {
      return utf8Strict.decode(bytes);
    } catch (cause) {
      throw new RangeError(`Cannot decode ${WHAT}: a batch key is not UTF-8`, { cause });
    }
  };
  for (let i = 0; i < count; i++) {
    const nodeId = str();
    const epoch = str();
    const seq = r.uvarint();
    const hash = r.bytes(HASH_BYTES).slice();
    const receivedAt = r.uvarint();
    if (seq > Number.MAX_SAFE_INTEGER || receivedAt > Number.MAX_SAFE_INTEGER) {
      throw r.corrupt("batch number above 2^53 - 1");
    }
    batches.push({ nodeId, epoch, seq, hash, receivedAt });
  }
  return batches;
}

/**
 * Groups samples by series id (ascending), stably, then sorts each series by
 * timestamp where it is not already in order.
 *
 * @returns the distinct ids, their sample counts, and the permutation to
 * apply (`null` when the input is already in that order).
 */
function groupBySeries(
  seriesIds: ArrayLike<number>,
  ts: ArrayLike<number>,
  n: number,
): { ids: number[]; counts: number[]; order: Uint32Array | null } {
  const ids: number[] = [];
  const counts: number[] = [];
  let sorted = true;
  let maxId = 0;
  for (let i = 0; i < n; i++) {
    const id = seriesIds[i]!;
    if (id > maxId) maxId = id;
    if (i > 0) {
      const prev = seriesIds[i - 1]!;
      if (id < prev || (id === prev && ts[i]! < ts[i - 1]!)) sorted = false;
    }
  }
  if (sorted) {
    for (let i = 0; i < n; i++) {
      const id = seriesIds[i]!;
      if (i > 0 && id === seriesIds[i - 1]) counts[counts.length - 1]!++;
      else {
        ids.push(id);
        counts.push(1);
      }
    }
    return { ids, counts, order: null };
  }

  // Counting sort by id: a typed array indexed by id when ids are dense (the
  // store numbers its series from 1), a Map otherwise.
  const order = new Uint32Array(n);
  if (maxId <= 4 * n + 65536) {
    const next = new Uint32Array(maxId + 1);
    for (let i = 0; i < n; i++) next[seriesIds[i]!]!++;
    let offset = 0;
    for (let id = 0; id <= maxId; id++) {
      const c = next[id]!;
      if (c === 0) continue;
      ids.push(id);
      counts.push(c);
      next[id] = offset;
      offset += c;
    }
    for (let i = 0; i < n; i++) order[next[seriesIds[i]!]!++] = i;
  } else {
    const byId = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const id = seriesIds[i]!;
      byId.set(id, (byId.get(id) ?? 0) + 1);
    }
    for (const id of byId.keys()) ids.push(id);
    ids.sort((a, b) => a - b);
    let offset = 0;
    for (const id of ids) {
      const c = byId.get(id)!;
      counts.push(c);
      byId.set(id, offset);
      offset += c;
    }
    for (let i = 0; i < n; i++) {
      const id = seriesIds[i]!;
      const at = byId.get(id)!;
      order[at] = i;
      byId.set(id, at + 1);
    }
  }

  let start = 0;
  for (const c of counts) {
    const end = start + c;
    for (let i = start + 1; i < end; i++) {
      if (ts[order[i]!]! < ts[order[i - 1]!]!) {
        // Ties keep input order (indices ascend within a series after the counting sort).
        const part = Array.from(order.subarray(start, end))
          .sort((a, b) => ts[a]! - ts[b]! || a - b);
        order.set(part, start);
        break;
      }
    }
    start = end;
  }
  return { ids, counts, order };
}
