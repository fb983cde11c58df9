import type { Labels, Unit } from "../../lib/schemas/telemetry.ts";
import type { NodeReportInput } from "../../lib/schemas/report.ts";

/** A value a collector read; the agent stamps `ts` (gateway time) when it buffers it. */
export interface Reading {
  metric: string;
  value: number;
  unit?: Unit;
  labels?: Labels;
}
/** The parts of the node report a collector knows. */
export type ReportPart = Partial<
  Pick<
    NodeReportInput,
    | "hostname"
    | "uptime_s"
    | "boot_id"
    | "versions"
    | "interfaces"
    | "links"
    | "overlay_peers"
    | "clients"
    | "sensors"
  >
>;
export interface Collection {
  readings: Reading[];
  report?: ReportPart;
}
export interface Collector {
  /** e.g. "system", "network", "gps", "power", "mesh"; later "sensors". */
  readonly name: string;
  collect(signal: AbortSignal): Promise<Collection>;
}
