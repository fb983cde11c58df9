import { flowVersionParamsSchema, flowVersionSchema } from "../../lib/schemas/flows_api.ts";
import { FlowStore } from "../flows/flow_store.ts";
import { iso } from "../store/time.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonResponse, refused, route } from "./route.ts";

/** A flow's saved versions: `/v1/flows/{id}/versions/{version}`, as executions ran them. */
export function flowVersionsApi(deps: GatewayDeps) {
  const app = apiApp();
  const flows = new FlowStore(deps.db);

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/{id}/versions/{version}",
      tags: ["flows"],
      summary: "A saved version of a flow, as an execution of that version ran it",
      description:
        "Secret fields (webhook URLs, secret header values) are masked, as in GET /v1/flows/{id}.",
      request: { params: flowVersionParamsSchema },
      responses: {
        200: jsonResponse(flowVersionSchema, "The version"),
        404: refused("Unknown flow or version"),
      },
    }),
    (c) => {
      const { id, version } = c.req.valid("param");
      const saved = flows.version(id, version);
      if (!saved) throw notFound(`Version ${version} of flow ${id}`);
      return c.json({
        flow_id: id,
        version,
        saved_at: iso(saved.created_at),
        saved_by: saved.created_by,
        definition: saved.definition,
      }, 200);
    },
  );

  return app;
}
