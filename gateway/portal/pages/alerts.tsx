import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { AlertsPage } from "../../../ui/pages/alerts.tsx";
import { alertView } from "../../../ui/lib/alerts_groups.ts";
import type { Alert, Silence } from "../../../ui/lib/alerts_types.ts";
import type { NodeSummary } from "../../../ui/lib/types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** Alerts a view lists at most (the API's own maximum is 1000). */
const LIMIT = 300;

/** `/alerts?status=open|acknowledged|resolved|all` (default: open and acknowledged). */
export function registerAlerts(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/alerts", "alerts", async ({ api, session, deps, c }) => {
    const view = alertView(c.req.query("status"));
    const [alerts, silences, nodes, flows] = await Promise.all([
      api.get<{ alerts: Alert[] }>(`/v1/alerts?status=${view.statuses.join(",")}&limit=${LIMIT}`),
      api.get<{ silences: Silence[] }>("/v1/silences"),
      // Names for the silences and the choices of the silence form.
      api.get<{ nodes: NodeSummary[] }>("/v1/nodes"),
      api.get<{ flows: { id: number; name: string }[] }>("/v1/flows"),
    ]);
    const active = nodes.nodes.filter((n) => n.status !== "decommissioned");
    return {
      title: "Alerts",
      body: (
        <AlertsPage
          session={session}
          view={view}
          alerts={alerts.alerts}
          limit={LIMIT}
          silences={silences.silences}
          choices={{
            nodes: active.map((n) => ({ id: n.id, name: n.name })),
            flows: flows.flows.map((f) => ({ id: f.id, name: f.name })),
            tags: [...new Set(active.flatMap((n) => n.tags))].sort(),
          }}
          now={deps.clock.now()}
        />
      ),
    };
  });
}
