import {
  linkHistoryQuerySchema,
  linkHistorySchema,
  linkParamsSchema,
  topologySchema,
} from "../../lib/schemas/topology.ts";
import { computeTopology } from "../topology/compute.ts";
import { TopologyStore } from "../topology/topology_store.ts";
import { iso } from "../store/time.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { badRequest } from "./errors.ts";
import { jsonResponse, route } from "./route.ts";

/** The mesh graph, each node's path to the gateway, and link-quality history. */
export function topologyApi(deps: GatewayDeps) {
  const store = new TopologyStore(deps.db, deps.live);
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/topology",
      tags: ["topology"],
      summary: "Nodes, links, and each node's path and hop count to the gateway",
      responses: { 200: jsonResponse(topologySchema, "Topology") },
    }),
    (c) => {
      const now = deps.clock.now();
      const { report_interval_s, offline_after_missed } = deps.settings.get();
      const result = computeTopology(store.nodes(), store.links(), {
        now,
        staleAfterMs: report_interval_s * offline_after_missed * 1000,
      });
      return c.json({
        gateway_id: result.gatewayId,
        computed_at: iso(now),
        nodes: result.nodes,
        links: result.links.map((l) => ({
          from: l.from,
          to: l.to,
          iface: l.iface,
          tq: l.tq,
          throughput_kbps: l.throughput_kbps,
          signal_dbm: l.signal_dbm,
          quality: l.quality,
          live: l.live,
          updated_at: iso(l.updated_at),
        })),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/topology/links/{a}/{b}/history",
      tags: ["topology"],
      summary:
        "Quality history of the link between two nodes, both directions (default: last 24 h)",
      request: {
        params: linkParamsSchema,
        query: linkHistoryQuerySchema,
      },
      responses: { 200: jsonResponse(linkHistorySchema, "History") },
    }),
    (c) => {
      const { a, b } = c.req.valid("param");
      const q = c.req.valid("query");
      const to = q.to ?? deps.clock.now();
      const from = q.from ?? to - 86_400_000;
      if (from > to) {
        throw badRequest("from must not be after to", [{
          path: "query.from",
          message: "after to",
        }]);
      }
      const points = store.history(a, b, from, to).map((r) => ({
        ts: iso(r.ts),
        from: r.from_node,
        to: r.to_node,
        tq: r.tq,
        throughput_kbps: r.throughput_kbps,
        signal_dbm: r.signal_dbm,
      }));
      return c.json({ a, b, points }, 200);
    },
  );

  return app;
}
