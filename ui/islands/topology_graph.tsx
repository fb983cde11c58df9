/// <reference lib="dom" />
import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { LinkHistoryPanel } from "../components/topology_link_history.tsx";
import { nodeState, TopologySvg } from "../components/topology_svg.tsx";
import { api, ApiProblem } from "../lib/api.ts";
import { ago } from "../lib/format.ts";
import { parseEdgeKey, percent, qualityBand } from "../lib/topology_graph.ts";
import { historyRange, type HistoryRangeId } from "../lib/topology_history.ts";
import type { LaidOutGraph } from "../lib/topology_layout.ts";
import type { LinkHistory } from "../lib/topology_types.ts";

/** Props of {@linkcode TopologyGraph}: the laid-out graph and the open link, from the server. */
export interface TopologyGraphProps {
  graph: LaidOutGraph;
  /** Server time of the render, so the first client render matches it. */
  now: number;
  /** Key (`a~b`) of the link whose history is open. */
  selected: string | null;
  range: HistoryRangeId;
  history: LinkHistory | null;
  historyError: string | null;
}

/** The URL that shows link `key`'s history over `range`: the page works without script too. */
export function linkHref(key: string, range: HistoryRangeId = "24h"): string {
  const r = range === "24h" ? "" : `&range=${range}`;
  return `/topology?link=${encodeURIComponent(key)}${r}#link-history`;
}

/**
 * The topology page's interactive part: the graph (rendered on the server
 * with its layout, so it shows before this hydrates), a link's quality
 * history opened in place, and the nodes and links as tables.
 */
