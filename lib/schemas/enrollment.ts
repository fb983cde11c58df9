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
}).meta({ minProperties: 1 });
export type HardwareIdentity = z.infer<typeof hardwareIdentitySchema>;

/**
 * Enrollment. A device the gateway knows (by board serial, machine-id or
 * WireGuard key) that is enrolled and not decommissioned keeps its identity:
 * a new enrollment gets it only with proof from the node itself, its current
 * `agent_token`, or with an admin's approval, a replacement token for that
 * node as `join_token` (`POST /v1/nodes/{id}/replacement-token`). Otherwise
 * the answer is 409 `node_already_enrolled`. A WireGuard key is no proof: it
 * is public. A decommissioned node re-enrolls with any join token.
 */
export const enrollRequestSchema = z.strictObject({
  join_token: z.string().regex(/^halo_join_[A-Za-z0-9_-]{32,}$/, {
    message: "expected a join token starting with halo_join_",
  }).describe("A join token, or a replacement token for the node this device replaces"),
  hardware: hardwareIdentitySchema,
  hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, {
    message: "expected a hostname",
  }),
  role: nodeRoleSchema.default("node"),
  wg_public_key: wgPublicKeySchema.optional(),
  agent_token: z.string().regex(/^halo_agent_[A-Za-z0-9_-]{32,}$/, {
    message: "expected the node's agent token, starting with halo_agent_",
  }).optional().describe(
    "The node's current agent token, proving a re-enrollment of an enrolled node comes from " +
      "the node itself; looked at only when this hardware is an enrolled node",
  ),
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
  replaces_node: nodeIdSchema.nullable().describe(
    "For a replacement token: the node whose identity it may give to new hardware, once",
  ),
});

/** `GET /v1/enrollment/tokens`. */
export const joinTokenListSchema = z.object({ tokens: z.array(joinTokenSchema) });

/**
 * An admin's approval to re-enroll one node on re-flashed or new hardware.
 * The board may have been replaced, so the device may have another serial:
 * the node takes the hardware identity the enrollment reports.
 */
export const createReplacementTokenSchema = z.strictObject({
  expires_in_s: z.number().int().min(60).max(7 * 86400).default(86400),
});

export const createdJoinTokenSchema = joinTokenSchema.extend({
  token: z.string().describe("Shown only in this response"),
});
