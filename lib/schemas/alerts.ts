/**
 * Alerts raised by flows (`/v1/alerts`): the one source for the gateway's
 * answers, the OpenAPI document, the alert store's rows and the portal's types.
 */
import { z } from "zod";
import { decimalInteger, nodeIdSchema, timestampSchema } from "./common.ts";

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;

/** An alert as the API answers it. */
export const alertSchema = z.object({
  id: z.number().int(),
  flow_id: z.number().int().nullable(),
  flow_name: z.string().nullable(),
  execution_id: z.number().int().nullable(),
  node_id: z.string().nullable(),
  node_name: z.string().nullable(),
  severity: z.enum(ALERT_SEVERITIES),
  message: z.string(),
  status: z.enum(ALERT_STATUSES),
  auto_resolve: z.boolean(),
  parent_id: z.number().int().nullable().describe(
    "The root-cause alert this one is grouped under: its node's only path to the gateway runs through that alert's offline node",
  ),
  children: z.array(z.number().int()).describe(
    "Ids of the alerts grouped under this one (root cause); their notifications were suppressed",
  ),
  silenced: z.boolean().describe("Raised during a silence (maintenance window)"),
  opened_at: timestampSchema,
  acknowledged_at: timestampSchema.nullable(),
  acknowledged_by: z.string().nullable(),
  resolved_at: timestampSchema.nullable(),
  resolved_by: z.string().nullable(),
});
/** An alert as the API answers it. */
export type Alert = z.output<typeof alertSchema>;

/** `GET /v1/alerts`. */
export const alertListSchema = z.object({ alerts: z.array(alertSchema) });

/** The query of `GET /v1/alerts`. */
export const listAlertsQuerySchema = z.object({
  status: z.string().regex(
    /^(open|acknowledged|resolved)(,(open|acknowledged|resolved))*$/,
    {
      message: "comma-separated: open, acknowledged, resolved",
    },
  ).default("open,acknowledged"),
  node: nodeIdSchema.optional(),
  top_level: z.enum(["true", "false"]).default("false").describe(
    "true: only alerts not grouped under a root-cause alert",
  ),
  limit: decimalInteger(z.number().int().min(1).max(1000)).default(200),
  before_id: decimalInteger(z.number().int().positive()).optional(),
});
