import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { NodesPage } from "../../../ui/pages/nodes.tsx";
import { parseNodesQuery } from "../../../ui/lib/nodes_list.ts";
import type { NodeSummary } from "../../../ui/lib/types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/nodes`: the node inventory, sorted and filtered on the server. */
export function registerNodes(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/nodes", "nodes", async ({ api, session, deps, c }) => {
    const { query, notices } = parseNodesQuery(new URL(c.req.url).searchParams);
    const [nodes, meshes] = await Promise.all([
      api.get<{ nodes: NodeSummary[] }>("/v1/nodes?include_decommissioned=true"),
      api.get<{ meshes: { ssid: string }[] }>("/v1/meshes"),
    ]);
    return {
      title: "Nodes",
      body: (
        <NodesPage
          session={session}
          nodes={nodes.nodes}
          meshes={meshes.meshes.map((m) => m.ssid).sort()}
          query={query}
          notices={notices}
          now={deps.clock.now()}
        />
      ),
    };
  });
}
