/// <reference lib="dom" />
import { useComputed, useSignal } from "@preact/signals";
import { TelemetryChart } from "../components/chart_telemetry.tsx";
import { telemetryPath, type TelemetryQuery } from "../lib/chart_data.ts";
import type { MetricInfo } from "../lib/telemetry_types.ts";
import type { NodeSummary } from "../lib/types.ts";

/** Props of {@linkcode TelemetryExplorer}. */
export interface TelemetryExplorerProps {
  nodes: Pick<NodeSummary, "id" | "name">[];
  /** Every stored metric, with how many nodes report it and what it means (the catalogue's). */
  metrics: (Pick<MetricInfo, "metric" | "unit"> & {
    node_count: number;
    description: string | null;
  })[];
  /** Picked when the page was opened (from its query string). */
  selected: { nodes: string[]; metrics: string[] };
}

/** The explorer's own address for a selection, so it can be bookmarked and shared. */
export function explorerPath(nodes: string[], metrics: string[]): string {
  const params = new URLSearchParams();
  if (nodes.length) params.set("node", nodes.join(","));
  if (metrics.length) params.set("metric", metrics.join(","));
  const text = params.toString().replaceAll("%2C", ",");
  return text ? `/telemetry?${text}` : "/telemetry";
}

/** Pick nodes and metrics, see them overlaid on one chart, export the same query as CSV. */
export default function TelemetryExplorer({ nodes, metrics, selected }: TelemetryExplorerProps) {
  const pickedNodes = useSignal<string[]>(selected.nodes);
  const pickedMetrics = useSignal<string[]>(selected.metrics);
  const nodeFilter = useSignal("");
  const query = useSignal<TelemetryQuery | null>(null);
  const exporting = useSignal(false);
  const exportError = useSignal("");

  const visibleNodes = useComputed(() => {
    const needle = nodeFilter.value.trim().toLowerCase();
    return needle
      ? nodes.filter((n) =>
        n.name.toLowerCase().includes(needle) || pickedNodes.value.includes(n.id)
      )
      : nodes;
  });

  const toggle = (list: typeof pickedNodes, value: string, on: boolean) => {
    list.value = on ? [...list.value, value] : list.value.filter((v) => v !== value);
    history.replaceState(null, "", explorerPath(pickedNodes.value, pickedMetrics.value));
  };

  async function exportCsv() {
    const q = query.value;
    if (!q) return;
    exporting.value = true;
    exportError.value = "";
    try {
      const res = await fetch(telemetryPath(q), {
        headers: { accept: "text/csv" },
        credentials: "same-origin",
      });
      if (!res.ok) throw new Error(`The export failed: the gateway answered ${res.status}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ??
        "halo-telemetry.csv";
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      // The download has taken the blob by the next task.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      exportError.value = error instanceof Error ? error.message : String(error);
    } finally {
      exporting.value = false;
    }
  }

  const names = new Map(nodes.map((n) => [n.id, n.name]));
  const label = `${pickedMetrics.value.join(", ") || "no metric"} of ${
    pickedNodes.value.map((id) => names.get(id) ?? id).join(", ") || "no node"
  }`;

  return (
    <div class="explorer">
      <div class="explorer-picks">
        <fieldset class="pick-list">
          <legend>Nodes ({pickedNodes.value.length} picked)</legend>
          <label class="pick-filter">
            Find a node
            <input
              type="search"
              value={nodeFilter.value}
              onInput={(e) => nodeFilter.value = e.currentTarget.value}
            />
          </label>
          <ul>
            {visibleNodes.value.map((n) => (
              <li key={n.id}>
                <label class="check">
                  <input
                    type="checkbox"
                    name="node"
                    value={n.id}
                    checked={pickedNodes.value.includes(n.id)}
                    onChange={(e) => toggle(pickedNodes, n.id, e.currentTarget.checked)}
                  />
                  {n.name}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset class="pick-list">
          <legend>Metrics ({pickedMetrics.value.length} picked)</legend>
          {metrics.length === 0 ? <p class="empty">No telemetry stored yet.</p> : (
            <ul>
              {metrics.map((m) => (
                <li key={m.metric}>
                  <label class="check">
                    <input
                      type="checkbox"
                      name="metric"
                      value={m.metric}
                      checked={pickedMetrics.value.includes(m.metric)}
                      onChange={(e) => toggle(pickedMetrics, m.metric, e.currentTarget.checked)}
                    />
                    {m.metric}
                    <span class="muted">
                      {m.unit ? `${m.unit}, ` : ""}
                      {m.node_count} {m.node_count === 1 ? "node" : "nodes"}
                    </span>
                    {m.description && <small class="metric-meaning">{m.description}</small>}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
      </div>
      <TelemetryChart
        nodes={pickedNodes.value}
        metrics={pickedMetrics.value}
        label={label}
        onQuery={(q) => query.value = q}
      />
      <div class="toolbar">
        <button
          type="button"
          class="secondary"
          onClick={exportCsv}
          disabled={!query.value || exporting.value || !pickedMetrics.value.length ||
            !pickedNodes.value.length}
        >
          {exporting.value ? "Exporting…" : "Export CSV"}
        </button>
        <span class="muted">The samples of the chart's range and resolution.</span>
      </div>
      {exportError.value && <p class="notice bad" role="alert">{exportError.value}</p>}
    </div>
  );
}
