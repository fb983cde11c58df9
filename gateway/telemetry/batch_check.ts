/**
 * The ingest path's validation of `POST /v1/telemetry` bodies.
 *
 * `telemetryBatchSchema` (lib/schemas/telemetry.ts) stays the one definition
 * of a batch: the OpenAPI document comes from it and it words every error.
 * Running it on each batch cost more CPU than storing the samples (zod walks
 * 100 samples × 5 fields through its generic machinery and copies each
 * object), so valid batches are checked here by hand with the same rules;
 * anything this check refuses is parsed again with the schema, whose issues
 * become the error answer. `batch_check_test.ts` proves with random valid and
 * mutated batches that both accept and refuse the same bodies and give the
 * same output.
 */
import {
  MAX_BATCH_SAMPLES,
  type TelemetryBatch,
  telemetryBatchSchema,
  UNITS,
} from "../../lib/schemas/telemetry.ts";
import type { z } from "zod";
import { SINGLE_LINE_TEXT } from "../../lib/schemas/common.ts";
import { canonicalLabels } from "./series_registry.ts";

// The schema's rules, as its regexes and bounds say them (batch_scan.ts applies them too).
export const NODE_ID = /^n-[0-9a-f]{12}$/;
export const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;
export const METRIC = /^[a-z][a-z0-9_.]{0,63}$/;
export const LABEL_NAME = /^[a-z][a-z0-9_]{0,31}$/;
export const MAX_LABELS = 8;
export const MAX_LABEL_VALUE = 64;
export const MAX_TS = 8.64e15;
export const UNIT_SET: ReadonlySet<string> = new Set(UNITS);
const BATCH_KEYS: ReadonlySet<string> = new Set(["node_id", "epoch", "batch_seq", "samples"]);
const SAMPLE_KEYS: ReadonlySet<string> = new Set(["metric", "ts", "value", "unit", "labels"]);

/** A checked batch and, per sample, the canonical key of its labels. */
export interface CheckedBatch {
  batch: TelemetryBatch;
  labelsKeys: string[];
}

/** A batch the schema refuses, with its issues. */
export interface RefusedBatch {
  issues: z.core.$ZodIssue[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function onlyKeys(object: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in object) if (!allowed.has(key)) return false;
  return true;
}

function isSafeIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Labels as `labelsSchema` accepts them: at most 8 names of the label pattern, short values. */
function labelsOk(labels: unknown): boolean {
  if (!isPlainObject(labels)) return false;
  let count = 0;
  for (const name in labels) {
    const value = labels[name];
    if (!LABEL_NAME.test(name) || typeof value !== "string") return false;
    if (value.length < 1 || value.length > MAX_LABEL_VALUE) return false;
    if (!SINGLE_LINE_TEXT.test(value)) return false;
    count++;
  }
  return count <= MAX_LABELS;
}

/**
 * Whether `telemetryBatchSchema` accepts `input`, checked by hand; with the
 * canonical labels key of each sample when it does.
 */
export function fastCheckBatch(input: unknown): CheckedBatch | null {
  if (!isPlainObject(input) || !onlyKeys(input, BATCH_KEYS)) return null;
  const { node_id, epoch, batch_seq, samples } = input;
  if (typeof node_id !== "string" || !NODE_ID.test(node_id)) return null;
  if (typeof epoch !== "string" || !EPOCH.test(epoch)) return null;
  if (!isSafeIntIn(batch_seq, 0, Number.MAX_SAFE_INTEGER)) return null;
  if (!Array.isArray(samples) || samples.length < 1 || samples.length > MAX_BATCH_SAMPLES) {
    return null;
  }
  const labelsKeys = new Array<string>(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s: unknown = samples[i];
    if (!isPlainObject(s) || !onlyKeys(s, SAMPLE_KEYS)) return null;
    if (typeof s.metric !== "string" || !METRIC.test(s.metric)) return null;
    if (!isSafeIntIn(s.ts, 0, MAX_TS)) return null;
    if (typeof s.value !== "number" || !Number.isFinite(s.value)) return null;
    // The schema's optional fields accept an explicit undefined too (never in JSON).
    if (s.unit !== undefined && (typeof s.unit !== "string" || !UNIT_SET.has(s.unit))) return null;
    if (s.labels !== undefined && !labelsOk(s.labels)) return null;
    labelsKeys[i] = canonicalLabels(s.labels as Record<string, string> | undefined);
  }
  return { batch: input as unknown as TelemetryBatch, labelsKeys };
}

/**
 * Validates a `POST /v1/telemetry` body: the fast check, and the schema for
 * whatever it refuses (so a refusal lists the schema's issues, worded as
 * everywhere else in the API).
 */
export function checkBatch(input: unknown): CheckedBatch | RefusedBatch {
  const fast = fastCheckBatch(input);
  if (fast) return fast;
  const parsed = telemetryBatchSchema.safeParse(input);
  if (!parsed.success) return { issues: parsed.error.issues };
  // Only reached if the two ever disagree; the schema is the definition.
  return {
    batch: parsed.data,
    labelsKeys: parsed.data.samples.map((s) => canonicalLabels(s.labels)),
  };
}
