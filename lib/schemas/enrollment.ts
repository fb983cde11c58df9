import { z } from "zod";
import { nodeIdSchema, nodeRoleSchema, timestampSchema, wgPublicKeySchema } from "./common.ts";
import { singleLineText } from "./common.ts";

export const hardwareIdentitySchema = z.strictObject({
  serial: z.string().regex(/^[0-9A-Za-z]{4,64}$/, {
    message: "expected the board serial (device tree serial-number or /proc/cpuinfo Serial)",
  }).optional(),
  machine_id: z.string().regex(/^[0-9a-f]{32}$/, {
    message: "expected /etc/machine-id (32 lowercase hex digits)",
  }).optional(),
}).refine((v) => v.serial !== undefined || v.machine_id !== undefined, {
  message: "give serial, machine_id or both",
});
export type HardwareIdentity = z.infer<typeof hardwareIdentitySchema>;

export const enrollRequestSchema = z.strictObject({
  join_token: z.string().regex(/^halo_join_[A-Za-z0-9_-]{32,}$/, {
    message: "expected a join token starting with halo_join_",
  }),
  hardware: hardwareIdentitySchema,
  hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, {
    message: "expected a hostname",
  }),
  role: nodeRoleSchema.default("node"),
  wg_public_key: wgPublicKeySchema.optional(),
});
export type EnrollRequest = z.input<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({
  node_id: nodeIdSchema,
  name: z.string(),
  role: nodeRoleSchema,
  agent_token: z.string().describe("Shown once; the node stores it in /etc/halo/agent-env"),
  reenrolled: z.boolean().describe("True when this hardware was already known"),
  gateway_time_ms: z.number().int(),
  report_interval_s: z.number().int(),
});

export const createJoinTokenSchema = z.strictObject({
  name: singleLineText().trim().min(1).max(64),
  expires_in_s: z.number().int().min(60).max(30 * 86400).default(86400),
  max_uses: z.number().int().min(1).max(1000).default(1),
});

export const joinTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  created_by: z.string(),
  created_at: timestampSchema,
  expires_at: timestampSchema,
  max_uses: z.number().int(),
  uses: z.number().int(),
  revoked_at: timestampSchema.nullable(),
});

export const createdJoinTokenSchema = joinTokenSchema.extend({
  token: z.string().describe("Shown only in this response"),
});
