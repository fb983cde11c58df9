import fc from "fast-check";
import { MAX_BATCH_SAMPLES, telemetryBatchSchema } from "../../lib/schemas/telemetry.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { batch, type Json, mutate, mutation } from "./_batch_arbitraries.ts";
import { checkBatch, fastCheckBatch } from "./batch_check.ts";
import { canonicalLabels } from "./series_registry.ts";

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
