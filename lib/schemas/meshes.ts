import { z } from "zod";
import { singleLineText, timestampSchema } from "./common.ts";

/** Mesh SSIDs follow the profile naming, e.g. `ETHRX0001-8A`. */
export const meshSsidSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, {
  message: "use 1-32 letters, digits, '_' or '-', e.g. ETHRX0001-8A",
});

/** SAE passphrase; write-only. One line: Wi-Fi tools keep passphrases in line-based files. */
export const meshPskSchema = singleLineText().min(8, { message: "use 8-63 characters" }).max(63, {
  message: "use 8-63 characters",
});

/** 802.11ah channel number (S1G). */
export const halowChannelSchema = z.number().int().min(1).max(51);

export const createMeshSchema = z.strictObject({
  ssid: meshSsidSchema,
  channel: halowChannelSchema,
  psk: meshPskSchema,
  description: singleLineText().max(200).default(""),
});

export const updateMeshSchema = z.strictObject({
  channel: halowChannelSchema.optional(),
  psk: meshPskSchema.optional(),
  description: singleLineText().max(200).optional(),
});

export const meshSchema = z.object({
  id: z.number().int(),
  ssid: z.string(),
  channel: z.number().int(),
  description: z.string(),
  psk_set: z.boolean().describe("The PSK itself is write-only and never returned"),
  node_count: z.number().int(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});

/** `GET /v1/meshes`. */
export const meshListSchema = z.object({ meshes: z.array(meshSchema) });
