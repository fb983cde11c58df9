/**
 * What halo-agent serves on `agent.sock` in `$HALO_RUN` (HTTP with JSON on
 * a Unix socket, NODE-CONTRACT.md), for halo-field and haloctl. Times are in
 * gateway time once the agent's clock is synced.
 */
import { z } from "zod";
import { nodeIdSchema, timestampSchema } from "./common.ts";
import { sampleSchema } from "./telemetry.ts";

/** How one collector did in its last round. */
export const collectorHealthSchema = z.object({
  collector: z.string(),
  ok: z.boolean(),
  error: z.string().nullable().describe("Why not ok"),
  readings: z.number().int().min(0).describe("Readings it gave that were kept"),
  duration_ms: z.number().min(0),
});

/** `GET /status`. */
export const agentStatusSchema = z.object({
  version: z.string(),
  node_id: nodeIdSchema,
  started_at: timestampSchema,
  report_interval_s: z.number().int().positive(),
  last_report: z.object({
    at: timestampSchema,
    ok: z.boolean(),
    error: z.string().nullable(),
  }).nullable().describe("null before the first report"),
  buffer: z.object({
    samples: z.number().int().min(0).describe("Samples the gateway has not acknowledged"),
    batches: z.number().int().min(0),
    bytes: z.number().int().min(0).describe("Bytes the buffer holds on storage"),
    dropped: z.number().int().min(0).describe("Samples dropped because the buffer was full"),
  }),
  clock: z.object({
    offset_ms: z.number().nullable().describe("Gateway time minus local time; null before sync"),
    synced: z.boolean(),
  }),
  collectors: z.array(collectorHealthSchema).describe("Each collector's last round"),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

/**
 * `GET /live`: Server-Sent Events named `readings`, one per collector as
 * each round collects, with a running `id`.
 */
export const liveReadingsSchema = z.object({
  collector: z.string().describe('The collector, or "agent" for its health samples'),
  samples: z.array(sampleSchema),
});
export type LiveReadings = z.infer<typeof liveReadingsSchema>;

/** The SSE event name of {@linkcode liveReadingsSchema}. */
export const LIVE_READINGS_EVENT = "readings";
