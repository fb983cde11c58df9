import { z } from "zod";
import { singleLineText } from "./common.ts";
import { labelNameSchema, metricNameSchema, unitSchema } from "./telemetry.ts";

/**
 * Where a metric comes from: a built-in collector's name, or for stored
 * entries the thing that declared it, e.g. `template:bme280` or `monitor:proxmox`.
 */
export const metricSourceSchema = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, {
  message: "use 1-64 lowercase letters, digits, '_', '.', ':' or '-' (e.g. template:bme280)",
});

/** One metric explained: what it measures, in which unit, told apart by which labels. */
export const metricInfoSchema = z.strictObject({
  name: metricNameSchema,
  unit: unitSchema.nullable().describe("null: a plain number, a count of states or a 0/1 flag"),
  labels: z.array(labelNameSchema).max(8).describe("Label names its series carry"),
  description: singleLineText().min(1).max(300).describe("What it measures, for people"),
  source: metricSourceSchema,
});

/** A catalogue entry as the API answers it. */
export const catalogueEntrySchema = metricInfoSchema.extend({
  builtin: z.boolean().describe("Declared by HALO itself rather than stored at run time"),
});
export type CatalogueEntry = z.output<typeof catalogueEntrySchema>;

/** `GET /v1/telemetry/catalogue`: built-in metrics and those declared at run time. */
export const metricCatalogueSchema = z.object({ metrics: z.array(catalogueEntrySchema) });
