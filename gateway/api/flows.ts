import { flowsMetadata, flowsMetadataSchema } from "../flows/metadata.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "./context.ts";
import { jsonResponse, route } from "./route.ts";

/** HALO Flows routes. */
export function flowsApi(_deps: GatewayDeps) {
  const app = apiApp();
  const metadata = flowsMetadata();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/metadata",
      tags: ["flows"],
      summary: "Trigger, condition and action types with their config schemas and variables",
      responses: { 200: jsonResponse(flowsMetadataSchema, "Step types") },
    }),
    (c) => c.json(metadata, 200),
  );

  return app;
}
