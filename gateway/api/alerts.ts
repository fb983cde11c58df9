import { z } from "zod";
import {
  decimalInteger,
  intIdSchema,
  nodeIdSchema,
  timestampSchema,
} from "../../lib/schemas/common.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonResponse, refused, route } from "./route.ts";

const alertSchema = z.object({
  id: z.number().int(),
  flow_id: z.number().int().nullable(),
  flow_name: z.string().nullable(),
  execution_id: z.number().int().nullable(),
  node_id: z.string().nullable(),
  node_name: z.string().nullable(),
  severity: z.enum(["info", "warning", "critical"]),
  message: z.string(),
  status: z.enum(["open", "acknowledged", "resolved"]),
  auto_resolve: z.boolean(),
  parent_id: z.number().int().nullable().describe(
    "The root-cause alert this one is grouped under: its node's only path to the gateway runs through that alert's offline node",
  ),
  children: z.array(z.number().int()).describe(
    "Ids of the alerts grouped under this one (root cause); their notifications were suppressed",
  ),
  silenced: z.boolean().describe("Raised during a silence (maintenance window)"),
  opened_at: timestampSchema,
  acknowledged_at: timestampSchema.nullable(),
  acknowledged_by: z.string().nullable(),
  resolved_at: timestampSchema.nullable(),
  resolved_by: z.string().nullable(),
});

const idParams = z.object({ id: intIdSchema });

/** Alerts raised by flows: list, acknowledge, resolve. */
export function alertsApi(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/alerts",
      tags: ["alerts"],
      summary: "Alerts, newest first (default: open and acknowledged)",
      request: {
        query: z.object({
          status: z.string().regex(
            /^(open|acknowledged|resolved)(,(open|acknowledged|resolved))*$/,
            {
              message: "comma-separated: open, acknowledged, resolved",
            },
          ).default("open,acknowledged"),
          node: nodeIdSchema.optional(),
          top_level: z.enum(["true", "false"]).default("false").describe(
            "true: only alerts not grouped under a root-cause alert",
          ),
          limit: decimalInteger(z.number().int().min(1).max(1000)).default(200),
          before_id: decimalInteger(z.number().int().positive()).optional(),
        }),
      },
      responses: { 200: jsonResponse(z.object({ alerts: z.array(alertSchema) }), "Alerts") },
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
        request: { params: idParams },
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
