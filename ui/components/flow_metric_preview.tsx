/**
 * Metric preview beside a threshold's value: the metric's recent last, lowest
 * and highest values (GET /v1/flows/metric-preview), each a button that puts
 * it into the value field.
 */
import { useState } from "preact/hooks";
import { api, ApiProblem } from "../lib/api.ts";
import type { MetricPreview } from "../lib/flow_types.ts";

/** Props of {@linkcode FlowMetricPreview}. */
export interface FlowMetricPreviewProps {
  metric: string | undefined;
  /** A node id to look at only that node; all nodes otherwise. */
  node: string | undefined;
  onUse: (value: number) => void;
}

const HOURS = 24;

/** Rounds for display and use: a threshold rarely needs more than three decimals. */
const round = (n: number) => Math.round(n * 1000) / 1000;

/** See the module comment. */
export function FlowMetricPreview({ metric, node, onUse }: FlowMetricPreviewProps) {
  const [preview, setPreview] = useState<MetricPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    if (!metric) return setError("Enter a metric first");
    setBusy(true);
    setError(null);
    try {
      const q = new URLSearchParams({ metric, hours: String(HOURS) });
      if (node) q.set("node", node);
      setPreview(await api<MetricPreview>("GET", `/v1/flows/metric-preview?${q}`));
    } catch (e) {
      setError(e instanceof ApiProblem ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const series = preview?.series.filter((s) => s.count > 0 || s.latest) ?? [];
  const all = (pick: (s: MetricPreview["series"][number]) => number | null | undefined) =>
    series.map(pick).filter((v): v is number => typeof v === "number");
  const lows = all((s) => s.min), highs = all((s) => s.max);
  const latest = series.map((s) => s.latest).filter((l) => l !== null)
    .sort((a, b) => b.ts - a.ts)[0];
  const unit = preview?.unit ? ` ${preview.unit}` : "";
  const choices = preview && series.length
    ? [
      ["last", latest?.value],
      ["lowest", lows.length ? Math.min(...lows) : undefined],
      ["highest", highs.length ? Math.max(...highs) : undefined],
    ] as const
    : [];
  return (
    <div class="metric-preview" aria-live="polite">
      <button type="button" class="secondary" onClick={load} disabled={busy}>
        {busy ? "Loading…" : `Preview ${metric || "metric"} (last ${HOURS} h)`}
      </button>
      {error && <span class="field-error">{error}</span>}
      {preview && series.length === 0 && (
        <p class="muted">No samples of {preview.metric} in the last {HOURS} h.</p>
      )}
      {choices.length > 0 && (
        <div class="preview-values">
          <span class="muted">
            {series.length} series{node ? "" : " across nodes"}:
          </span>
          {choices.map(([name, v]) =>
            v === undefined ? null : (
              <button
                type="button"
                class="secondary"
                key={name}
                aria-label={`Use the ${name} value, ${round(v)}${unit}`}
                onClick={() => onUse(round(v))}
              >
                {name} {round(v)}
                {unit}
              </button>
            )
          )}
        </div>
      )}
    </div>
  );
}
