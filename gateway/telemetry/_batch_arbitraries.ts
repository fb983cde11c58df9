/**
 * Random telemetry batches for the property tests of the ingest path's
 * readers: valid batches as agents send them, and changes that may make
 * them invalid.
 */
import fc from "fast-check";
import { UNITS } from "../../lib/schemas/telemetry.ts";

const lower = "abcdefghijklmnopqrstuvwxyz";
const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });

const metric = fc.tuple(chars(lower, 1, 1), chars(lower + "0123456789_.", 0, 63))
  .map(([a, b]) => a + b);
const labelName = fc.tuple(chars(lower, 1, 1), chars(lower + "0123456789_", 0, 31))
  .map(([a, b]) => a + b);
const labels = fc.dictionary(labelName, fc.string({ minLength: 1, maxLength: 64 }), {
  maxKeys: 8,
});
const sample = fc.record({
  metric,
  ts: fc.oneof(fc.integer({ min: 0, max: 8.64e15 }), fc.constantFrom(0, 8.64e15)),
  value: fc.double({ noNaN: true, noDefaultInfinity: true }),
  unit: fc.constantFrom(...UNITS),
  labels,
}, { requiredKeys: ["metric", "ts", "value"] });
/** Valid batches (as objects; JSON.stringify them for bodies). */
export const batch = fc.record({
  node_id: chars("0123456789abcdef", 12, 12).map((h) => `n-${h}`),
  epoch: chars("ABCXYZabcxyz0189_-", 1, 64),
  batch_seq: fc.oneof(
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(0, Number.MAX_SAFE_INTEGER),
  ),
  samples: fc.array(sample, { minLength: 1, maxLength: 20 }),
});

/** Values a field may wrongly hold: other types, bounds and just past them, bad strings. */
const oddValue = fc.constantFrom<unknown>(
  null,
  true,
  -1,
  -0,
  1.5,
  8.64e15 + 1,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  "",
  "x",
  "A",
  "1",
  "a".repeat(65),
  "n-0123456789AB",
  "furlong",
  "°C",
  [],
  {},
  { a: "1" },
  { A: "1" },
  { a: "" },
  { a: 1 },
  { a: "two\nlines" },
  { a: "next\u0085line" },
  Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, "v"])),
);

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/** One change to a valid batch, which may or may not make it invalid. */
export const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("batch-field"),
    key: fc.constantFrom("node_id", "epoch", "batch_seq", "samples", "extra"),
    value: oddValue,
  }),
  fc.record({
    kind: fc.constant("batch-drop"),
    key: fc.constantFrom("node_id", "epoch", "batch_seq", "samples"),
  }),
  fc.record({
    kind: fc.constant("sample-field"),
    at: fc.nat(),
    key: fc.constantFrom("metric", "ts", "value", "unit", "labels", "extra"),
    value: oddValue,
  }),
  fc.record({
    kind: fc.constant("sample-drop"),
    at: fc.nat(),
    key: fc.constantFrom("metric", "ts", "value", "unit", "labels"),
  }),
  fc.record({ kind: fc.constant("sample-replace"), at: fc.nat(), value: oddValue }),
);

/** `input` with the change `m` applied (a copy). */
export function mutate(
  input: Json,
  m: { kind: string; key?: string; at?: number; value?: unknown },
): Json {
  const copy = structuredClone(input) as Json & { samples: Json[] };
  const samples = copy.samples;
  const at = Array.isArray(samples) && samples.length > 0 ? (m.at ?? 0) % samples.length : -1;
  // A change inside a sample needs one: an earlier change may have replaced them.
  if (
    m.kind.startsWith("sample") && (at < 0 || (m.kind !== "sample-replace" &&
      (typeof samples[at] !== "object" || samples[at] === null)))
  ) return copy;
  switch (m.kind) {
    case "batch-field":
      copy[m.key!] = m.value;
      break;
    case "batch-drop":
      delete copy[m.key!];
      break;
    case "sample-field":
      samples[at]![m.key!] = m.value;
      break;
    case "sample-drop":
      delete samples[at]![m.key!];
      break;
    default:
      (samples as unknown[])[at] = m.value;
  }
  return copy;
}
