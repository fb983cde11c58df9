import fc from "fast-check";
import { MAX_BATCH_SAMPLES, telemetryBatchSchema, UNITS } from "../../lib/schemas/telemetry.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { checkBatch, fastCheckBatch } from "./batch_check.ts";
import { canonicalLabels } from "./series_registry.ts";

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
const batch = fc.record({
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
  Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, "v"])),
);

type Json = Record<string, unknown>;

/** One change to a valid batch, which may or may not make it invalid. */
const mutation = fc.oneof(
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

function mutate(
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

/** Both validators agree on `input`: same verdict, same output, labels keys of that output. */
function assertAgree(input: unknown) {
  const fast = fastCheckBatch(input);
  const schema = telemetryBatchSchema.safeParse(input);
  assertEquals(fast !== null, schema.success, `verdicts differ on ${JSON.stringify(input)}`);
  if (fast && schema.success) {
    assertEquals(fast.batch, schema.data);
    assertEquals(fast.labelsKeys, schema.data.samples.map((s) => canonicalLabels(s.labels)));
  }
}

Deno.test("fastCheckBatch() accepts and refuses exactly what telemetryBatchSchema does", async (t) => {
  await t.step("random valid batches, as JSON bodies arrive", () => {
    fc.assert(
      fc.property(batch, (b) => {
        const input = JSON.parse(JSON.stringify(b));
        assertEquals(fastCheckBatch(input) !== null, true);
        assertAgree(input);
      }),
      { numRuns: 500 },
    );
  });

  await t.step("random valid batches with one field changed, dropped or added", () => {
    fc.assert(
      fc.property(batch, fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, ms) => {
        let input = JSON.parse(JSON.stringify(b)) as Json;
        for (const m of ms) input = mutate(input, m);
        assertAgree(input);
      }),
      { numRuns: 3000 },
    );
  });

  await t.step("bodies that are not objects, and sample counts at and past the bounds", () => {
    for (const input of [null, 1, "x", [], { samples: [] }]) assertAgree(input);
    const one = { metric: "cpu.usage", ts: 1, value: 1 };
    const base = { node_id: "n-0123456789ab", epoch: "e", batch_seq: 0 };
    for (const n of [0, 1, MAX_BATCH_SAMPLES, MAX_BATCH_SAMPLES + 1]) {
      assertAgree({ ...base, samples: Array.from({ length: n }, () => one) });
    }
  });
});

Deno.test("checkBatch() answers a refused batch with the schema's issues", () => {
  const result = checkBatch({
    node_id: "n-0123456789ab",
    epoch: "e",
    batch_seq: 0,
    samples: [{ metric: "x", ts: 1, value: 1 }, { metric: "X", ts: -1, value: 1, unit: "furlong" }],
  });
  assertEquals(
    "issues" in result ? result.issues.map((i) => i.path.join(".")) : [],
    ["samples.1.metric", "samples.1.ts", "samples.1.unit"],
  );
});
