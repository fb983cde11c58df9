/**
 * The gateway settings form, described from `settingsSchema`: bounds and
 * descriptions come from the schema the API validates with, labels and units
 * from here. Server-side only (it loads zod); islands get the result as props.
 */
import { settingsSchema } from "../../lib/schemas/system.ts";
import type { SettingField, SettingGroup, Settings } from "./settings_types.ts";

const shape = settingsSchema.shape;

function numeric(
  key: Exclude<keyof Settings, "network_name">,
  label: string,
  unit: string,
  help?: string,
): SettingField {
  const schema = shape[key];
  return {
    key,
    label,
    unit,
    help: help ?? schema.description ?? "",
    ...(schema.minValue !== null ? { min: schema.minValue } : {}),
    ...(schema.maxValue !== null ? { max: schema.maxValue } : {}),
  };
}

/** The settings form's groups, in page order. */
export const SETTING_GROUPS: SettingGroup[] = [
  {
    title: "Network",
    fields: [
      { key: "network_name", label: "Network name", help: "Shown in the portal and in alerts" },
      numeric(
        "report_interval_s",
        "Report interval",
        "s",
        "How often each node reports; nodes pick up a change with their next report",
      ),
      numeric(
        "offline_after_missed",
        "Offline after missed reports",
        "reports",
        "A node is offline once it has missed this many reports in a row",
      ),
    ],
  },
  {
    title: "Telemetry retention",
    fields: [
      numeric("telemetry_raw_retention_days", "Raw samples", "days"),
      numeric("telemetry_1m_retention_days", "1-minute rollups", "days"),
      numeric("telemetry_1h_retention_days", "1-hour rollups", "days"),
      numeric("telemetry_size_cap_mb", "Size cap", "MB"),
    ],
  },
  {
    title: "Flow history",
    fields: [
      numeric("flow_history_days", "Executions kept for", "days"),
      numeric("flow_history_max_per_flow", "Executions kept per flow", "executions"),
    ],
  },
];
