import { z } from "zod";
import {
  decimalInteger,
  limitSchema,
  nodeIdSchema,
  queryTimeSchema,
  timestampSchema,
} from "./common.ts";

/** Node lifecycle events the gateway derives from enrollment and reports. */
export const NODE_EVENT_TYPES = [
  "enrolled",
  "online",
  "offline",
  "rebooted",
  "address_changed",
  "decommissioned",
  // An enrollment claimed this enrolled node's identity without its proof or an admin's approval.
  "enroll_refused",
] as const;
export const nodeEventTypeSchema = z.enum(NODE_EVENT_TYPES);
export type NodeEventType = z.infer<typeof nodeEventTypeSchema>;

export const eventSchema = z.object({
  id: z.number().int(),
  ts: timestampSchema,
  type: z.string(),
  node_id: z.string().nullable(),
  node_name: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type HaloEvent = z.infer<typeof eventSchema>;

export const listEventsQuerySchema = z.object({
  node: nodeIdSchema.optional(),
  type: z.string().regex(/^[a-z_]+(,[a-z_]+)*$/, {
    message: "comma-separated event types, e.g. online,offline",
  }).optional(),
  from: queryTimeSchema.optional(),
  to: queryTimeSchema.optional(),
  before_id: decimalInteger(z.number().int().positive()).optional().describe("Page backwards"),
  limit: limitSchema,
});

/** `GET /v1/events`. */
export const eventListSchema = z.object({ events: z.array(eventSchema) });

/** The query of `GET /v1/events/stream`. */
export const streamEventsQuerySchema = z.object({
  node: nodeIdSchema.optional(),
  type: listEventsQuerySchema.shape.type,
  last_event_id: decimalInteger(z.number().int().min(0)).optional()
    .describe("Resume after this id; the Last-Event-ID header does the same"),
});

/** `GET /v1/events/stream`: Server-Sent Events text, each message's data an event. */
export const eventStreamSchema = z.string();
