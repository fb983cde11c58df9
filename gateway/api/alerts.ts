import { alertListSchema, alertSchema, listAlertsQuerySchema } from "../../lib/schemas/alerts.ts";
import { idParamsSchema } from "../../lib/schemas/common.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonResponse, refused, route } from "./route.ts";

/** Alerts raised by flows: list, acknowledge, resolve. */
export function alertsApi(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/alerts",
      tags: ["alerts"],
      summary: "Alerts, newest first (default: open and acknowledged)",
      request: { query: listAlertsQuerySchema },
      responses: { 200: jsonResponse(alertListSchema, "Alerts") },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json({
        alerts: deps.alerts.list({
          status: q.status.split(","),
          nodeId: q.node,
          topLevel: q.top_level === "true",
          limit: q.limit,
          beforeId: q.before_id,
        }),
      }, 200);
    },
  );

  for (const action of ["acknowledge", "resolve"] as const) {
    app.openapi(
      route("operator", {
        method: "post",
        path: `/alerts/{id}/${action}`,
        tags: ["alerts"],
        summary: action === "acknowledge" ? "Acknowledge an open alert" : "Resolve an alert",
        request: { params: idParamsSchema },
        responses: {
          200: jsonResponse(alertSchema, "The alert"),
          404: refused("Unknown alert"),
        },
      }),
      (c) => {
        const { id } = c.req.valid("param");
        const actor = actorOf(c);
        const now = deps.clock.now();
        const alert = action === "acknowledge"
          ? deps.alerts.acknowledge(id, actor.name, now)
          : deps.alerts.resolve(id, actor.name, now);
        if (!alert) throw notFound(`Alert ${id}`);
        deps.audit.record(actor, `alert.${action}`, `alert:${id}`);
        return c.json(alert, 200);
      },
    );
  }

  return app;
}
