/**
 * Positions for the topology graph, computed once on the server with
 * d3-force so the page shows the graph before any script runs (and the
 * browser never downloads the solver): the gateway pinned in the middle, each
 * node pulled to a ring by its depth, seeded as a radial tree so the
 * simulation starts close to an untangled picture.
 */
// @ts-types="./topology_d3_force.d.ts"
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceRadial,
  forceSimulation,
  type SimulationNodeDatum,
} from "d3-force";
import type { GraphEdge, GraphNode, TopologyGraph } from "./topology_graph.ts";

/** A node with its place in the drawing. */
export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
}

/** The graph ready to draw. */
export interface LaidOutGraph extends Omit<TopologyGraph, "nodes"> {
  nodes: PlacedNode[];
  /** The drawing's extent in SVG units, labels included. */
  viewBox: { x: number; y: number; width: number; height: number };
}

/** Options for {@linkcode layoutGraph}. */
export interface LayoutOptions {
  /** Simulation steps; fixed so the layout is the same on every render. @default 120 */
  ticks?: number;
}

/** Distance between rings, SVG units. */
const RING_GAP = 120;
/** Room each node wants along its ring; crowded rings grow. */
const RING_SPACING = 36;
const MARGIN = 48;

interface SimNode extends SimulationNodeDatum {
  id: string;
  ring: number;
}

interface SimLink {
  source: string | SimNode;
  target: string | SimNode;
  tree: boolean;
}

/** Ring radii per depth: at least a gap apart, and wide enough for their nodes. */
function ringRadii(depths: readonly number[]): number[] {
  const max = Math.max(0, ...depths);
  const counts = Array.from({ length: max + 1 }, (_, d) => depths.filter((x) => x === d).length);
  const radii = [0];
  for (let d = 1; d <= max; d++) {
    radii.push(Math.max(radii[d - 1]! + RING_GAP, (counts[d]! * RING_SPACING) / (2 * Math.PI)));
  }
  return radii;
}

/**
 * Seeds each node at its depth's radius and at an angle within its parent's
 * wedge (wedges sized by leaf count), the classic radial tree.
 */
