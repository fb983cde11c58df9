import { bestPaths, pathToRoot, type RatedEdge } from "../../lib/topology/best_paths.ts";
import { linkQuality } from "../../lib/topology/link_quality.ts";

/** A node as topology sees it. */
export interface TopoNode {
  id: string;
  name: string;
  role: "gateway" | "node";
  status: "enrolled" | "online" | "offline" | "decommissioned";
}

/** A directional link as reported by `from` about its neighbour `to`. */
export interface TopoLink {
  from: string;
  to: string;
  iface: string;
  tq: number | null;
  throughput_kbps: number | null;
  signal_dbm: number | null;
  last_seen_ms: number;
  updated_at: number;
}

/** Options for {@linkcode computeTopology}. */
export interface ComputeOptions {
  now: number;
  /** A link reported longer ago than this is not live. */
  staleAfterMs: number;
  /** A neighbour not heard for longer than this is not live. @default 30000 */
  maxLastSeenMs?: number;
}

export interface TopoResult {
  gatewayId: string | null;
  nodes: (TopoNode & {
    reachable: boolean;
    hops: number | null;
    path: string[];
    path_quality: number | null;
  })[];
  links: (TopoLink & { quality: number; live: boolean })[];
}

/**
 * Computes each node's best path to the gateway over live links: the path
 * whose product of link qualities is highest (as batman-adv multiplies TQ
 * along a route; see {@linkcode bestPaths}). Links are treated as usable in
 * both directions; where both ends report, the worse direction counts.
 */
export function computeTopology(
  nodes: TopoNode[],
  links: TopoLink[],
  options: ComputeOptions,
): TopoResult {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const maxSeen = options.maxLastSeenMs ?? 30_000;
  const annotated = links.map((l) => {
    const a = byId.get(l.from), b = byId.get(l.to);
    const live = !!a && !!b && a.status === "online" && b.status === "online" &&
      options.now - l.updated_at <= options.staleAfterMs && l.last_seen_ms <= maxSeen;
    return { ...l, quality: linkQuality(l), live };
  });

  // Undirected edges, each rated by the worse of its live directions.
  const edges = new Map<string, RatedEdge>();
  for (const l of annotated) {
    if (!l.live || l.quality <= 0) continue;
    const [a, b] = l.from < l.to ? [l.from, l.to] : [l.to, l.from];
    const key = `${a}\u0000${b}`;
    const seen = edges.get(key);
    if (seen) seen.quality = Math.min(seen.quality, l.quality);
    else edges.set(key, { a, b, quality: Math.min(1, l.quality) });
  }
  const gateway = nodes.find((n) => n.role === "gateway" && n.status !== "decommissioned") ?? null;
  const paths = gateway ? bestPaths(gateway.id, edges.values()) : null;

  const result = nodes.map((n) => {
    const reachable = paths !== null && paths.hops.has(n.id) &&
      (n.status === "online" || n.id === gateway!.id);
    if (!reachable) return { ...n, reachable: false, hops: null, path: [], path_quality: null };
    return {
      ...n,
      reachable: true,
      hops: paths.hops.get(n.id)!,
      path: pathToRoot(paths, n.id),
      path_quality: paths.quality.get(n.id)!,
    };
  });
  return { gatewayId: gateway?.id ?? null, nodes: result, links: annotated };
}
