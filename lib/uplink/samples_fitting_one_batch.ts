/**
 * Cutting a node's samples into batches the gateway takes: the agent's
 * telemetry buffer and the simulated network's back-fill both cut with it.
 */
import { MAX_BATCH_BYTES, MAX_BATCH_SAMPLES, type Sample } from "../schemas/telemetry.ts";

/** Room for `{"node_id":…,"epoch":…,"batch_seq":…,"samples":[]}` around the samples. */
const ENVELOPE_BYTES = 512;
const encoder = new TextEncoder();

/**
 * How many of the first `samples` fit in one batch: at most `maxSamples`
 * and, serialized, within the gateway's 1 MB limit (at least one).
 */
export function samplesFittingOneBatch(
  samples: readonly Sample[],
  maxSamples: number = MAX_BATCH_SAMPLES,
): number {
  let bytes = ENVELOPE_BYTES;
  const limit = Math.min(samples.length, maxSamples);
  for (let i = 0; i < limit; i++) {
    bytes += encoder.encode(JSON.stringify(samples[i])).length + 1;
    if (bytes > MAX_BATCH_BYTES) return Math.max(1, i);
  }
  return limit;
}
