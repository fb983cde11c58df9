/// <reference lib="dom" />
import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { api, ApiProblem } from "../lib/api.ts";
import {
  axisTime,
  type ChartData,
  type ChartRange,
  formatValue,
  lastIndex,
  LIVE_REFRESH_MS,
  MIN_SPAN_MS,
  RANGE_PRESETS,
  rangeBounds,
  type RangePresetId,
  rangeTime,
  resolutionFor,
  resolutionLabel,
  telemetryPath,
  type TelemetryQuery,
  toChartData,
} from "../lib/chart_data.ts";
import type { TelemetryResult } from "../lib/telemetry_types.ts";

/** Series colours: distinct, and dark enough on white for the lines to read. */
const COLORS = [
  "#0b62a8",
  "#b3261e",
  "#137333",
  "#8a5a00",
  "#6a3d9a",
  "#00796b",
  "#c2185b",
  "#455a64",
];
const HEIGHT = 260;

/** Props of {@linkcode TelemetryChart}. */
export interface TelemetryChartProps {
  /** Node ids to draw. */
  nodes: string[];
  /** Metric names to draw; nothing is read while empty. */
  metrics: string[];
  /** What the chart shows, for screen readers ("cpu.usage of leaf-1"). */
  label: string;
  /** Told each query the chart has drawn, e.g. for a CSV export of the same. */
  onQuery?: (query: TelemetryQuery) => void;
}

/**
 * A telemetry chart with range presets, drag-to-zoom (and zoom buttons for
 * the keyboard) that re-reads at the finer resolution, a reset, and a live
 * refresh while the range ends at now. The server renders the controls and
 * an empty chart box; uPlot draws into it from an effect in the browser.
 */
