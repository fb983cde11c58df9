import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { TopologyPage } from "../../../ui/pages/topology.tsx";
import { buildGraph, edgeKey, parseEdgeKey } from "../../../ui/lib/topology_graph.ts";
import { historyRange } from "../../../ui/lib/topology_history.ts";
import { layoutGraph } from "../../../ui/lib/topology_layout.ts";
import type { LinkHistory, Topology } from "../../../ui/lib/topology_types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";
import { PortalApiError } from "../api_bridge.ts";

/** `/topology`: the mesh graph; `?link=a~b&range=6h` opens a link's history. */
export function registerTopology(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/topology", "topology", async ({ api, session, deps, c }) => {
    const topology = await api.get<Topology>("/v1/topology");
    // Laid out here, with the same module every render, so the page shows the
    // graph before (and without) any script.
    const graph = layoutGraph(buildGraph(topology));
    const asked = parseEdgeKey(c.req.query("link"));
    const selected = asked && graph.edges.find((e) => e.key === edgeKey(asked.a, asked.b));
    const range = historyRange(c.req.query("range"));
    const now = deps.clock.now();
    let history: LinkHistory | null = null;
    let historyError: string | null = null;
    if (selected) {
      try {
        history = await api.get<LinkHistory>(
          `/v1/topology/links/${encodeURIComponent(selected.a)}/${
            encodeURIComponent(selected.b)
          }/history?from=${now - range.ms}&to=${now}`,
        );
      } catch (error) {
        // The graph is still worth showing when only the history cannot be read.
        if (!(error instanceof PortalApiError)) throw error;
        historyError = error.message;
      }
    }
    return {
      title: "Topology",
      body: (
        <TopologyPage
          session={session}
          data={{
            graph,
            now,
            selected: selected ? selected.key : null,
            range: range.id,
            history,
            historyError,
          }}
        />
      ),
    };
  });
}
