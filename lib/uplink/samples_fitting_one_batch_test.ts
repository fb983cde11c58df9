import { MAX_BATCH_BYTES, MAX_BATCH_SAMPLES, type Sample } from "../schemas/telemetry.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { samplesFittingOneBatch } from "./samples_fitting_one_batch.ts";

const T0 = Date.UTC(2026, 10, 23, 0, 0, 0);

Deno.test("samplesFittingOneBatch() keeps a batch within 5000 samples and 1 MB", () => {
  const small: Sample = { metric: "cpu.usage", ts: T0, value: 1, unit: "%" };
  assertEquals(samplesFittingOneBatch(new Array(6000).fill(small)), MAX_BATCH_SAMPLES);
  assertEquals(samplesFittingOneBatch(new Array(10).fill(small), 4), 4);
  const labels = Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`label_${i}`, "x".repeat(64)]),
  );
  const big: Sample = { ...small, labels };
  const n = samplesFittingOneBatch(new Array(5000).fill(big));
  assert(n < 5000, `${n} samples with big labels`);
  const bytes = new TextEncoder().encode(
    JSON.stringify({
      node_id: "n-0123456789ab",
      epoch: "x".repeat(64),
      batch_seq: 1e12,
      samples: new Array(n).fill(big),
    }),
  ).length;
  assert(bytes <= MAX_BATCH_BYTES, `${bytes} bytes`);
  assertEquals(samplesFittingOneBatch([]), 0);
});
