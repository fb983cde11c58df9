/**
 * Best paths through a mesh, as batman-adv routes: the path whose product of
 * link qualities is highest. The gateway rates live paths with it, the portal
 * the paths over every known link, and halo-field the paths it shows on a node.
 */

/** A link between two nodes, usable both ways, rated 0-1. */
export interface RatedEdge {
  a: string;
  b: string;
  /** 0-1; a link rated 0 still counts, as the worst possible. */
  quality: number;
}

/** Each node's best path to the root, for the nodes that have one. */
export interface BestPaths {
  /** The next hop towards the root; the root and the nodes without a path have none. */
  next: Map<string, string>;
  /** Hops to the root along the best path: 0 for the root. */
  hops: Map<string, number>;
  /** Product of the link qualities along the best path, 0-1: 1 for the root. */
  quality: Map<string, number>;
}

/** The quality a link rated 0 counts with, so its cost stays finite. */
const MIN_QUALITY = 1e-6;

/**
 * Each node's best path to `root` over `edges`: Dijkstra on −ln(quality), so
 * the cheapest path is the one whose product of qualities is highest. Among
 * equally good paths, the one found first (in the order of `edges`) wins.
 *
 * @example
 * ```ts
 * const paths = bestPaths("gw", [
 *   { a: "gw", b: "relay", quality: 0.9 },
 *   { a: "relay", b: "leaf", quality: 0.8 },
 * ]);
 * pathToRoot(paths, "leaf"); // ["leaf", "relay", "gw"]
 * paths.quality.get("leaf"); // ≈ 0.72
 * ```
 */
export function bestPaths(root: string, edges: Iterable<RatedEdge>): BestPaths {
  const adjacency = new Map<string, { to: string; cost: number }[]>();
  const connect = (from: string, to: string, cost: number) =>
    (adjacency.get(from) ?? adjacency.set(from, []).get(from)!).push({ to, cost });
  for (const e of edges) {
    const cost = -Math.log(Math.max(e.quality, MIN_QUALITY));
    connect(e.a, e.b, cost);
    connect(e.b, e.a, cost);
  }
  const dist = new Map([[root, 0]]);
  const hops = new Map([[root, 0]]);
  const next = new Map<string, string>();
  const done = new Set<string>();
  // Meshes are at most a few hundred nodes: a linear scan for the nearest is fast enough.
  while (true) {
    let current: string | null = null;
    for (const [id, d] of dist) {
      if (!done.has(id) && (current === null || d < dist.get(current)!)) current = id;
    }
    if (current === null) break;
    done.add(current);
    for (const e of adjacency.get(current) ?? []) {
      const d = dist.get(current)! + e.cost;
      if (d < (dist.get(e.to) ?? Infinity) - 1e-12) {
        dist.set(e.to, d);
        next.set(e.to, current);
        hops.set(e.to, hops.get(current)! + 1);
      }
    }
  }
  const quality = new Map([...dist].map(([id, d]) => [id, Math.exp(-d)]));
  return { next, hops, quality };
}

/** Node ids from `from` to the root along `paths`, `from` first; empty when it has no path. */
export function pathToRoot(paths: BestPaths, from: string): string[] {
  if (!paths.hops.has(from)) return [];
  const path = [from];
  for (let at = paths.next.get(from); at !== undefined; at = paths.next.get(at)) path.push(at);
  return path;
}
