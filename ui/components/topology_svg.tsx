import { type GraphNode, percent, qualityBand } from "../lib/topology_graph.ts";
import type { LaidOutGraph } from "../lib/topology_layout.ts";

/** Props of {@linkcode TopologySvg}. */
export interface TopologySvgProps {
  graph: LaidOutGraph;
  /** Key of the link whose history is open. */
  selected: string | null;
  /** The URL that opens a link's history (works without script too). */
  edgeHref: (key: string) => string;
  onEdge?: (key: string, event: Event) => void;
}

const NODE_R = 9;
const GATEWAY_R = 14;

/** A node's state in words, for its label and the table. */
export function nodeState(n: GraphNode, names: Map<string, string>): string {
  const parts: string[] = [n.status];
  if (n.behind) parts.push(`behind offline ${names.get(n.behind) ?? n.behind}`);
  else if (n.status === "online" && !n.reachable && n.role !== "gateway") {
    parts.push("no path to the gateway");
  }
  return parts.join(", ");
}

/**
 * The mesh as SVG: links coloured and sized by quality (dashed when not
 * live), nodes marked by status, offline nodes crossed, nodes cut off
 * behind an offline node ringed. Nodes link to their page; links to their
 * history. Only SVG attributes and classes: the CSP allows no inline style.
 */
export function TopologySvg({ graph, selected, edgeHref, onEdge }: TopologySvgProps) {
  const at = new Map(graph.nodes.map((n) => [n.id, n]));
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const { x, y, width, height } = graph.viewBox;
  return (
    <svg
      class="topo-svg"
      viewBox={`${x} ${y} ${width} ${height}`}
      width={width}
      height={height}
      role="group"
      aria-label="Mesh graph: nodes link to their page, links open their quality history"
      data-testid="topology-graph"
    >
      <g class="topo-edges">
        {graph.edges.map((e) => {
          const a = at.get(e.a)!, b = at.get(e.b)!;
          const band = qualityBand(e);
          const label = `Link ${a.name} – ${b.name}: quality ${percent(e.quality)}, ${band.label}`;
          return (
            <a
              key={e.key}
              href={edgeHref(e.key)}
              class={`topo-edge q-${band.band}${e.key === selected ? " selected" : ""}`}
              aria-label={`${label}. Show its history`}
              data-edge={e.key}
              onClick={onEdge ? (ev) => onEdge(e.key, ev) : undefined}
            >
              <title>{label}</title>
              <line class="hit" x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
              <line
                class="line"
                x1={a.x}
                y1={a.y}
                x2={b.x}
                y2={b.y}
                strokeWidth={(1.5 + 4.5 * e.quality).toFixed(1)}
              />
            </a>
          );
        })}
      </g>
      <g class="topo-nodes">
        {graph.nodes.map((n) => {
          const r = n.role === "gateway" ? GATEWAY_R : NODE_R;
          const state = nodeState(n, names);
          const classes = [
            "topo-node",
            n.status,
            n.role === "gateway" ? "gateway" : "",
            n.behind ? "behind" : "",
          ].filter(Boolean).join(" ");
          return (
            <a
              key={n.id}
              href={`/nodes/${encodeURIComponent(n.id)}`}
              class={classes}
              aria-label={`${n.name}${n.role === "gateway" ? " (gateway)" : ""}: ${state}${
                n.hops !== null ? `, ${n.hops} hop${n.hops === 1 ? "" : "s"}` : ""
              }. Open its page`}
              data-node={n.id}
            >
              <title>{`${n.name}: ${state}`}</title>
              {n.behind && <circle class="ring" cx={n.x} cy={n.y} r={r + 5} />}
              <circle class="mark" cx={n.x} cy={n.y} r={r} />
              {n.status === "offline" && (
                <path
                  class="cross"
                  d={`M${n.x - 4} ${n.y - 4}L${n.x + 4} ${n.y + 4}M${n.x + 4} ${n.y - 4}L${
                    n.x - 4
                  } ${n.y + 4}`}
                />
              )}
              <text x={n.x} y={n.y + r + 14} textAnchor="middle">{n.name}</text>
            </a>
          );
        })}
      </g>
    </svg>
  );
}
