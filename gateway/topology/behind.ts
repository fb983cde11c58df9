import type { TopoLink, TopoNode } from "./compute.ts";

/** Options for {@linkcode nodesBehind}. */
export interface BehindOptions {
  /** A link whose neighbour was last heard longer ago than this (at its report) is ignored. @default 30000 */
  maxLastSeenMs?: number;
}

/**
 * The nodes whose every path to the gateway runs through `nodeId`: the nodes
 * that lose the gateway when `nodeId` goes.
 *
 * Unlike {@linkcode computeTopology} this works on the last known links,
 * whatever the nodes' status and however old the reports: when a relay goes
 * offline the nodes behind it stop reporting too, so their links are stale and
 * they are offline, yet their last reports still say how they were connected.
 * Links count in both directions. A node with no known link to the gateway at
 * all is behind nothing.
 *
 * @example
 * ```ts
 * const store = new TopologyStore(db);
 * const cut = nodesBehind(store.nodes(), store.links(), relayId);
 * ```
 */
export function nodesBehind(
  nodes: readonly TopoNode[],
  links: readonly TopoLink[],
  nodeId: string,
  options: BehindOptions = {},
): Set<string> {
  const maxSeen = options.maxLastSeenMs ?? 30_000;
  const known = new Set(nodes.map((n) => n.id));
  const gateway = nodes.find((n) => n.role === "gateway" && n.status !== "decommissioned");
  if (!gateway || gateway.id === nodeId || !known.has(nodeId)) return new Set();
  const adjacency = new Map<string, string[]>();
  const connect = (a: string, b: string) =>
    (adjacency.get(a) ?? adjacency.set(a, []).get(a)!).push(b);
  for (const l of links) {
    if (!known.has(l.from) || !known.has(l.to) || l.last_seen_ms > maxSeen) continue;
    connect(l.from, l.to);
    connect(l.to, l.from);
  }
  const reach = (without: string | null) => {
    const seen = new Set([gateway.id]);
    const stack = [gateway.id];
    while (stack.length) {
      for (const next of adjacency.get(stack.pop()!) ?? []) {
        if (next !== without && !seen.has(next)) (seen.add(next), stack.push(next));
      }
    }
    return seen;
  };
  const withIt = reach(null);
  const withoutIt = reach(nodeId);
  return new Set([...withIt].filter((id) => id !== nodeId && !withoutIt.has(id)));
}
