/**
 * Silences (maintenance windows, `/v1/silences`): the one source for the
 * gateway's answers, the OpenAPI document and the portal's types.
 */
import { z } from "zod";
import { singleLineText, timestampSchema } from "./common.ts";

/** What a silence holds back: a node (by id), a tag, or a flow (by id). */
export const SILENCE_TARGETS = ["node", "tag", "flow"] as const;
export type SilenceTarget = typeof SILENCE_TARGETS[number];

/** A silence as the API answers it. */
export const silenceSchema = z.object({
  id: z.number().int(),
  target: z.enum(SILENCE_TARGETS),
  value: z.string(),
  reason: z.string(),
  created_by: z.string(),
  created_at: timestampSchema,
  ends_at: timestampSchema,
  active: z.boolean(),
});
export type Silence = z.output<typeof silenceSchema>;

/** `GET /v1/silences`. */
export const silenceListSchema = z.object({ silences: z.array(silenceSchema) });

/** `POST /v1/silences`. */
export const createSilenceSchema = z.strictObject({
  target: z.enum(SILENCE_TARGETS),
  value: singleLineText().min(1).max(64).describe("Node id, tag, or flow id"),
  reason: singleLineText().max(200).default(""),
  duration_s: z.number().int().min(60).max(30 * 86_400).describe("How long, from now"),
});
/** The body of `POST /v1/silences` as a client sends it. */
export type NewSilence = z.input<typeof createSilenceSchema>;
