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
 * Link quality 0-1: batman-adv's TQ when known, else a signal-based estimate
 * (-100 dBm ≈ 0, -50 dBm and above ≈ 1), else 0.5.
 */
export function linkQuality(link: Pick<TopoLink, "tq" | "signal_dbm">): number {
  if (link.tq !== null) return link.tq / 255;
  if (link.signal_dbm !== null) return Math.min(1, Math.max(0, (link.signal_dbm + 100) / 50));
  return 0.5;
}

/**
 * Computes each node's best path to the gateway over live links: the path
 * whose product of link qualities is highest (as batman-adv multiplies TQ
 * along a route), found with Dijkstra on −ln(quality). Links are treated as
 * usable in both directions; where both ends report, the worse direction counts.
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

  // Undirected adjacency with the worse of the two directions.
  const edge = new Map<string, number>();
  const key = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const l of annotated) {
    if (!l.live || l.quality <= 0) continue;
    const k = key(l.from, l.to);
    edge.set(k, Math.min(edge.get(k) ?? 1, l.quality));
  }
  const adjacency = new Map<string, { to: string; cost: number; quality: number }[]>();
  for (const [k, q] of edge) {
    const [a, b] = k.split("\u0000") as [string, string];
    const cost = -Math.log(Math.max(q, 1e-6));
    (adjacency.get(a) ?? adjacency.set(a, []).get(a)!).push({ to: b, cost, quality: q });
    (adjacency.get(b) ?? adjacency.set(b, []).get(b)!).push({ to: a, cost, quality: q });
  }

  const gateway = nodes.find((n) => n.role === "gateway" && n.status !== "decommissioned") ?? null;
  const dist = new Map<string, number>();
  const next = new Map<string, string>(); // next hop towards the gateway
  if (gateway) {
    dist.set(gateway.id, 0);
    const done = new Set<string>();
    // Networks are at most a few hundred nodes: a linear scan for the minimum is fast enough.
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
        }
      }
    }
  }

  const result = nodes.map((n) => {
    const reachable = gateway !== null && dist.has(n.id) &&
      (n.status === "online" || n.id === gateway.id);
    if (!reachable) return { ...n, reachable: false, hops: null, path: [], path_quality: null };
    const path = [n.id];
    for (let at = n.id; at !== gateway!.id;) {
      at = next.get(at)!;
      path.push(at);
    }
    return {
      ...n,
      reachable: true,
      hops: path.length - 1,
      path,
      path_quality: Math.exp(-dist.get(n.id)!),
    };
  });
  return { gatewayId: gateway?.id ?? null, nodes: result, links: annotated };
}
