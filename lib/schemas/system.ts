import { z } from "zod";
import { limitSchema, queryTimeSchema, timestampSchema } from "./common.ts";

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
});

/** Settings an operator changes at run time; stored in the database. */
export const settingsSchema = z.strictObject({
  network_name: z.string().trim().min(1).max(64),
  report_interval_s: z.number().int().min(2).max(3600),
  offline_after_missed: z.number().int().min(1).max(100),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  network_name: "HALO",
  report_interval_s: 10,
  offline_after_missed: 3,
};

export const updateSettingsSchema = settingsSchema.partial().refine(
  (v) => Object.keys(v).length > 0,
  { message: "give at least one setting" },
);

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

export const listAuditQuerySchema = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().regex(/^[a-z_.]+$/).optional(),
  from: queryTimeSchema.optional(),
  to: queryTimeSchema.optional(),
  before_id: z.coerce.number().int().positive().optional(),
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
