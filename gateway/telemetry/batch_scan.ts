/**
 * The ingest path's reader of `POST /v1/telemetry` bodies, straight from
 * their bytes.
 *
 * `JSON.parse` of a 100-sample batch builds a string for every metric name,
 * unit and label value and an object for every labels map, only for the
 * batch check to test them and the series lookup to drop them: at 5 batches
 * a second that garbage and the parse were a good part of the gateway's CPU.
 * An agent sends the same metrics with the same units and labels every
 * time, so this reader scans the bytes, recognizes each sample's metric,
 * unit and labels by their exact bytes among those it has seen and checked
 * before, and reads only `ts` and `value` anew.
 *
 * It reads the plain JSON agents write (any key order, any whitespace) and
 * declines everything else — escapes in strings, duplicate or unknown keys,
 * bytes that are not UTF-8, anything the batch check or the strict JSON
 * reading of every body (gateway/api/strict_input.ts) would refuse — by
 * returning null: the caller then
 * decodes and parses the body as before, so every refusal, and any body this
 * reader does not know, gets exactly the answer it got before.
 * `batch_scan_test.ts` proves with random batches that whenever it answers,
 * it answers what `JSON.parse` and `checkBatch()` do.
 *
 * @module
 */
import { parseStrictJson } from "../../lib/json/strict_json.ts";
import { SINGLE_LINE_TEXT } from "../../lib/schemas/common.ts";
import { MAX_BATCH_SAMPLES, type Sample } from "../../lib/schemas/telemetry.ts";
import {
  type CheckedBatch,
  EPOCH,
  LABEL_NAME,
  MAX_LABEL_VALUE,
  MAX_LABELS,
  MAX_TS,
  METRIC,
  NODE_ID,
  UNIT_SET,
} from "./batch_check.ts";
import { canonicalLabels } from "./series_registry.ts";

/** Distinct (metric, unit, labels) spellings remembered at most; past it the memory starts over. */
const MAX_KEYS = 100_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Powers of ten a double holds exactly: m / 10^k is then correctly rounded, as JSON.parse rounds. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Where `#number()` leaves what it read: a double it returned would be boxed on the heap. */
const NUMBER = new Float64Array(1);

/** Fatal: bytes that are not UTF-8 make the key one this reader does not vouch for. */
const utf8 = new TextDecoder("utf-8", { fatal: true });
const keyCodes = (key: string) => Array.from(key, (c) => c.charCodeAt(0));

// Field names, compared by length, then byte by byte.
const BATCH_FIELDS = ["node_id", "epoch", "batch_seq", "samples"].map(keyCodes);
const SAMPLE_FIELDS = ["metric", "ts", "value", "unit", "labels"].map(keyCodes);
// Indices into SAMPLE_FIELDS; the one left (3) is unit.
const F_METRIC = 0, F_TS = 1, F_VALUE = 2, F_LABELS = 4;

/**
 * A checked (metric, unit, labels) spelling and the values it stands for.
 * Its bytes are in the scanner's pool from `at`: metric, unit, labels, one
 * after the other (length -1: the field is absent).
 */
interface SampleKey {
  at: number;
  metricLength: number;
  unitLength: number;
  labelsLength: number;
  sample: { metric: string; unit: Sample["unit"]; labels: Sample["labels"] };
  labelsKey: string;
}

/**
 * Reads batches from body bytes, remembering the sample keys it has checked
 * (one reader per gateway: they are the same few thousand series).
 */
export class BatchScanner {
  readonly #keys = new Map<number, SampleKey[]>();
  #keyCount = 0;
  /** The bytes of every remembered key, in one buffer rather than three small ones a key. */
  #pool = new Uint8Array(4096);
  #poolUsed = 0;

  /**
   * The checked batch in `bytes`, as `checkBatch(JSON.parse(text))` would
   * give it; null when this reader does not vouch for the body (then parse
   * it the general way, which also words any refusal).
   */
  scan(bytes: Uint8Array): CheckedBatch | null {
    try {
      return new Scan(bytes, this).batch();
    } catch {
      // Read past the end of a truncated body: not one this reader vouches for.
      return null;
    }
  }