function seed(nodes: readonly GraphNode[], radii: readonly number[], ringOf: Map<string, number>) {
  const children = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    if (n.parent) (children.get(n.parent) ?? children.set(n.parent, []).get(n.parent)!).push(n);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const leaves = new Map<string, number>();
  const countLeaves = (id: string): number => {
    const kids = children.get(id) ?? [];
    const count = kids.length === 0 ? 1 : kids.reduce((s, k) => s + countLeaves(k.id), 0);
    leaves.set(id, count);
    return count;
  };
  const at = new Map<string, { x: number; y: number }>();
  const place = (id: string, from: number, to: number) => {
    const r = radii[ringOf.get(id)!]!;
    const angle = (from + to) / 2;
    at.set(id, { x: r * Math.cos(angle), y: r * Math.sin(angle) });
    let start = from;
    const total = leaves.get(id)!;
    for (const kid of children.get(id) ?? []) {
      const span = ((to - from) * leaves.get(kid.id)!) / total;
      place(kid.id, start, start + span);
      start += span;
    }
  };
  const roots = nodes.filter((n) => n.depth === 0);
  for (const root of roots) countLeaves(root.id);
  for (const root of roots) place(root.id, -Math.PI, Math.PI);
  // Nodes with no known path share the outermost ring, evenly.
  const lost = nodes.filter((n) => !at.has(n.id));
  lost.forEach((n, i) => {
    const r = radii[ringOf.get(n.id)!]!;
    const angle = (2 * Math.PI * (i + 0.5)) / lost.length;
    at.set(n.id, { x: r * Math.cos(angle), y: r * Math.sin(angle) });
  });
  return at;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The drawing's positions, which depend only on the graph's shape. */
interface Placement {
  positions: Map<string, { x: number; y: number }>;
  viewBox: LaidOutGraph["viewBox"];
}

/**
 * The last placement and the shape it was for: the mesh's shape rarely
 * changes between two page loads while statuses and qualities do, so most
 * renders skip the simulation.
 */
let last: { key: string; placement: Placement } | null = null;

function shapeKey(graph: TopologyGraph, ticks: number): string {
  return JSON.stringify([
    ticks,
    graph.gatewayId,
    graph.nodes.map((n) => [n.id, n.depth, n.parent]),
    graph.edges.map((e) => e.key),
  ]);
}

/**
 * Lays out `graph` with d3-force for a fixed number of ticks; the same graph
 * always gets the same picture (d3-force's random source is seeded).
 */
export function layoutGraph(graph: TopologyGraph, options: LayoutOptions = {}): LaidOutGraph {
  const ticks = options.ticks ?? 120;
  const key = shapeKey(graph, ticks);
  if (last?.key !== key) last = { key, placement: place(graph, ticks) };
  const { positions, viewBox } = last.placement;
  return {
    gatewayId: graph.gatewayId,
    computedAt: graph.computedAt,
    edges: graph.edges,
    nodes: graph.nodes.map((n) => ({ ...n, ...positions.get(n.id)! })),
    viewBox,
  };
}

function place(graph: TopologyGraph, ticks: number): Placement {
  const known = graph.nodes.map((n) => n.depth).filter((d): d is number => d !== null);
  const outer = graph.nodes.some((n) => n.depth === null) ? Math.max(0, ...known) + 1 : 0;
  const ringOf = new Map(graph.nodes.map((n) => [n.id, n.depth ?? Math.max(outer, 1)]));
  const radii = ringRadii([...ringOf.values()]);
  const start = seed(graph.nodes, radii, ringOf);

  const simNodes: SimNode[] = graph.nodes.map((n) => {
    const p = start.get(n.id)!;
    const pinned = n.id === graph.gatewayId;
    return {
      id: n.id,
      ring: ringOf.get(n.id)!,
      x: p.x,
      y: p.y,
      ...(pinned ? { fx: 0, fy: 0 } : {}),
    };
  });
  const parentOf = new Map(graph.nodes.map((n) => [n.id, n.parent]));
  const simLinks: SimLink[] = graph.edges.map((e: GraphEdge) => ({
    source: e.a,
    target: e.b,
    tree: parentOf.get(e.a) === e.b || parentOf.get(e.b) === e.a,
  }));
  forceSimulation(simNodes)
    .force(
      "link",
      forceLink<SimNode, SimLink>(simLinks).id((n) => n.id).distance(RING_GAP)
        // Sideways links pull only a little, so the tree the routes follow stays readable.
        .strength((l) => (l.tree ? 0.4 : 0.03)),
    )
    .force("charge", forceManyBody<SimNode>().strength(-120).distanceMax(RING_GAP * 2.5))
    .force("ring", forceRadial<SimNode>((n) => radii[n.ring]!, 0, 0).strength(0.8))
    .force("collide", forceCollide<SimNode>(20))
    // The seed is already close: anneal from the start to the minimum within `ticks`.
    .alphaDecay(1 - Math.pow(0.001, 1 / ticks))
    .stop()
    .tick(ticks);

  const positions = new Map(
    simNodes.map((n) => [n.id, { x: round(n.x ?? 0), y: round(n.y ?? 0) }]),
  );
  const xs = [0, ...[...positions.values()].map((p) => p.x)];
  const ys = [0, ...[...positions.values()].map((p) => p.y)];
  const minX = Math.min(...xs) - MARGIN, maxX = Math.max(...xs) + MARGIN;
  const minY = Math.min(...ys) - MARGIN, maxY = Math.max(...ys) + MARGIN;
  return {
    positions,
    viewBox: {
      x: Math.floor(minX),
      y: Math.floor(minY),
      width: Math.ceil(maxX - minX),
      height: Math.ceil(maxY - minY),
    },
  };
}
