/**
 * Where the steps of a flow are drawn, shared by the builder (client) and the
 * execution view (server-rendered SVG): stored positions where a step has
 * one, otherwise a layered layout — each step one column right of its
 * furthest predecessor, rows ordered by their predecessors' rows.
 */
import type { FlowEdge, FlowStep } from "./flow_types.ts";

/** Size of a step's box on the canvas. */
export const STEP_W = 184;
export const STEP_H = 64;
/** Space around the graph and between columns and rows of the automatic layout. */
export const PAD = 24;
const GAP_X = 88;
const GAP_Y = 32;
/** The smallest canvas, so an empty flow still has room to drop steps on. */
export const MIN_CANVAS = { w: 640, h: 360 };

/** A point on the canvas. */
export interface Point {
  x: number;
  y: number;
}

/** Positions of every step, and the canvas size that holds them. */
export interface Layout {
  positions: Map<string, Point>;
  width: number;
  height: number;
}

/**
 * Lays out `steps`: a step's own `position` wins (clamped to the canvas),
 * the rest are placed in layers by the longest path from the roots.
 */
export function layoutFlow(
  steps: readonly Pick<FlowStep, "id" | "position">[],
  edges: readonly Pick<FlowEdge, "from" | "to">[],
): Layout {
  const auto = layeredPositions(steps.map((s) => s.id), edges);
  const positions = new Map<string, Point>();
  for (const s of steps) {
    const p = s.position ?? auto.get(s.id)!;
    positions.set(s.id, { x: Math.max(0, p.x), y: Math.max(0, p.y) });
  }
  let width = MIN_CANVAS.w, height = MIN_CANVAS.h;
  for (const p of positions.values()) {
    width = Math.max(width, p.x + STEP_W + PAD);
    height = Math.max(height, p.y + STEP_H + PAD);
  }
  return { positions, width: Math.ceil(width), height: Math.ceil(height) };
}

/** Longest-path layers, rows by the mean row of each step's predecessors. */
function layeredPositions(
  ids: readonly string[],
  edges: readonly Pick<FlowEdge, "from" | "to">[],
): Map<string, Point> {
  const known = new Set(ids);
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (known.has(e.from) && known.has(e.to) && e.from !== e.to) preds.get(e.to)!.push(e.from);
  }
  const layer = new Map<string, number>();
  // Depth-first with a guard: a cycle (which validation refuses anyway) must not hang the page.
  const depth = (id: string, visiting: Set<string>): number => {
    const cached = layer.get(id);
    if (cached !== undefined) return cached;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...preds.get(id)!.map((p) => depth(p, visiting))) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const id of ids) depth(id, new Set());
  const columns: string[][] = [];
  for (const id of ids) (columns[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  const positions = new Map<string, Point>();
  columns.forEach((column, x) => {
    const mean = (id: string) => {
      const rows = preds.get(id)!.map((p) => row.get(p)).filter((r) => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
    };
    const ordered = column.map((id, i) => ({ id, key: mean(id), i }))
      .sort((a, b) => a.key - b.key || a.i - b.i);
    ordered.forEach(({ id }, y) => {
      row.set(id, y);
      positions.set(id, { x: PAD + x * (STEP_W + GAP_X), y: PAD + y * (STEP_H + GAP_Y) });
    });
  });
  return positions;
}

/** The output ports of a step: one per branch label, or one unlabelled port. */
export function outputPorts(branches: readonly string[]): (string | null)[] {
  return branches.length ? [...branches] : [null];
}

/** Where output port `index` of `count` sits on a step at `at`. */
export function portPoint(at: Point, index: number, count: number): Point {
  return { x: at.x + STEP_W, y: at.y + (STEP_H * (index + 1)) / (count + 1) };
}

/** Where edges enter a step. */
export function inputPoint(at: Point): Point {
  return { x: at.x, y: at.y + STEP_H / 2 };
}

/** An edge as an SVG path from `a` to `b`, and the middle of the curve for its label. */
export function edgePath(a: Point, b: Point): { d: string; mid: Point } {
  const bend = Math.max(40, Math.abs(b.x - a.x) / 2);
  const c1 = { x: a.x + bend, y: a.y };
  const c2 = { x: b.x - bend, y: b.y };
  // The cubic Bézier at t = 0.5.
  const mid = {
    x: (a.x + 3 * c1.x + 3 * c2.x + b.x) / 8,
    y: (a.y + 3 * c1.y + 3 * c2.y + b.y) / 8,
  };
  const r = (n: number) => Math.round(n * 10) / 10;
  return {
    d: `M${r(a.x)},${r(a.y)} C${r(c1.x)},${r(c1.y)} ${r(c2.x)},${r(c2.y)} ${r(b.x)},${r(b.y)}`,
    mid: { x: r(mid.x), y: r(mid.y) },
  };
}
