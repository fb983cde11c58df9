/** A link's quality history as the topology page charts and lists it. */
import { linkQuality } from "../../lib/topology/link_quality.ts";
import type { LinkHistory } from "./topology_types.ts";

/** The spans a link's history can be read over. */
export const HISTORY_RANGES = [
  { id: "1h", label: "1 h", ms: 3600_000 },
  { id: "6h", label: "6 h", ms: 6 * 3600_000 },
  { id: "24h", label: "24 h", ms: 86_400_000 },
  { id: "7d", label: "7 d", ms: 7 * 86_400_000 },
] as const;

/** A history range id. */
export type HistoryRangeId = typeof HISTORY_RANGES[number]["id"];

/** The range named `id`, or 24 h when it names none. */
export function historyRange(id: string | null | undefined): typeof HISTORY_RANGES[number] {
  return HISTORY_RANGES.find((r) => r.id === id) ?? HISTORY_RANGES[2];
}

type Point = LinkHistory["points"][number];

/**
 * A point's quality 0-1 the way the gateway rates links ({@linkcode linkQuality}),
 * so the chart and the graph agree; null when the point has neither TQ nor signal.
 */
export function pointQuality(p: Pick<Point, "tq" | "signal_dbm">): number | null {
  return p.tq === null && p.signal_dbm === null ? null : linkQuality(p);
}

/** uPlot's aligned columns: seconds, then quality % as `a` reports it, then as `b` does. */
export type HistoryColumns = [number[], (number | null)[], (number | null)[]];

/** The history as chart columns, one series per direction, on the union of their times. */
export function historyColumns(history: LinkHistory): HistoryColumns {
  const times = [...new Set(history.points.map((p) => Date.parse(p.ts)))].sort((x, y) => x - y);
  const index = new Map(times.map((t, i) => [t, i]));
  const forward: (number | null)[] = times.map(() => null);
  const backward: (number | null)[] = times.map(() => null);
  for (const p of history.points) {
    const q = pointQuality(p);
    const i = index.get(Date.parse(p.ts))!;
    const column = p.from === history.a ? forward : backward;
    column[i] = q === null ? null : Math.round(q * 1000) / 10;
  }
  return [times.map((t) => t / 1000), forward, backward];
}

/** Lowest, mean and highest quality 0-1 over the points that have one; null when none do. */
export function historySummary(
  history: LinkHistory,
): { min: number; mean: number; max: number; count: number } | null {
  const qs = history.points.map(pointQuality).filter((q): q is number => q !== null);
  if (qs.length === 0) return null;
  return {
    min: Math.min(...qs),
    mean: qs.reduce((s, q) => s + q, 0) / qs.length,
    max: Math.max(...qs),
    count: qs.length,
  };
}
