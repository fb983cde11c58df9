import { useSignal, useSignalEffect } from "@preact/signals";
import { TelemetryChart } from "../components/chart_telemetry.tsx";
import { api } from "../lib/api.ts";
import { formatValue, LIVE_REFRESH_MS } from "../lib/chart_data.ts";
import type { LatestValue, MetricInfo } from "../lib/telemetry_types.ts";

/** Props of {@linkcode NodeChart}. */
export interface NodeChartProps {
  nodeId: string;
  nodeName: string;
  /** The metrics this node reports, with their units and meanings (the catalogue's), by name. */
  metrics: (Pick<MetricInfo, "metric" | "unit"> & { description: string | null })[];
  /** The node's newest value of each series when the page was rendered. */
  latest: LatestValue[];
}

/** Which metric a node page charts first: CPU if it has it, else the first. */
function firstMetric(metrics: NodeChartProps["metrics"]): string {
  return metrics.find((m) => m.metric === "cpu.usage")?.metric ?? metrics[0]?.metric ?? "";
}

/** A node's metrics with their latest values; the chosen one charted live and over time. */
export default function NodeChart({ nodeId, nodeName, metrics, latest }: NodeChartProps) {
  const chosen = useSignal(firstMetric(metrics));
  const values = useSignal(latest);

  useSignalEffect(() => {
    const timer = setInterval(async () => {
      try {
        const res = await api<{ series: LatestValue[] }>(
          "GET",
          `/v1/telemetry/latest?node=${nodeId}`,
        );
        values.value = res.series;
      } catch (error) {
        console.warn("latest values refresh failed", error);
      }
    }, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  });

  if (metrics.length === 0) {
    return <p class="empty">This node has stored no telemetry yet.</p>;
  }
  return (
    <div class="node-chart">
      <ul class="metric-picker" aria-label="Metrics">
        {metrics.map((m) => {
          const series = values.value.filter((v) => v.metric === m.metric);
          const summary = series.length === 1
            ? formatValue(series[0]!.value, series[0]!.unit)
            : `${series.length} series`;
          return (
            <li key={m.metric}>
              <button
                type="button"
                class={chosen.value === m.metric ? "metric-choice on" : "metric-choice"}
                aria-pressed={chosen.value === m.metric}
                title={m.description ?? undefined}
                onClick={() => chosen.value = m.metric}
              >
                <span class="metric-name">{m.metric}</span>
                <span class="metric-latest">{summary}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <MetricMeaning metric={metrics.find((m) => m.metric === chosen.value)} />
      <TelemetryChart
        nodes={[nodeId]}
        metrics={[chosen.value]}
        label={`${chosen.value} of ${nodeName}`}
      />
    </div>
  );
}

/** What the charted metric measures, and in which unit; nothing for one the catalogue lacks. */
function MetricMeaning({ metric }: { metric: NodeChartProps["metrics"][number] | undefined }) {
  if (!metric?.description) return null;
  return (
    <p class="metric-meaning">
      <strong>{metric.metric}</strong>: {metric.description}
      {metric.unit ? ` (${metric.unit})` : ""}
    </p>
  );
}
