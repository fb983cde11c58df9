import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { OverviewPage } from "../../../ui/pages/overview.tsx";
import type { LiveOverviewProps } from "../../../ui/islands/live_overview.tsx";
import type { Alert, HaloEvent, Health, NodeSummary } from "../../../ui/lib/types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** `/`: the overview. */
export function registerOverview(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/", "overview", async ({ api, session, deps }) => {
    const [nodes, alerts, health, meshes, events] = await Promise.all([
      api.get<{ nodes: NodeSummary[] }>("/v1/nodes"),
      api.get<{ alerts: Alert[] }>("/v1/alerts?top_level=true"),
      api.get<Health>("/health"),
      api.get<{ meshes: LiveOverviewProps["meshes"] }>("/v1/meshes"),
      api.get<{ events: HaloEvent[] }>("/v1/events?limit=15"),
    ]);
    const data: LiveOverviewProps = {
      nodes: nodes.nodes,
      alerts: alerts.alerts,
      health,
      meshes: meshes.meshes.map((m) => ({ id: m.id, ssid: m.ssid })),
      events: events.events,
      now: deps.clock.now(),
    };
    return { title: "Overview", body: <OverviewPage session={session} data={data} /> };
  });
}