  /** The remembered key spelled by these byte ranges (end -1: field absent), or null. */
  key(
    bytes: Uint8Array,
    metric: number,
    metricEnd: number,
    unit: number,
    unitEnd: number,
    labels: number,
    labelsEnd: number,
    hash: number,
  ): SampleKey | null {
    const metricLength = metricEnd - metric;
    const unitLength = unitEnd < 0 ? -1 : unitEnd - unit;
    const labelsLength = labelsEnd < 0 ? -1 : labelsEnd - labels;
    const pool = this.#pool;
    const candidates = this.#keys.get(hash);
    if (candidates) {
      for (const k of candidates) {
        if (
          k.metricLength === metricLength && k.unitLength === unitLength &&
          k.labelsLength === labelsLength && same(pool, k.at, bytes, metric, metricLength) &&
          same(pool, k.at + metricLength, bytes, unit, unitLength) &&
          same(pool, k.at + metricLength + Math.max(0, unitLength), bytes, labels, labelsLength)
        ) return k;
      }
    }
    const checked = checkKey(bytes, metric, metricEnd, unit, unitEnd, labels, labelsEnd);
    if (!checked) return null;
    if (this.#keyCount >= MAX_KEYS) {
      this.#keys.clear();
      this.#keyCount = 0;
      this.#poolUsed = 0;
    }
    const at = this.#poolUsed;
    this.#store(bytes, metric, metricLength);
    this.#store(bytes, unit, unitLength);
    this.#store(bytes, labels, labelsLength);
    const key: SampleKey = { at, metricLength, unitLength, labelsLength, ...checked };
    const list = this.#keys.get(hash);
    if (list) list.push(key);
    else this.#keys.set(hash, [key]);
    this.#keyCount++;
    return key;
  }

  /** Appends `bytes[start, start + length)` to the pool (nothing for length -1). */
  #store(bytes: Uint8Array, start: number, length: number): void {
    if (length <= 0) return;
    if (this.#poolUsed + length > this.#pool.length) {
      const grown = new Uint8Array(Math.max(2 * this.#pool.length, this.#poolUsed + length));
      grown.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = grown;
    }
    this.#pool.set(bytes.subarray(start, start + length), this.#poolUsed);
    this.#poolUsed += length;
  }
}

/** Whether `pool[at, at + length)` equals `bytes[start, start + length)` (length -1: absent). */
function same(pool: Uint8Array, at: number, bytes: Uint8Array, start: number, length: number) {
  for (let i = 0; i < length; i++) if (pool[at + i] !== bytes[start + i]) return false;
  return true;
}

/** Decodes and checks a sample key new to the reader, as the batch check would; null if refused. */
function checkKey(
  bytes: Uint8Array,
  metric: number,
  metricEnd: number,
  unit: number,
  unitEnd: number,
  labels: number,
  labelsEnd: number,
): Pick<SampleKey, "sample" | "labelsKey"> | null {
  try {
    return checkKeyText(bytes, metric, metricEnd, unit, unitEnd, labels, labelsEnd);
  } catch {
    // Not UTF-8, or a label name given twice: the general path words the refusal.
    return null;
  }
}

function checkKeyText(
  bytes: Uint8Array,
  metric: number,
  metricEnd: number,
  unit: number,
  unitEnd: number,
  labels: number,
  labelsEnd: number,
): Pick<SampleKey, "sample" | "labelsKey"> | null {
  const metricText = utf8.decode(bytes.subarray(metric, metricEnd));
  if (!METRIC.test(metricText)) return null;
  let unitText: string | undefined;
  if (unitEnd >= 0) {
    unitText = utf8.decode(bytes.subarray(unit, unitEnd));
    if (!UNIT_SET.has(unitText)) return null;
  }
  let labelsValue: Record<string, string> | undefined;
  if (labelsEnd >= 0) {
    // The scan found a flat object of strings without escapes; read strictly, as the whole
    // body would be (a name given twice throws).
    const parsed: unknown = parseStrictJson(utf8.decode(bytes.subarray(labels, labelsEnd)));
    if (!labelsOk(parsed)) return null;
    labelsValue = Object.freeze(parsed);
  }
  return {
    sample: { metric: metricText, unit: unitText as Sample["unit"], labels: labelsValue },
    labelsKey: canonicalLabels(labelsValue),
  };
}

function labelsOk(labels: unknown): labels is Record<string, string> {
  if (typeof labels !== "object" || labels === null || Array.isArray(labels)) return false;
  let count = 0;
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || typeof value !== "string") return false;
    if (value.length < 1 || value.length > MAX_LABEL_VALUE) return false;
    if (!SINGLE_LINE_TEXT.test(value)) return false;
    count++;
  }
  return count <= MAX_LABELS;
}

/** One pass over one body; its readers return null (or false, -1) to decline, and throw at its end. */
class Scan {
  #at = 0;

  constructor(private readonly bytes: Uint8Array, private readonly keys: BatchScanner) {}

