/** Telemetry wire shapes the portal's charts read, from the API's schemas. */
import type { z } from "zod";
import type {
  latestSchema,
  metricsListSchema,
  Resolution,
  seriesSchema,
  telemetryResultSchema,
} from "../../lib/schemas/telemetry.ts";

export type { Resolution };
export type { CatalogueEntry } from "../../lib/schemas/metric_catalogue.ts";
/** `GET /v1/telemetry`. */
export type TelemetryResult = z.infer<typeof telemetryResultSchema>;
/** One series of a query result. */
export type TelemetrySeries = z.infer<typeof seriesSchema>;
/** `GET /v1/telemetry/metrics`, one entry. */
export type MetricInfo = z.infer<typeof metricsListSchema>["metrics"][number];
/** `GET /v1/telemetry/latest`, one entry. */
export type LatestValue = z.infer<typeof latestSchema>["series"][number];
