/**
 * Wire shapes of the Settings, System and Account pages, taken from the
 * schemas in `lib/schemas`, so an API change shows up here as a type error.
 */
import type { z } from "zod";
import type {
  apiTokenSchema,
  createdTokenSchema,
  principalSchema,
  userSchema,
} from "../../lib/schemas/auth.ts";
import type { createdJoinTokenSchema, joinTokenSchema } from "../../lib/schemas/enrollment.ts";
import type { meshSchema } from "../../lib/schemas/meshes.ts";
import type { Settings, systemInfoSchema } from "../../lib/schemas/system.ts";

export type User = z.infer<typeof userSchema>;
export type ApiToken = z.infer<typeof apiTokenSchema>;
export type CreatedApiToken = z.infer<typeof createdTokenSchema>;
export type JoinToken = z.infer<typeof joinTokenSchema>;
export type CreatedJoinToken = z.infer<typeof createdJoinTokenSchema>;
export type Mesh = z.infer<typeof meshSchema>;
export type SystemInfo = z.infer<typeof systemInfoSchema>;
export type Principal = z.infer<typeof principalSchema>;
export type { Settings };

/** A numeric gateway setting. */
export type NumericSettingKey = Exclude<keyof Settings, "network_name">;

/** One field of the gateway settings form, described from the settings schema. */
export interface SettingField {
  key: keyof Settings;
  label: string;
  /** The schema's description, or a hint written for the page. */
  help: string;
  /** Unit shown after the input ("s", "days", "MB"); absent for text. */
  unit?: string;
  /** Bounds the API accepts (from the schema), for the input and its hint. */
  min?: number;
  max?: number;
}

/** A group of settings fields under one heading. */
export interface SettingGroup {
  title: string;
  fields: SettingField[];
}