export function TelemetryChart({ nodes, metrics, label, onQuery }: TelemetryChartProps) {
  const range = useSignal<ChartRange>({ kind: "preset", id: "1h" });
  const preset = useSignal<RangePresetId>("1h");
  const data = useSignal<ChartData | null>(null);
  const shown = useSignal<{ from: number; to: number } | null>(null);
  const status = useSignal<"idle" | "loading" | "ready" | "error">(
    metrics.length && nodes.length ? "loading" : "idle",
  );
  const error = useSignal("");
  const cursor = useSignal<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onQueryRef = useRef(onQuery);
  onQueryRef.current = onQuery;

  const nodesKey = nodes.join(",");
  const metricsKey = metrics.join(",");
  const rangeKey = JSON.stringify(range.value);

  // Reads the range (again every LIVE_REFRESH_MS while it ends at now).
  useEffect(() => {
    if (!metrics.length || !nodes.length) {
      status.value = "idle";
      data.value = null;
      return;
    }
    let cancelled = false;
    const load = async () => {
      const bounds = rangeBounds(range.value, Date.now());
      let query: TelemetryQuery = {
        nodes,
        metrics,
        ...bounds,
        resolution: resolutionFor(bounds.to - bounds.from),
      };
      try {
        let result = await api<TelemetryResult>("GET", telemetryPath(query));
        // Raw samples age out first (retention): an old, short range still has rollups.
        if (
          query.resolution === "raw" && result.series.length &&
          result.series.every((s) => s.points.length === 0)
        ) {
          query = { ...query, resolution: "1m" };
          result = await api<TelemetryResult>("GET", telemetryPath(query));
        }
        if (cancelled) return;
        data.value = toChartData(result);
        shown.value = bounds;
        status.value = "ready";
        error.value = "";
        onQueryRef.current?.(query);
      } catch (e) {
        if (cancelled) return;
        status.value = "error";
        error.value = e instanceof ApiProblem ? e.message : String(e);
      }
    };
    if (!data.value) status.value = "loading";
    load();
    const timer = range.value.kind === "preset" ? setInterval(load, LIVE_REFRESH_MS) : undefined;
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [nodesKey, metricsKey, rangeKey]);

  // Draws the data: new columns into the same plot, or a new plot when the series change.
  useEffect(() => {
    const el = box.current;
    const d = data.value;
    if (!el) return;
    if (!d || d.series.length === 0) {
      plot.current?.destroy();
      plot.current = null;
      return;
    }
    const columns = chartColumns(d);
    const shape = JSON.stringify([d.resolution, d.series.map((s) => [s.label, s.unit])]);
    if (plot.current && el.dataset.shape === shape) {
      plot.current.setData(columns);
      return;
    }
    plot.current?.destroy();
    el.dataset.shape = shape;
    plot.current = new uPlot(
      chartOptions(d, el.clientWidth, {
        bounds: () => shown.peek()!,
        onSelect: (from, to) => zoomTo(from, to),
        onCursor: (idx) => cursor.value = idx,
      }),
      columns,
      el,
    );
  }, [data.value]);

  // Follows the box's width (phone rotation, window resize).
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      plot.current?.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  function zoomTo(from: number, to: number) {
    const mid = (from + to) / 2;
    const span = Math.max(to - from, MIN_SPAN_MS);
    range.value = {
      kind: "fixed",
      from: Math.round(mid - span / 2),
      to: Math.round(mid + span / 2),
    };
  }

  function zoomIn() {
    const b = shown.value;
    if (!b) return;
    const quarter = (b.to - b.from) / 4;
    zoomTo(b.from + quarter, b.to - quarter);
  }

  const caption = useComputed(() => {
    const r = range.value;
    const when = r.kind === "preset"
      ? `Last ${RANGE_PRESETS.find((p) => p.id === r.id)!.label}, live`
      : `${rangeTime(r.from)} – ${rangeTime(r.to)} UTC`;
    return data.value ? `${when} · ${resolutionLabel(data.value.resolution)}` : when;
  });

  const d = data.value;
  // A cursor index from before new data arrived may point past it.
  const idx = d && cursor.value !== null && cursor.value < d.xs.length ? cursor.value : null;
  return (
    <div class="telemetry-chart">
      <div class="toolbar chart-controls" role="group" aria-label="Time range">
        {RANGE_PRESETS.map((p) => (
          <button
            type="button"
            key={p.id}
            class={range.value.kind === "preset" && range.value.id === p.id
              ? undefined
              : "secondary"}
            aria-pressed={range.value.kind === "preset" && range.value.id === p.id}
            onClick={() => {
              preset.value = p.id;
              range.value = { kind: "preset", id: p.id };
            }}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          class="secondary"
          onClick={zoomIn}
          disabled={status.value !== "ready"}
        >
          Zoom in
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => range.value = { kind: "preset", id: preset.value }}
          disabled={range.value.kind === "preset"}
        >
          Reset zoom
        </button>
      </div>
      <p class="muted chart-caption" aria-live="polite">
        {caption.value}
        {status.value === "loading" && " · loading…"}
      </p>
      {status.value === "error" && <p class="notice bad" role="alert">{error.value}</p>}
      {status.value === "idle" && <p class="empty">Pick at least one node and one metric.</p>}
      {status.value === "ready" && d && d.series.length === 0 && (
        <p class="empty">No samples stored for this selection.</p>
      )}
      <div
        ref={box}
        class={d && d.series.length ? "chart" : "chart chart-empty"}
        role="img"
        aria-label={`Chart of ${label}; drag across it to zoom`}
        data-testid="chart"
      />
      {d && d.series.length > 0 && (
        <table class="chart-legend" data-testid="chart-legend">
          <caption class="muted">
            {idx === null ? "Latest values" : `Values at ${rangeTime(d.xs[idx]! * 1000)} UTC`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col" class="num">{d.resolution === "raw" ? "Value" : "Avg"}</th>
              {d.resolution !== "raw" && <th scope="col" class="num">Min – max</th>}
            </tr>
          </thead>
          <tbody>
            {d.series.map((s, i) => {
              const at = idx ?? lastIndex(s.values);
              return (
                <tr key={s.label}>
                  <th scope="row">
                    <svg class="swatch" width="12" height="12" aria-hidden="true">
                      <rect width="12" height="12" rx="2" fill={COLORS[i % COLORS.length]} />
                    </svg>
                    {s.label}
                  </th>
                  <td class="num chart-value">
                    {at === null ? "—" : formatValue(s.values[at], s.unit)}
                  </td>
                  {s.min && s.max && (
                    <td class="num">
                      {at === null
                        ? "—"
                        : `${formatValue(s.min[at], null)} – ${formatValue(s.max[at], s.unit)}`}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** uPlot's columns: times, then per series its line and, for rollups, max and min. */
function chartColumns(d: ChartData): uPlot.AlignedData {
  const cols: (number | null)[][] = [];
  for (const s of d.series) {
    cols.push(s.values);
    if (s.min && s.max) cols.push(s.max, s.min);
  }
  return [d.xs, ...cols] as uPlot.AlignedData;
}

interface ChartHooks {
  /** The range drawn, read again on each redraw (a live chart moves on). */
  bounds(): { from: number; to: number };
  onSelect(from: number, to: number): void;
  onCursor(idx: number | null): void;
}

function chartOptions(
  d: ChartData,
  width: number,
  hooks: ChartHooks,
): uPlot.Options {
  const units = [...new Set(d.series.map((s) => s.unit ?? ""))];
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  d.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const scale = s.unit ?? "";
    series.push({ label: s.label, scale, stroke: color, width: 1.5, spanGaps: true });
    if (s.min && s.max) {
      const max = series.length;
      series.push({ label: `${s.label} max`, scale, stroke: color, width: 0, spanGaps: true });
      series.push({ label: `${s.label} min`, scale, stroke: color, width: 0, spanGaps: true });
      bands.push({ series: [max, max + 1], fill: `${color}33` });
    }
  });
  return {
    width: Math.max(width, 200),
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
    scales: {
      x: { time: true, range: () => [hooks.bounds().from / 1000, hooks.bounds().to / 1000] },
    },
    axes: [
      {
        // 24-hour UTC, as every other time in the portal.
        values: (_u, ticks) => {
          const { from, to } = hooks.bounds();
          return ticks.map((t) => axisTime(t * 1000, to - from));
        },
        size: 40,
      },
      // One axis for the first unit on the left, one for the second on the right.
      ...units.slice(0, 2).map((unit, i): uPlot.Axis => ({
        scale: unit,
        side: i === 0 ? 3 : 1,
        grid: { show: i === 0 },
        size: 60,
        values: (_u, ticks) => ticks.map((v) => formatValue(v, unit || null)),
      })),
    ],
    series,
    bands,
    hooks: {
      setSelect: [(u) => {
        if (u.select.width < 4) return;
        const from = u.posToVal(u.select.left, "x") * 1000;
        const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        hooks.onSelect(from, to);
      }],
      setCursor: [(u) => hooks.onCursor(u.cursor.idx ?? null)],
    },
  };
}
