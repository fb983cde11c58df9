import { nodeIdParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  listNodesQuerySchema,
  nodeDetailSchema,
  nodeListSchema,
  updateNodeSchema,
} from "../../lib/schemas/nodes.ts";
import { nodeReportSchema, reportResponseSchema } from "../../lib/schemas/report.ts";
import { applyReport } from "../nodes/apply_report.ts";
import { MeshStore } from "../store/meshes.ts";
import { NodeStore } from "../store/nodes.ts";
import { actorOf, assertOwnNode } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** Nodes: inventory, detail, rename/tag/mesh, decommission, and the agents' reports. */
export function nodesApi(deps: GatewayDeps) {
  const nodes = new NodeStore(deps.db, deps.live);
  const meshes = new MeshStore(deps.db);
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/nodes",
      tags: ["nodes"],
      summary: "List nodes",
      request: { query: listNodesQuerySchema },
      responses: { 200: jsonResponse(nodeListSchema, "Nodes") },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json({
        nodes: nodes.list({
          status: q.status,
          role: q.role,
          tag: q.tag,
          mesh: q.mesh,
          includeDecommissioned: q.include_decommissioned === "true",
        }),
      }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/nodes/{id}",
      tags: ["nodes"],
      summary: "A node with its interfaces, sensors, clients, overlay peers and neuron components",
      request: { params: nodeIdParamsSchema },
      responses: {
        200: jsonResponse(nodeDetailSchema, "The node"),
        404: refused("Unknown node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const node = nodes.detail(id);
      if (!node) throw notFound(`Node ${id}`);
      return c.json(node, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "patch",
      path: "/nodes/{id}",
      tags: ["nodes"],
      summary: "Rename a node, set its tags or its mesh",
      request: { params: nodeIdParamsSchema, body: jsonBody(updateNodeSchema) },
      responses: {
        200: jsonResponse(nodeDetailSchema, "Updated"),
        404: refused("Unknown or decommissioned node"),
        409: refused("Another node has that name"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      deps.events.atomically(() => {
        const row = nodes.row(id);
        if (!row || row.decommissioned_at !== null) throw notFound(`Node ${id}`);
        const now = deps.clock.now();
        const changes: Record<string, unknown> = {};
        if (body.name !== undefined && body.name !== row.name) {
          if (nodes.nameTaken(body.name, id)) throw conflict(`Node name "${body.name}" is taken`);
          nodes.rename(id, body.name, now);
          changes.name = { from: row.name, to: body.name };
        }
        if (body.tags !== undefined) {
          nodes.setTags(id, body.tags);
          changes.tags = body.tags;
        }
        if (body.mesh_id !== undefined) {
          if (body.mesh_id !== null && !meshes.exists(body.mesh_id)) {
            throw new ApiError(400, "validation_failed", `Mesh ${body.mesh_id} does not exist`, [
              { path: "body.mesh_id", message: "no such mesh; see GET /v1/meshes" },
            ]);
          }
          nodes.setMesh(id, body.mesh_id, now);
          changes.mesh_id = body.mesh_id;
        }
        deps.audit.record(actorOf(c), "node.update", id, changes);
      });
      return c.json(nodes.detail(id)!, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/nodes/{id}/decommission",
      tags: ["nodes"],
      summary:
        "Decommission a node: revoke its agent token and hide it from live views; history stays",
      request: { params: nodeIdParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Decommissioned"),
        404: refused("Unknown or already decommissioned node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const row = nodes.row(id);
        if (!row || row.decommissioned_at !== null) throw notFound(`Live node ${id}`);
        nodes.decommission(id, deps.clock.now());
        deps.live.delete(id);
        deps.events.record("decommissioned", id, `${row.name} decommissioned`, {
          by: actorOf(c).name,
        });
        deps.audit.record(actorOf(c), "node.decommission", id, { name: row.name });
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("agent", {
      method: "post",
      path: "/nodes/{id}/report",
      tags: ["nodes"],
      summary: "A node's periodic status report (its own agent token only)",
      description: "The answer carries the gateway's clock for nodes without a real-time clock.",
      request: { params: nodeIdParamsSchema, body: jsonBody(nodeReportSchema) },
      responses: { 200: jsonResponse(reportResponseSchema, "Stored") },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      assertOwnNode(c, id);
      const report = c.req.valid("json");
      const row = nodes.row(id);
      if (!row || row.decommissioned_at !== null) throw notFound(`Live node ${id}`);
      const now = deps.clock.now();
      const events = applyReport(deps, row, report, now);
      return c.json({
        gateway_time_ms: now,
        report_interval_s: deps.settings.get().report_interval_s,
        events,
      }, 200);
    },
  );

  return app;
}
