import { z } from "zod";
import { keyedRecord, nodeIdSchema, queryTimeSchema, singleLineText } from "./common.ts";

/** Units a sample may carry; one list for the agent, the gateway and the portal. */
export const UNITS = [
  "°C",
  "%",
  "V",
  "mV",
  "A",
  "mA",
  "W",
  "mW",
  "Wh",
  "dBm",
  "dB",
  "bit/s",
  "B/s",
  "B",
  "s",
  "ms",
  "Hz",
  "rpm",
  "ppm",
  "lx",
  "Pa",
  "hPa",
  "m",
  "mm",
  "m/s",
  "deg",
  "count",
] as const;
export const unitSchema = z.enum(UNITS, {
  message: `unknown unit; use one of ${UNITS.join(" ")}`,
});
export type Unit = z.infer<typeof unitSchema>;

/** Largest batch: samples and bytes. */
export const MAX_BATCH_SAMPLES = 5000;
export const MAX_BATCH_BYTES = 1024 * 1024;
/** Samples may be at most this far ahead of the gateway's clock. */
export const MAX_FUTURE_MS = 5 * 60_000;

export const metricNameSchema = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, {
  message: "use 1-64 lowercase letters, digits, '_' or '.', starting with a letter (e.g. soc.temp)",
});

export const labelNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, {
  message: "label names are 1-32 lowercase letters, digits or '_'",
});

/** Labels are part of a series' identity: at most 8 short string pairs. */
export const labelsSchema = keyedRecord(
  labelNameSchema,
  singleLineText().min(1).max(64),
).refine((labels) => Object.keys(labels).length <= 8, { message: "at most 8 labels" })
  .meta({ maxProperties: 8 });
export type Labels = z.infer<typeof labelsSchema>;

export const sampleSchema = z.strictObject({
  metric: metricNameSchema,
  ts: z.number().int().min(0).max(8.64e15).describe("Epoch milliseconds"),
  value: z.number({ message: "must be a finite number" }),
  unit: unitSchema.optional(),
  labels: labelsSchema.optional(),
});
export type Sample = z.infer<typeof sampleSchema>;

/** `POST /v1/telemetry`: one batch from one node's agent buffer. */
export const telemetryBatchSchema = z.strictObject({
  node_id: nodeIdSchema,
  epoch: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
    message: "1-64 letters, digits, '_' or '-' naming this installation of the agent's buffer",
  }),
  batch_seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  samples: z.array(sampleSchema).min(1).max(MAX_BATCH_SAMPLES, {
    message: `at most ${MAX_BATCH_SAMPLES} samples a batch; split it`,
  }),
});
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;

export const telemetryAckSchema = z.object({
  accepted: z.number().int().describe("Samples in the batch"),
  duplicate: z.boolean().describe("This batch was stored before; nothing was stored again"),
  gateway_time_ms: z.number().int(),
});

export const RESOLUTIONS = ["raw", "1m", "1h"] as const;
export type Resolution = typeof RESOLUTIONS[number];

/** `labels=name=value,name2=value2` in queries. */
export const labelsQuerySchema = z.string().max(600).transform((text, ctx) => {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      ctx.addIssue({
        code: "custom",
        message: "use name=value pairs separated by ',', e.g. site=north",
      });
      return z.NEVER;
    }
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const parsed = labelsSchema.safeParse(labels);
  if (!parsed.success) {
    ctx.addIssue({ code: "custom", message: parsed.error.issues[0]!.message });
    return z.NEVER;
  }
  return parsed.data;
}).meta({
  // What labelsSchema takes, as the document's pattern: up to 8 name=value pairs.
  pattern: "^[a-z][a-z0-9_]{0,31}=[^,]{1,64}(,[a-z][a-z0-9_]{0,31}=[^,]{1,64}){0,7}$",
});

export const telemetryQuerySchema = z.object({
  node: z.string().regex(/^n-[0-9a-f]{12}(,n-[0-9a-f]{12}){0,199}$/, {
    message: "one or more node ids separated by ','",
  }).optional(),
  metric: z.string().regex(/^[a-z][a-z0-9_.]{0,63}(,[a-z][a-z0-9_.]{0,63}){0,49}$/, {
    message: "one or more metric names separated by ','",
  }).optional(),
  labels: labelsQuerySchema.optional(),
  from: queryTimeSchema.optional().describe("Default: 1 hour before `to`"),
  to: queryTimeSchema.optional().describe("Default: now"),
  resolution: z.enum([...RESOLUTIONS, "auto"]).default("auto")
    .describe("auto: raw up to 6 h, 1m up to 7 d, else 1h"),
});

export const rawPointSchema = z.object({ ts: z.number().int(), value: z.number() });
export const rollupPointSchema = z.object({
  ts: z.number().int().describe("Start of the minute or hour"),
  min: z.number(),
  max: z.number(),
  avg: z.number(),
  count: z.number().int(),
});

export const seriesSchema = z.object({
  node_id: z.string(),
  node_name: z.string().nullable(),
  metric: z.string(),
  labels: z.record(z.string(), z.string()),
  unit: z.string().nullable(),
  points: z.array(z.union([rawPointSchema, rollupPointSchema])),
});

/** `GET /v1/telemetry` with `Accept: text/csv`. */
export const telemetryCsvSchema = z.string();

export const telemetryResultSchema = z.object({
  resolution: z.enum(RESOLUTIONS),
  from: z.number().int(),
  to: z.number().int(),
  series: z.array(seriesSchema),
});

export const latestSchema = z.object({
  series: z.array(z.object({
    node_id: z.string(),
    node_name: z.string().nullable(),
    metric: z.string(),
    labels: z.record(z.string(), z.string()),
    unit: z.string().nullable(),
    ts: z.number().int(),
    value: z.number(),
  })),
});

export const metricsListSchema = z.object({
  metrics: z.array(z.object({
    metric: z.string(),
    unit: z.string().nullable(),
    nodes: z.array(z.string()).describe("Ids of the nodes reporting it"),
    series: z.number().int(),
  })),
});

export const latestQuerySchema = z.object({
  node: nodeIdSchema.optional(),
  metric: metricNameSchema.optional(),
});
