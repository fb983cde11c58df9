/**
 * JSON read strictly: UTF-8 that is well-formed, no key twice in one object,
 * and a bounded depth. `JSON.parse` alone keeps the last of two equal keys
 * (`{"role":"viewer","role":"admin"}` is an admin) and `TextDecoder` turns
 * bad bytes into U+FFFD, so a reviewer and the server could read one body
 * two ways; both are refused here, each naming where it is.
 *
 * Syntax is left to `JSON.parse`; then one linear scan of the text tracks
 * the path, the keys of each open object (decoded, so `"rol\u0065"` is
 * `"role"`) and the depth. It never recurses, so no body can overflow it.
 *
 * @module
 */

/**
 * Deepest nesting of arrays and objects accepted. HALO's deepest body (a
 * flow: steps, config, action, config, headers) is 6 levels; code that
 * walks caller JSON recursively is safe far beyond 64, and 64 leaves room
 * for trigger payloads without letting a 1 MiB body nest 500,000 deep.
 */
export const MAX_JSON_DEPTH = 64;

/** Where in a document something is: keys and array indices from the top. */
export type JsonPath = (string | number)[];

/** Why a body was refused, and where. */
export class JsonInputError extends SyntaxError {
  override name = "JsonInputError";
  constructor(
    /** Where the problem is; empty for the whole document. */
    readonly path: JsonPath,
    /** What is wrong there, said to the caller, e.g. `duplicate key "role"`. */
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${path.length ? path.join(".") : "(top level)"}: ${problem}`, options);
  }
}

/** Options of {@linkcode parseStrictJson}. */
export interface StrictJsonOptions {
  /** Deepest nesting accepted. @default {MAX_JSON_DEPTH} */
  maxDepth?: number;
}

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes and parses a JSON document from its bytes, refusing bad UTF-8,
 * duplicate keys and nesting deeper than `maxDepth`.
 *
 * @throws {JsonInputError} naming the path of the first problem.
 * @throws {SyntaxError} from `JSON.parse` for text that is no JSON.
 * @example
 * ```ts
 * parseStrictJsonBytes(new TextEncoder().encode('{"a":1,"a":2}'));
 * // throws JsonInputError: a: duplicate key "a"
 * ```
 */
export function parseStrictJsonBytes(
  bytes: Uint8Array,
  options: StrictJsonOptions = {},
): { text: string; value: unknown } {
  let text: string;
  try {
    text = FATAL_UTF8.decode(bytes);
  } catch (cause) {
    throw invalidUtf8Error(bytes, options, cause);
  }
  return { text, value: parseStrictJson(text, options) };
}

/**
 * `JSON.parse(text)`, refusing duplicate keys and nesting deeper than `maxDepth`.
 *
 * @throws {JsonInputError} naming the path of the first problem.
 * @throws {SyntaxError} from `JSON.parse` for text that is no JSON.
 */
export function parseStrictJson(text: string, options: StrictJsonOptions = {}): unknown {
  const value = JSON.parse(text);
  // Scalars have neither keys nor depth; most small bodies are objects, so always scan those.
  if (value !== null && typeof value === "object") scan(text, options.maxDepth ?? MAX_JSON_DEPTH);
  return value;
}

/** The error for bytes that are not UTF-8: the path of the value (or key) the first bad byte is in. */
function invalidUtf8Error(
  bytes: Uint8Array,
  options: StrictJsonOptions,
  cause: unknown,
): JsonInputError {
  const at = invalidUtf8At(bytes);
  const prefix = FATAL_UTF8.decode(bytes.subarray(0, Math.max(0, at)));
  // A problem before the bad byte (a duplicate key, too deep) is reported as such.
  const where = scan(prefix, options.maxDepth ?? MAX_JSON_DEPTH);
  return new JsonInputError(
    where.path,
    `${where.inKey ? "a key holds" : "holds"} bytes that are not UTF-8 (at byte ${at})`,
    { cause },
  );
}

/**
 * Offset of the first byte that does not belong to well-formed UTF-8 as
 * the Encoding Standard reads it (no overlong forms, surrogates or code
 * points past U+10FFFF, no truncated sequence); -1 when all are.
 */
export function invalidUtf8At(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let follow: number;
    let low = 0x80, high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) follow = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      follow = 2;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      follow = 3;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= follow; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < low || c > high) return i;
      low = 0x80;
      high = 0xbf;
    }
    i += follow + 1;
  }
  return -1;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

/** The characters the scan acts on outside strings; any other is stepped over after one test. */
const STRUCTURAL = new Uint8Array(128);
for (const c of [QUOTE, COMMA, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET]) {
  STRUCTURAL[c] = 1;
}

/** One open array or object; reused per depth so a long array of objects allocates nothing. */
interface Frame {
  array: boolean;
  /** Array: the current element's index. */
  index: number;
  /** Object: whether the next string is a key. */
  expectKey: boolean;
  /** Object: keys so far, each at `text[starts[k], ends[k])`; the last is the current one. */
  count: number;
  starts: number[];
  ends: number[];
  /**
   * Object: the keys decoded, once one has an escape or there are many;
   * until then keys are compared as they are spelled, without making strings.
   */
  decoded: Set<string> | null;
}

/** Past this many keys an object's keys are looked up in a Set rather than compared one by one. */
const LINEAR_KEYS = 16;

/** The key spelled at `text[start, end)`, escapes decoded. */
function keyAt(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  return raw.includes("\\") ? JSON.parse(text.slice(start - 1, end + 1)) : raw;
}

/** Whether the key at `text[start, end)` is already in `frame`'s object; adds it if not. */
function repeated(frame: Frame, text: string, start: number, end: number): boolean {
  const { starts, ends, count } = frame;
  let escaped = false;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) === BACKSLASH) {
      escaped = true;
      break;
    }
  }
  if (frame.decoded === null && (escaped || count >= LINEAR_KEYS)) {
    frame.decoded = new Set();
    for (let k = 0; k < count; k++) frame.decoded.add(keyAt(text, starts[k]!, ends[k]!));
  }
  // Written by index, not pushed: the arrays keep their storage from object to object.
  starts[count] = start;
  ends[count] = end;
  frame.count = count + 1;
  if (frame.decoded !== null) {
    const key = keyAt(text, start, end);
    if (frame.decoded.has(key)) return true;
    frame.decoded.add(key);
    return false;
  }
  const length = end - start;
  for (let k = 0; k < count; k++) {
    const at = starts[k]!;
    if (ends[k]! - at !== length) continue;
    let i = 0;
    while (i < length && text.charCodeAt(at + i) === text.charCodeAt(start + i)) i++;
    if (i === length) return true;
  }
  return false;
}

/**
 * Scans JSON text that `JSON.parse` accepted, or a prefix of such text.
 * Throws at a duplicate key or past `maxDepth`; at the end of the text,
 * returns where it stopped (for a prefix: the value or key it ended in).
 */
function scan(text: string, maxDepth: number): { path: JsonPath; inKey: boolean } {
  const frames: Frame[] = [];
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 128 || STRUCTURAL[c] === 0) {
      // Numbers, literals, colons and whitespace.
      i++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= maxDepth) {
        throw new JsonInputError(
          pathOf(text, frames, depth, true),
          `nested deeper than ${maxDepth} levels of arrays and objects`,
        );
      }
      const frame = frames[depth] ??= {
        array: false,
        index: 0,
        expectKey: false,
        count: 0,
        starts: [],
        ends: [],
        decoded: null,
      };
      frame.array = c === OPEN_BRACKET;
      frame.index = 0;
      frame.expectKey = !frame.array;
      frame.count = 0;
      frame.decoded = null;
      depth++;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      i++;
    } else if (c === COMMA) {
      const frame = frames[depth - 1]!;
      if (frame.array) frame.index++;
      else frame.expectKey = true;
      i++;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i + 1);
      const frame = depth > 0 ? frames[depth - 1]! : undefined;
      const isKey = frame !== undefined && !frame.array && frame.expectKey;
      if (end < 0) return { path: pathOf(text, frames, depth, !isKey), inKey: isKey };
      if (isKey) {
        if (repeated(frame, text, i + 1, end)) {
          throw new JsonInputError(
            pathOf(text, frames, depth, true),
            `duplicate key ${JSON.stringify(keyAt(text, i + 1, end))}: give each key once`,
          );
        }
        frame.expectKey = false;
      }
      i = end + 1;
    }
  }
  const top = depth > 0 ? frames[depth - 1]! : undefined;
  const betweenKeys = top !== undefined && !top.array && top.expectKey;
  return { path: pathOf(text, frames, depth, !betweenKeys), inKey: false };
}

/** Index of the quote that closes the string whose content starts at `from`; -1 if none. */
function stringEnd(text: string, from: number): number {
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** The path to the open containers, and (`inner`) to the element or key of the innermost one. */
function pathOf(text: string, frames: Frame[], depth: number, inner: boolean): JsonPath {
  const path: JsonPath = [];
  for (let d = 0; d < depth; d++) {
    const frame = frames[d]!;
    if (d === depth - 1 && !inner) break;
    if (frame.array) path.push(frame.index);
    else if (frame.count > 0) {
      path.push(keyAt(text, frame.starts[frame.count - 1]!, frame.ends[frame.count - 1]!));
    } else break;
  }
  return path;
}
