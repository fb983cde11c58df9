import type { Hono } from "hono";
import type { AppEnv } from "../../api/context.ts";
import { TelemetryPage } from "../../../ui/pages/telemetry.tsx";
import type { NodeSummary } from "../../../ui/lib/types.ts";
import type { CatalogueEntry, MetricInfo } from "../../../ui/lib/telemetry_types.ts";
import { definePage, type PortalContext } from "../page_route.tsx";

/** Picks from a comma-separated list the ones known; the rest are named in a notice. */
function picks(text: string | undefined, known: Set<string>, what: string, notices: string[]) {
  const asked = (text ?? "").split(",").filter(Boolean);
  const unknown = asked.filter((v) => !known.has(v));
  if (unknown.length) notices.push(`Unknown ${what} ignored: ${unknown.join(", ")}.`);
  return [...new Set(asked.filter((v) => known.has(v)))];
}

/** `/telemetry`: the explorer, preselecting `?node=…&metric=…`. */
export function registerTelemetry(app: Hono<AppEnv>, ctx: PortalContext): void {
  definePage(app, ctx, "/telemetry", "telemetry", async ({ api, session, c }) => {
    const [nodes, metrics, catalogue] = await Promise.all([
      api.get<{ nodes: NodeSummary[] }>("/v1/nodes"),
      api.get<{ metrics: MetricInfo[] }>("/v1/telemetry/metrics"),
      api.get<{ metrics: CatalogueEntry[] }>("/v1/telemetry/catalogue"),
    ]);
    const meaning = new Map(catalogue.metrics.map((m) => [m.name, m.description]));
    const notices: string[] = [];
    const selectedNodes = picks(
      c.req.query("node"),
      new Set(nodes.nodes.map((n) => n.id)),
      "nodes",
      notices,
    );
    const selectedMetrics = picks(
      c.req.query("metric"),
      new Set(metrics.metrics.map((m) => m.metric)),
      "metrics",
      notices,
    );
    return {
      title: "Telemetry",
      body: (
        <TelemetryPage
          session={session}
          notices={notices}
          explorer={{
            nodes: nodes.nodes.map((n) => ({ id: n.id, name: n.name })),
            metrics: metrics.metrics.map((m) => ({
              metric: m.metric,
              unit: m.unit,
              node_count: m.nodes.length,
              description: meaning.get(m.metric) ?? null,
            })),
            selected: { nodes: selectedNodes, metrics: selectedMetrics },
          }}
        />
      ),
    };
  });
}
