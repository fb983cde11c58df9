import { z } from "zod";
import {
  decimalInteger,
  limitSchema,
  queryTimeSchema,
  singleLineText,
  timestampSchema,
} from "./common.ts";

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  commit: z.string().nullable(),
  build_time: z.string().nullable(),
  uptime_s: z.number(),
  database: z.object({ ok: z.boolean(), message: z.string().optional() }),
  clock: z.object({
    synchronized: z.boolean().nullable().describe("null when it cannot be determined"),
    source: z.string(),
  }),
  telemetry: z.object({
    raw_paused: z.boolean().describe("Below 5% free disk only rollups are stored"),
    disk_free_percent: z.number().nullable(),
    head_samples: z.number().int().describe("Samples held in memory until the next compaction"),
  }),
});

/** Settings an operator changes at run time; stored in the database. */
const settingsFields = z.strictObject({
  network_name: singleLineText().trim().min(1).max(64),
  report_interval_s: z.number().int().min(2).max(3600),
  offline_after_missed: z.number().int().min(1).max(100),
  telemetry_raw_retention_days: z.number().int().min(1).max(365)
    .describe("Raw samples are kept this long"),
  telemetry_1m_retention_days: z.number().int().min(1).max(3650)
    .describe("1-minute rollups are kept this long"),
  telemetry_1h_retention_days: z.number().int().min(1).max(36500)
    .describe("1-hour rollups are kept this long"),
  telemetry_size_cap_mb: z.number().int().min(16).max(1_048_576)
    .describe("Above this the oldest raw data goes first, then the oldest rollups"),
  flow_history_days: z.number().int().min(1).max(3650).describe(
    "Flow executions are kept this long",
  ),
  flow_history_max_per_flow: z.number().int().min(10).max(1_000_000)
    .describe("At most this many executions are kept per flow"),
});

/** Settings as a whole, with the rules between fields. */
export const settingsSchema = settingsFields.superRefine((s, ctx) => {
  if (s.telemetry_1m_retention_days < s.telemetry_raw_retention_days) {
    ctx.addIssue({
      code: "custom",
      path: ["telemetry_1m_retention_days"],
      message: "must be at least telemetry_raw_retention_days",
    });
  }
  if (s.telemetry_1h_retention_days < s.telemetry_1m_retention_days) {
    ctx.addIssue({
      code: "custom",
      path: ["telemetry_1h_retention_days"],
      message: "must be at least telemetry_1m_retention_days",
    });
  }
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  network_name: "HALO",
  report_interval_s: 10,
  offline_after_missed: 3,
  telemetry_raw_retention_days: 7,
  telemetry_1m_retention_days: 90,
  telemetry_1h_retention_days: 730,
  telemetry_size_cap_mb: 2048,
  flow_history_days: 30,
  flow_history_max_per_flow: 10_000,
};

export const updateSettingsSchema = settingsFields.partial().refine(
  (v) => Object.keys(v).length > 0,
  { message: "give at least one setting" },
).meta({ minProperties: 1 });

export const auditEntrySchema = z.object({
  id: z.number().int(),
  ts: timestampSchema,
  actor: z.string(),
  actor_kind: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

/** `GET /v1/audit`. */
export const auditListSchema = z.object({ entries: z.array(auditEntrySchema) });

export const listAuditQuerySchema = z.object({
  actor: singleLineText().max(64).optional(),
  action: z.string().regex(/^[a-z_.]+$/).optional(),
  from: queryTimeSchema.optional(),
  to: queryTimeSchema.optional(),
  before_id: decimalInteger(z.number().int().positive()).optional(),
  limit: limitSchema,
});

export const systemInfoSchema = z.object({
  version: z.string(),
  commit: z.string().nullable(),
  build_time: z.string().nullable(),
  started_at: timestampSchema,
  database: z.object({ path: z.string(), size_bytes: z.number() }),
  migrations: z.array(z.object({ name: z.string(), applied_at: timestampSchema })),
});

/** `POST /v1/system/clock`: the time to set, from the admin's browser. */
export const setClockSchema = z.strictObject({
  time_ms: z.number().int().min(Date.UTC(2024, 0, 1)).max(Date.UTC(2100, 0, 1))
    .describe("Milliseconds since the Unix epoch, e.g. the browser's Date.now()"),
});

/** The answer to `POST /v1/system/clock`. */
export const clockSetSchema = z.object({
  previous: timestampSchema.describe("The gateway's clock just before"),
  set_to: timestampSchema,
});