export default function TopologyGraph(props: TopologyGraphProps) {
  const { graph } = props;
  const selected = useSignal(props.selected);
  const range = useSignal<HistoryRangeId>(props.range);
  const linkHistory = useSignal(props.history);
  const loading = useSignal(false);
  const error = useSignal(props.historyError);
  const focusPanel = useSignal(false);
  const request = useRef(0);

  const names = useComputed(() => new Map(graph.nodes.map((n) => [n.id, n.name])));
  const edge = useComputed(() => graph.edges.find((e) => e.key === selected.value) ?? null);

  useEffect(() => {
    if (focusPanel.value && edge.value) {
      document.getElementById("link-history-h")?.focus();
      focusPanel.value = false;
    }
  });

  async function show(key: string, r: HistoryRangeId, event: Event) {
    const ends = parseEdgeKey(key);
    if (!ends) return;
    event.preventDefault();
    const mine = ++request.current;
    const opening = selected.value !== key;
    selected.value = key;
    range.value = r;
    loading.value = true;
    error.value = null;
    history.replaceState(null, "", linkHref(key, r));
    if (opening) (linkHistory.value = null, focusPanel.value = true);
    try {
      const from = Date.now() - historyRange(r).ms;
      const result = await api<LinkHistory>(
        "GET",
        `/v1/topology/links/${encodeURIComponent(ends.a)}/${
          encodeURIComponent(ends.b)
        }/history?from=${from}`,
      );
      if (mine === request.current) linkHistory.value = result;
    } catch (e) {
      if (mine === request.current) {
        linkHistory.value = null;
        error.value = e instanceof ApiProblem ? e.message : String(e);
      }
    } finally {
      if (mine === request.current) loading.value = false;
    }
  }

  function close(event: Event) {
    event.preventDefault();
    const key = selected.value;
    request.current++;
    selected.value = null;
    linkHistory.value = null;
    history.replaceState(null, "", "/topology");
    if (key) document.querySelector<SVGAElement>(`[data-edge="${CSS.escape(key)}"]`)?.focus();
  }

  const offline = graph.nodes.filter((n) => n.status === "offline");
  const behind = graph.nodes.filter((n) => n.behind);
  const roots = offline.filter((n) => !n.behind);
  const stale = graph.edges.filter((e) => !e.live).length;
  const nameOf = (id: string) => names.value.get(id) ?? id;

  return (
    <div class="topology">
      <section class="stats" aria-label="Mesh at a glance">
        <div class="stat">
          <span class="value">{graph.nodes.length}</span>
          <span class="label">nodes</span>
        </div>
        <div class={offline.length ? "stat bad" : "stat ok"}>
          <span class="value">{offline.length}</span>
          <span class="label">offline</span>
        </div>
        <div class={behind.length ? "stat bad" : "stat"}>
          <span class="value">{behind.length}</span>
          <span class="label">behind an offline node</span>
        </div>
        <div class="stat">
          <span class="value">{graph.edges.length}</span>
          <span class="label">links{stale ? ` (${stale} not live)` : ""}</span>
        </div>
      </section>

      {roots.length > 0 && (
        <ul class="notice bad topo-causes" data-testid="offline-causes">
          {roots.map((n) => {
            const cut = behind.filter((b) => b.behind === n.id).length;
            return (
              <li key={n.id}>
                <a href={`/nodes/${encodeURIComponent(n.id)}`}>{n.name}</a> is offline
                {cut > 0 && `; ${cut} node${cut === 1 ? "" : "s"} behind it lost the gateway`}.
              </li>
            );
          })}
        </ul>
      )}

      <section class="panel topo-graph" aria-labelledby="topo-graph-h">
        <h2 id="topo-graph-h">Graph</h2>
        {graph.nodes.length === 0 ? <p class="empty">No nodes have enrolled yet.</p> : (
          <>
            <TopologySvg
              graph={graph}
              selected={selected.value}
              edgeHref={(key) => linkHref(key, range.value)}
              onEdge={(key, e) => void show(key, range.value, e)}
            />
            <ul class="topo-legend" aria-label="Legend">
              <li>
                <span class="swatch q-good" aria-hidden="true" /> good link (≥ 70 %)
              </li>
              <li>
                <span class="swatch q-fair" aria-hidden="true" /> fair (40–70 %)
              </li>
              <li>
                <span class="swatch q-poor" aria-hidden="true" /> poor (&lt; 40 %)
              </li>
              <li>
                <span class="swatch q-stale" aria-hidden="true" /> not live
              </li>
              <li>
                <span class="dot offline" aria-hidden="true" /> offline node
              </li>
              <li>
                <span class="dot behind" aria-hidden="true" /> behind an offline node
              </li>
            </ul>
            <p class="muted">
              Thicker links are better. Computed {ago(graph.computedAt, props.now)};{" "}
              <a href="/topology">refresh</a>.
            </p>
          </>
        )}
      </section>

      {edge.value && (
        <LinkHistoryPanel
          edge={edge.value}
          names={Object.fromEntries(names.value)}
          range={range.value}
          history={linkHistory.value}
          loading={loading.value}
          error={error.value}
          now={props.now}
          hrefFor={(r) => linkHref(edge.value!.key, r)}
          onRange={(r, e) => void show(edge.value!.key, r, e)}
          onClose={close}
        />
      )}

      <section aria-labelledby="topo-nodes-h">
        <h2 id="topo-nodes-h">Nodes</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="topo-nodes-h">
          <table data-testid="topology-nodes">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">Hops</th>
                <th scope="col">Path to the gateway</th>
                <th scope="col" class="num">Path quality</th>
              </tr>
            </thead>
            <tbody>
              {graph.nodes.map((n) => (
                <tr key={n.id}>
                  <td>
                    <a href={`/nodes/${encodeURIComponent(n.id)}`}>{n.name}</a>
                    {n.role === "gateway" && <span class="muted topo-role">(gateway)</span>}
                  </td>
                  <td>
                    <span class={`badge ${n.status}`}>{n.status}</span>
                    {n.behind && <span class="badge behind">behind {nameOf(n.behind)}</span>}
                  </td>
                  <td class="num">{n.hops ?? "—"}</td>
                  <td>
                    {n.path.length > 1
                      ? n.path.slice(1).map(nameOf).join(" → ")
                      : n.role === "gateway"
                      ? "—"
                      : <span class="muted">{nodeState(n, names.value)}</span>}
                  </td>
                  <td class="num">{percent(n.path_quality)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="topo-links-h">
        <h2 id="topo-links-h">Links</h2>
        {graph.edges.length === 0
          ? <p class="empty">No links reported yet.</p>
          : (
            <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="topo-links-h">
              <table data-testid="topology-links">
                <thead>
                  <tr>
                    <th scope="col">Link</th>
                    <th scope="col" class="num">Quality</th>
                    <th scope="col" class="num">TQ</th>
                    <th scope="col" class="num">Signal</th>
                    <th scope="col">State</th>
                    <th scope="col">Reported</th>
                    <th scope="col">History</th>
                  </tr>
                </thead>
                <tbody>
                  {graph.edges.map((e) => {
                    const band = qualityBand(e);
                    const label = `${nameOf(e.a)} – ${nameOf(e.b)}`;
                    return (
                      <tr key={e.key} class={e.key === selected.value ? "selected" : undefined}>
                        <td>{label}</td>
                        <td class="num">{percent(e.quality)}</td>
                        <td class="num">{e.tq ?? "—"}</td>
                        <td class="num">{e.signal_dbm === null ? "—" : `${e.signal_dbm} dBm`}</td>
                        <td>
                          <span class={`badge q-${band.band}`}>{band.label}</span>
                        </td>
                        <td>{ago(e.updated_at, props.now)}</td>
                        <td>
                          <a
                            href={linkHref(e.key, range.value)}
                            aria-label={`History of link ${label}`}
                            onClick={(ev) =>
                              void show(e.key, range.value, ev)}
                          >
                            History
                          </a>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
      </section>
    </div>
  );
}
