/**
 * The topology page's model of the mesh: undirected edges merged from the
 * links both ends report, and for each node its best known path to the
 * gateway, so an offline relay and the nodes behind it can be marked.
 */
import { bestPaths } from "../../lib/topology/best_paths.ts";
import type { Topology, TopologyLink, TopologyNode } from "./topology_types.ts";

/**
 * A link between two nodes, both directions merged: its figures are the
 * worse direction's, its `updated_at` the newer report's.
 */
export interface GraphEdge
  extends Pick<TopologyLink, "tq" | "signal_dbm" | "throughput_kbps" | "updated_at"> {
  /** `a~b` with `a < b`: the edge's id in URLs and the DOM. */
  key: string;
  a: string;
  b: string;
  /** 0-1: the worse direction among the live ones (among all when none is live). */
  quality: number;
  /** Some direction was reported recently between two online nodes. */
  live: boolean;
}

/** A node as the API answers it, with what the page marks on it. */
export interface GraphNode extends TopologyNode {
  /** Hops along the best path over every known link, live or not; null with no known path. */
  depth: number | null;
  /** The next hop towards the gateway on that path; null for the gateway and with no known path. */
  parent: string | null;
  /**
   * For a node with no live path to the gateway: the offline node closest to
   * the gateway on its best known path (itself excluded), the root cause.
   */
  behind: string | null;
}

/** The whole graph the page draws. */
export interface TopologyGraph {
  gatewayId: string | null;
  computedAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The id of the edge between `a` and `b`, whichever order. */
export function edgeKey(a: string, b: string): string {
  return a < b ? `${a}~${b}` : `${b}~${a}`;
}

/** Splits an edge key from a URL; null when it is not one. */
export function parseEdgeKey(key: string | null | undefined): { a: string; b: string } | null {
  const m = key ? /^([^~]+)~([^~]+)$/.exec(key) : null;
  return m ? { a: m[1]!, b: m[2]! } : null;
}

function mergeEdges(links: readonly TopologyLink[]): GraphEdge[] {
  const pairs = new Map<string, TopologyLink[]>();
  for (const l of links) {
    const k = edgeKey(l.from, l.to);
    (pairs.get(k) ?? pairs.set(k, []).get(k)!).push(l);
  }
  return [...pairs.entries()].map(([key, directions]) => {
    const live = directions.filter((d) => d.live);
    const counted = live.length ? live : directions;
    const worst = counted.reduce((w, d) => (d.quality < w.quality ? d : w));
    const [a, b] = key.split("~") as [string, string];
    return {
      key,
      a,
      b,
      quality: worst.quality,
      live: live.length > 0,
      tq: worst.tq,
      signal_dbm: worst.signal_dbm,
      throughput_kbps: worst.throughput_kbps,
      updated_at: directions.map((d) => d.updated_at).sort().at(-1)!,
    };
  }).sort((x, y) => x.key < y.key ? -1 : 1);
}

/**
 * Builds the page's graph from `GET /v1/topology`: merged edges, each node's
 * depth for the layout, and which offline node (if any) cuts it off.
 */
export function buildGraph(topology: Topology): TopologyGraph {
  const edges = mergeEdges(topology.links);
  const ids = new Set(topology.nodes.map((n) => n.id));
  const status = new Map(topology.nodes.map((n) => [n.id, n.status]));
  const gatewayId = topology.gateway_id;
  // Over every known edge, live or not: the paths batman-adv would take with all links up.
  const known = edges.filter((e) => ids.has(e.a) && ids.has(e.b));
  const paths = gatewayId && ids.has(gatewayId) ? bestPaths(gatewayId, known) : null;
  const nodes = topology.nodes.map((n): GraphNode => {
    let behind: string | null = null;
    // A node with a live path left (a fallback link) has not lost the gateway.
    if (paths && n.id !== gatewayId && !n.reachable) {
      // Walk towards the gateway; the last offline node met is the closest to it.
      for (let at = paths.next.get(n.id); at !== undefined && at !== gatewayId;) {
        if (status.get(at) === "offline") behind = at;
        at = paths.next.get(at);
      }
    }
    return {
      id: n.id,
      name: n.name,
      role: n.role,
      status: n.status,
      reachable: n.reachable,
      hops: n.hops,
      path: n.path,
      path_quality: n.path_quality,
      depth: paths?.hops.get(n.id) ?? null,
      parent: paths?.next.get(n.id) ?? null,
      behind,
    };
  });
  return {
    gatewayId,
    computedAt: topology.computed_at,
    nodes,
    edges: known,
  };
}

/** Quality as the page names it: the class that colours a link and the word for it. */
export function qualityBand(edge: Pick<GraphEdge, "quality" | "live">): {
  band: "good" | "fair" | "poor" | "stale";
  label: string;
} {
  if (!edge.live) return { band: "stale", label: "not live" };
  if (edge.quality >= 0.7) return { band: "good", label: "good" };
  if (edge.quality >= 0.4) return { band: "fair", label: "fair" };
  return { band: "poor", label: "poor" };
}

/** A 0-1 quality as a whole percentage. */
export function percent(q: number | null): string {
  return q === null ? "—" : `${Math.round(q * 100)} %`;
}
