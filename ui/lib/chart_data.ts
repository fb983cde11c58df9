/**
 * Pure parts of the telemetry charts: time ranges and the resolution each
 * needs, the API paths they read, and query results turned into the aligned
 * columns uPlot draws (rollups as avg with a min–max band).
 */
import type { Resolution, TelemetryResult, TelemetrySeries } from "./telemetry_types.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The range buttons, each ending at now. */
export const RANGE_PRESETS = [
  { id: "1h", label: "1 h", ms: HOUR },
  { id: "6h", label: "6 h", ms: 6 * HOUR },
  { id: "24h", label: "24 h", ms: DAY },
  { id: "7d", label: "7 d", ms: 7 * DAY },
  { id: "30d", label: "30 d", ms: 30 * DAY },
] as const;
export type RangePresetId = typeof RANGE_PRESETS[number]["id"];

/** A chart's time range: a preset that follows now (live), or fixed ends after a zoom. */
export type ChartRange =
  | { kind: "preset"; id: RangePresetId }
  | { kind: "fixed"; from: number; to: number };

/** How often a live chart (one whose range ends at now) reads new data. */
export const LIVE_REFRESH_MS = 15_000;
/** The narrowest zoom: below a minute there is at most a few raw samples. */
export const MIN_SPAN_MS = MINUTE;

/** The range's ends in epoch ms, at `now` for presets. */
export function rangeBounds(range: ChartRange, now: number): { from: number; to: number } {
  if (range.kind === "fixed") return { from: range.from, to: range.to };
  const preset = RANGE_PRESETS.find((p) => p.id === range.id)!;
  return { from: now - preset.ms, to: now };
}

/**
 * The resolution a span needs: raw samples up to 6 h, 1-minute rollups up
 * to 7 days, hourly beyond (the store's own thresholds, so each chart draws
 * at most a few thousand points a series).
 */
export function resolutionFor(spanMs: number): Resolution {
  return spanMs <= 6 * HOUR ? "raw" : spanMs <= 7 * DAY ? "1m" : "1h";
}

/** Words for a resolution, for the chart's caption. */
export function resolutionLabel(resolution: Resolution): string {
  return resolution === "raw"
    ? "raw samples"
    : resolution === "1m"
    ? "1-minute rollups (avg, min–max band)"
    : "1-hour rollups (avg, min–max band)";
}

/** What a chart asks for. */
export interface TelemetryQuery {
  nodes: string[];
  metrics: string[];
  from: number;
  to: number;
  resolution: Resolution;
}

/** `GET /v1/telemetry?…` for `query`. */
export function telemetryPath(query: TelemetryQuery): string {
  const params = new URLSearchParams();
  if (query.nodes.length) params.set("node", query.nodes.join(","));
  if (query.metrics.length) params.set("metric", query.metrics.join(","));
  params.set("from", String(Math.floor(query.from)));
  params.set("to", String(Math.ceil(query.to)));
  params.set("resolution", query.resolution);
  return `/v1/telemetry?${params}`;
}

/** A series' name in a legend: metric, labels, and the node when several are drawn. */
export function seriesLabel(series: TelemetrySeries, withNode: boolean): string {
  const labels = Object.entries(series.labels).map(([k, v]) => `${k}=${v}`).join(", ");
  const name = labels ? `${series.metric} {${labels}}` : series.metric;
  return withNode ? `${series.node_name ?? series.node_id} · ${name}` : name;
}

/** One drawn series: uPlot columns for its line and, for rollups, its band. */
export interface ChartSeries {
  label: string;
  unit: string | null;
  /** avg (rollups) or value (raw), aligned to `ChartData.xs`. */
  values: (number | null)[];
  min: (number | null)[] | null;
  max: (number | null)[] | null;
}

/** A query result aligned on one time axis (seconds, as uPlot wants). */
export interface ChartData {
  resolution: Resolution;
  xs: number[];
  series: ChartSeries[];
}

/**
 * Aligns every series of `result` on the union of their timestamps; a series
 * without a point at a time gets null there (a gap, not a zero).
 */
export function toChartData(result: TelemetryResult): ChartData {
  const stamps = new Set<number>();
  for (const s of result.series) for (const p of s.points) stamps.add(p.ts);
  const times = [...stamps].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const withNode = new Set(result.series.map((s) => s.node_id)).size > 1;
  const rollup = result.resolution !== "raw";
  return {
    resolution: result.resolution,
    xs: times.map((t) => t / 1000),
    series: result.series.map((s) => {
      const values: (number | null)[] = times.map(() => null);
      const min = rollup ? times.map((): number | null => null) : null;
      const max = rollup ? times.map((): number | null => null) : null;
      for (const p of s.points) {
        const i = index.get(p.ts)!;
        if ("value" in p) values[i] = p.value;
        else {
          values[i] = p.avg;
          min![i] = p.min;
          max![i] = p.max;
        }
      }
      return { label: seriesLabel(s, withNode), unit: s.unit, values, min, max };
    }),
  };
}

/** A value as the legend shows it: at most 3 significant decimals, no trailing zeros. */
export function formatValue(value: number | null | undefined, unit: string | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = Math.abs(value) >= 1000
    ? String(Math.round(value))
    : String(Number(value.toFixed(Math.abs(value) >= 100 ? 1 : 2)));
  return unit && unit !== "count" ? `${text} ${unit}` : text;
}

/** The index of the last non-null value, or null. */
export function lastIndex(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return i;
  return null;
}

/** A clock time "2026-01-31 12:00" (UTC, as the rest of the portal) for range captions. */
export function rangeTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/** A time axis tick in UTC: "14:05" within a day, "11-23 14:05" within a week, else "11-23". */
export function axisTime(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs <= DAY) return iso.slice(11, 16);
  if (spanMs <= 7 * DAY) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(5, 10);
}
