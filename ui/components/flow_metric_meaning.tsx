/**
 * What the metric a trigger or condition tests means, from the catalogue in
 * the Flows metadata: its meaning, unit and labels, or that nothing
 * declares it (a typo, or a metric no node has declared yet).
 */
import type { CatalogueEntry } from "../../lib/schemas/metric_catalogue.ts";

/** Props of {@linkcode FlowMetricMeaning}. */
export interface FlowMetricMeaningProps {
  metric: string | undefined;
  catalogue: CatalogueEntry[];
}

/** See the module comment. */
export function FlowMetricMeaning({ metric, catalogue }: FlowMetricMeaningProps) {
  if (!metric) return null;
  const info = catalogue.find((m) => m.name === metric);
  if (!info) {
    return <p class="muted metric-meaning">{metric} is not in the metric catalogue.</p>;
  }
  const facts = [
    info.unit ? `in ${info.unit}` : null,
    info.labels.length ? `one series per ${info.labels.join(", ")}` : null,
  ].filter(Boolean);
  return (
    <p class="metric-meaning">
      {info.description}
      {facts.length ? ` (${facts.join("; ")})` : ""}.
    </p>
  );
}
