import { auditListSchema, listAuditQuerySchema } from "../../lib/schemas/system.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { jsonResponse, route } from "./route.ts";

/** The audit log (admin only). */
export function auditApi(deps: GatewayDeps) {
  const app = apiApp();
  app.openapi(
    route("admin", {
      method: "get",
      path: "/audit",
      tags: ["audit"],
      summary:
        "Who changed what, newest first; filter by actor, action (prefix such as 'user'), time",
      request: { query: listAuditQuerySchema },
      responses: { 200: jsonResponse(auditListSchema, "Entries") },
    }),
    (c) => c.json({ entries: deps.audit.query(c.req.valid("query")) }, 200),
  );
  return app;
}
