import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { NodeDetailPage } from "../../../ui/pages/node_detail.tsx";
import type { HaloEvent, NodeDetail } from "../../../ui/lib/types.ts";
import type { CatalogueEntry, LatestValue, MetricInfo } from "../../../ui/lib/telemetry_types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

const EVENT_LIMIT = 20;

/** `/nodes/:id`: one node's facts, children, events and charts. */
export function registerNodeDetail(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/nodes/:id", "nodes", async ({ api, session, deps, c }) => {
    // The API validates the id (400 for a malformed one, 404 for an unknown one).
    const id = encodeURIComponent(c.req.param("id") ?? "");
    const node = await api.get<NodeDetail>(`/v1/nodes/${id}`);
    const [events, metrics, latest, catalogue] = await Promise.all([
      api.get<{ events: HaloEvent[] }>(`/v1/events?node=${node.id}&limit=${EVENT_LIMIT}`),
      api.get<{ metrics: MetricInfo[] }>("/v1/telemetry/metrics"),
      api.get<{ series: LatestValue[] }>(`/v1/telemetry/latest?node=${node.id}`),
      api.get<{ metrics: CatalogueEntry[] }>("/v1/telemetry/catalogue"),
    ]);
    const meaning = new Map(catalogue.metrics.map((m) => [m.name, m.description]));
    return {
      title: node.name,
      body: (
        <NodeDetailPage
          session={session}
          node={node}
          events={events.events}
          chart={{
            nodeId: node.id,
            nodeName: node.name,
            metrics: metrics.metrics.filter((m) => m.nodes.includes(node.id))
              .map((m) => ({
                metric: m.metric,
                unit: m.unit,
                description: meaning.get(m.metric) ?? null,
              })),
            latest: latest.series,
          }}
          now={deps.clock.now()}
        />
      ),
    };
  });
}