  /** The next byte; RangeError past the end (a truncated body). */
  #byte(at: number): number {
    const b = this.bytes[at];
    if (b === undefined) throw new RangeError("end of body");
    return b;
  }

  #skipSpace(): number {
    for (;;) {
      const b = this.#byte(this.#at);
      // JSON's whitespace: space, tab, line feed, carriage return.
      if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
      this.#at++;
    }
  }

  /** After the opening quote: moves past the closing one; returns the content's end, or -1. */
  #string(): number {
    for (;;) {
      const b = this.#byte(this.#at++);
      if (b === QUOTE) return this.#at - 1;
      // Escapes are left to JSON.parse; raw control characters are invalid JSON.
      if (b === BACKSLASH || b < 0x20) return -1;
    }
  }

  /** The field (index into `fields`) whose quoted name starts here, or -1. */
  #field(fields: number[][]): number {
    if (this.#byte(this.#at++) !== QUOTE) return -1;
    const start = this.#at;
    const end = this.#string();
    if (end < 0) return -1;
    const length = end - start;
    for (let f = 0; f < fields.length; f++) {
      const name = fields[f]!;
      if (name.length !== length) continue;
      let i = 0;
      while (i < length && this.bytes[start + i] === name[i]) i++;
      if (i === length) return f;
    }
    return -1;
  }

  /** `:` and the space around it. */
  #colon(): boolean {
    if (this.#skipSpace() !== COLON) return false;
    this.#at++;
    this.#skipSpace();
    return true;
  }

  /** After a value: true for `,` (another field follows), false for `close`, null otherwise. */
  #next(close: number): boolean | null {
    const b = this.#skipSpace();
    this.#at++;
    return b === COMMA ? true : b === close ? false : null;
  }

  /** Reads a JSON number into `NUMBER[0]` as JSON.parse reads it; false if there is none. */
  #number(): boolean {
    const bytes = this.bytes;
    const start = this.#at;
    let at = start;
    let b = this.#byte(at);
    const negative = b === MINUS;
    if (negative) b = this.#byte(++at);
    if (b < ZERO || b > NINE) return false;
    let mantissa = 0;
    let digits = 0;
    if (b === ZERO) b = this.#byte(++at);
    else {
      while (b >= ZERO && b <= NINE) {
        mantissa = mantissa * 10 + (b - ZERO);
        digits++;
        b = this.#byte(++at);
      }
    }
    let fraction = 0;
    if (b === DOT) {
      b = this.#byte(++at);
      if (b < ZERO || b > NINE) return false;
      while (b >= ZERO && b <= NINE) {
        mantissa = mantissa * 10 + (b - ZERO);
        if (mantissa !== 0) digits++;
        fraction++;
        b = this.#byte(++at);
      }
    }
    let exact = true;
    if (b === 0x65 || b === 0x45) {
      exact = false;
      b = this.#byte(++at);
      if (b === PLUS || b === MINUS) b = this.#byte(++at);
      if (b < ZERO || b > NINE) return false;
      while (b >= ZERO && b <= NINE) b = this.#byte(++at);
    }
    this.#at = at;
    // Up to 15 digits and 22 decimals, m / 10^k divides two exact doubles: correctly rounded.
    if (exact && digits <= 15 && fraction <= 22) {
      const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
      NUMBER[0] = negative ? -value : value;
      return true;
    }
    let text = "";
    for (let i = start; i < at; i++) text += String.fromCharCode(bytes[i]!);
    NUMBER[0] = Number(text);
    return true;
  }

  /** A quoted ASCII string, or null. */
  #ascii(): string | null {
    if (this.#byte(this.#at++) !== QUOTE) return null;
    const start = this.#at;
    const end = this.#string();
    if (end < 0) return null;
    let text = "";
    for (let i = start; i < end; i++) {
      const b = this.bytes[i]!;
      if (b >= 0x80) return null;
      text += String.fromCharCode(b);
    }
    return text;
  }

  batch(): CheckedBatch | null {
    if (this.#skipSpace() !== OPEN_BRACE) return null;
    this.#at++;
    let nodeId: string | null = null;
    let epoch: string | null = null;
    let seq: number | null = null;
    let samples: Sample[] | null = null;
    let labelsKeys: string[] = [];
    for (;;) {
      this.#skipSpace();
      const field = this.#field(BATCH_FIELDS);
      if (field < 0 || !this.#colon()) return null;
      switch (field) {
        case 0:
          if (nodeId !== null) return null;
          nodeId = this.#ascii();
          if (nodeId === null || !NODE_ID.test(nodeId)) return null;
          break;
        case 1:
          if (epoch !== null) return null;
          epoch = this.#ascii();
          if (epoch === null || !EPOCH.test(epoch)) return null;
          break;
        case 2:
          if (seq !== null || !this.#number()) return null;
          seq = NUMBER[0]!;
          if (!Number.isSafeInteger(seq) || seq < 0) return null;
          break;
        default: {
          if (samples !== null) return null;
          samples = [];
          labelsKeys = [];
          if (!this.#samples(samples, labelsKeys)) return null;
        }
      }
      const more = this.#next(CLOSE_BRACE);
      if (more === null) return null;
      if (!more) break;
    }
    // Only whitespace may follow.
    for (; this.#at < this.bytes.length; this.#at++) {
      const b = this.bytes[this.#at];
      if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return null;
    }
    if (nodeId === null || epoch === null || seq === null || samples === null) return null;
    if (samples.length < 1 || samples.length > MAX_BATCH_SAMPLES) return null;
    return { batch: { node_id: nodeId, epoch, batch_seq: seq, samples }, labelsKeys };
  }

  /** The samples array; false to decline. */
  #samples(samples: Sample[], labelsKeys: string[]): boolean {
    if (this.#byte(this.#at++) !== OPEN_BRACKET) return false;
    if (this.#skipSpace() === CLOSE_BRACKET) return (this.#at++, true);
    for (;;) {
      // Past the bound the general path answers (413).
      if (samples.length >= MAX_BATCH_SAMPLES) return false;
      if (this.#skipSpace() !== OPEN_BRACE || !this.#sample(samples, labelsKeys)) return false;
      const more = this.#next(CLOSE_BRACKET);
      if (more === null) return false;
      if (!more) return true;
    }
  }

  /** One sample object; false to decline. */
  #sample(samples: Sample[], labelsKeys: string[]): boolean {
    const bytes = this.bytes;
    this.#at++;
    let metric = -1, metricEnd = -1, unit = -1, unitEnd = -1, labels = -1, labelsEnd = -1;
    // Numbers, not number | null: optimized code keeps them unboxed.
    let ts = 0, value = 0, haveTs = false, haveValue = false;
    // FNV-1a over the metric, unit and labels bytes, each after a tag byte.
    let hash = 0x811c9dc5;
    for (;;) {
      this.#skipSpace();
      const field = this.#field(SAMPLE_FIELDS);
      if (field < 0 || !this.#colon()) return false;
      if (field === F_TS || field === F_VALUE) {
        if ((field === F_TS ? haveTs : haveValue) || !this.#number()) return false;
        if (field === F_TS) (ts = NUMBER[0]!, haveTs = true);
        else (value = NUMBER[0]!, haveValue = true);
      } else {
        let start: number;
        let end: number;
        if (field === F_LABELS) {
          if (labelsEnd >= 0) return false;
          start = this.#at;
          if (!this.#flatObject()) return false;
          end = this.#at;
          labels = start;
          labelsEnd = end;
        } else {
          if ((field === F_METRIC ? metricEnd : unitEnd) >= 0) return false;
          if (this.#byte(this.#at++) !== QUOTE) return false;
          start = this.#at;
          end = this.#string();
          if (end < 0) return false;
          if (field === F_METRIC) (metric = start, metricEnd = end);
          else (unit = start, unitEnd = end);
        }
        hash = Math.imul(hash ^ field, 0x01000193);
        for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
      }
      const more = this.#next(CLOSE_BRACE);
      if (more === null) return false;
      if (!more) break;
    }
    if (metricEnd < 0 || !haveTs || !haveValue) return false;
    if (!Number.isSafeInteger(ts) || ts < 0 || ts > MAX_TS || !Number.isFinite(value)) {
      return false;
    }
    const key = this.keys.key(bytes, metric, metricEnd, unit, unitEnd, labels, labelsEnd, hash);
    if (!key) return false;
    const { metric: name, unit: u, labels: l } = key.sample;
    // The schema's field order; absent optional fields are left out, as zod leaves them.
    // One literal per shape: adding fields later would allocate a second store for them.
    samples.push(
      u === undefined
        ? l === undefined ? { metric: name, ts, value } : { metric: name, ts, value, labels: l }
        : l === undefined
        ? { metric: name, ts, value, unit: u }
        : { metric: name, ts, value, unit: u, labels: l },
    );
    labelsKeys.push(key.labelsKey);
    return true;
  }

  /** `{ "name": "value", … }` with plain strings only; moves past it. */
  #flatObject(): boolean {
    if (this.#byte(this.#at++) !== OPEN_BRACE) return false;
    if (this.#skipSpace() === CLOSE_BRACE) return (this.#at++, true);
    for (;;) {
      if (this.#skipSpace() !== QUOTE) return false;
      this.#at++;
      if (this.#string() < 0 || !this.#colon()) return false;
      if (this.#byte(this.#at++) !== QUOTE || this.#string() < 0) return false;
      const more = this.#next(CLOSE_BRACE);
      if (more === null) return false;
      if (!more) return true;
    }
  }
}
