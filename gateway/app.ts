import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { apiApp } from "./api/app_factory.ts";
import { alertsApi } from "./api/alerts.ts";
import { auditApi } from "./api/audit.ts";
import { authApi } from "./api/auth.ts";
import { commandsApi } from "./api/commands.ts";
import type { GatewayDeps } from "./deps.ts";
import { enrollmentApi } from "./api/enrollment.ts";
import { ApiError, errorAnswer } from "./api/errors.ts";
import { eventsApi } from "./api/events.ts";
import { flowsApi } from "./api/flows.ts";
import { flowRunsApi } from "./api/flow_runs.ts";
import { flowVersionsApi } from "./api/flow_versions.ts";
import { meshesApi } from "./api/meshes.ts";
import { neuronsApi } from "./api/neurons.ts";
import { nodesApi } from "./api/nodes.ts";
import { OPENAPI_INFO, renderReference } from "./api/reference.tsx";
import { silencesApi } from "./api/silences.ts";
import { systemApi, systemV1Api } from "./api/system.ts";
import { systemClockApi } from "./api/system_clock.ts";
import { telemetryApi } from "./api/telemetry.ts";
import { tokensApi } from "./api/tokens.ts";
import { topologyApi } from "./api/topology.ts";
import { answerUnrouted } from "./api/unrouted.ts";
import { usersApi } from "./api/users.ts";
import { authenticate } from "./api/authenticate.ts";
import { portalApp } from "./portal/mod.ts";
import { AssetsNotBuiltError } from "../ui/framework/static_assets.ts";
import { securityHeaders } from "../ui/framework/security_headers.ts";
import { csrfProtection } from "./api/csrf.ts";
import { strictInput } from "./api/strict_input.ts";

/** Largest request body the API accepts. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the gateway's HTTP app: the API under `/v1`, `/health`, and the OpenAPI document. */
export function createApp(deps: GatewayDeps) {
  const app = apiApp();

  app.use(securityHeaders());
  app.use("*", authenticate(deps));
  app.use("*", csrfProtection());
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `Request body exceeds ${MAX_BODY_BYTES} bytes`,
        );
      },
    }),
  );
  app.use("/v1/*", async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });
  // After the body limit, which bounds what it reads; before every route, portal pages too.
  app.use("*", strictInput());

  app.route("/", systemApi(deps));
  for (
    const module of [
      authApi,
      usersApi,
      tokensApi,
      enrollmentApi,
      nodesApi,
      meshesApi,
      neuronsApi,
      eventsApi,
      topologyApi,
      telemetryApi,
      flowsApi,
      flowRunsApi,
      flowVersionsApi,
      alertsApi,
      silencesApi,
      auditApi,
      systemV1Api,
      commandsApi,
      systemClockApi,
    ]
  ) {
    app.route("/v1", module(deps));
  }

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "API token (halo_api_…) or a node's agent token (halo_agent_…)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "halo_session",
  });
  const document = () => app.getOpenAPI31Document(OPENAPI_INFO);
  let cached: ReturnType<typeof document> | null = null;
  app.get("/v1/openapi.json", (c) => c.json(cached ??= document()));
  app.get("/v1/docs", (c) => {
    const nonce = crypto.randomUUID().replaceAll("-", "");
    c.header(
      "content-security-policy",
      `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    return c.html(renderReference(cached ??= document(), deps.build.version, nonce));
  });

  // The portal reads the API through the app itself, as the signed-in user.
  app.route("/", portalApp(deps, { fetchApi: (request, env) => app.fetch(request, env) }));

  app.notFound(answerUnrouted(app.routes));

  app.onError((error, c) => {
    if (error instanceof AssetsNotBuiltError) {
      deps.log.error("portal assets missing", { error: error.message });
      return c.text(error.message, 503);
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = status === 400
        ? "bad_request"
        : status === 415
        ? "unsupported_media_type"
        : "http_error";
      const message = status === 415
        ? "Send the body as JSON with Content-Type: application/json"
        : error.message || "Bad request";
      return c.json({ error: { code, message } }, status);
    }
    const answer = errorAnswer(error, deps.log, {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    });
    for (const [k, v] of Object.entries(answer.headers)) c.header(k, v);
    return c.json(answer.body, answer.status);
  });

  return app;
}
