import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { errorBodySchema } from "../../lib/schemas/common.ts";
import { type Access, type AccessOptions, requireAccess } from "./access.ts";

/**
 * A refusal in the API's error shape, for a route's `responses`:
 * `404: refused("No such user")`. Every 4xx a route can answer is declared
 * this way, so the document's error bodies cannot drift from what the error
 * handler writes.
 */
export function refused(description: string) {
  return { description, content: { "application/json": { schema: errorBodySchema } } };
}

/** What a 429 carries besides its body. */
const RETRY_AFTER_HEADER = {
  "Retry-After": {
    description: "Seconds to wait before trying again",
    required: true,
    schema: { type: "integer" as const, minimum: 1 },
  },
};

/**
 * The refusals that follow from how a route is declared, so no route can
 * forget them and none claims one it cannot give: 400 everywhere (every URL is
 * read strictly, and most routes validate input), 401 everywhere (a bad bearer token is refused even on public
 * routes), 403 where a role is needed or a change can come cross-site, and
 * 413/415 where it reads a body.
 */
function declaredRefusals(access: Access, config: RouteConfig): RouteConfig["responses"] {
  const request = config.request;
  const hasBody = request?.body !== undefined;
  const changes = config.method !== "get";
  const forbidden = [
    ...(access === "public" ? [] : [
      "the caller's role is not enough",
      "(code password_change_required) the caller must change a one-time password first",
    ]),
    ...(changes
      ? ["the change came from another site (Origin), or with a session cookie but no X-CSRF-Token"]
      : []),
  ];
  return {
    400: refused(
      hasBody || request?.params || request?.query
        ? "Invalid request: `details` names each bad field and what it expects"
        : "Invalid request: a query value or path whose escapes are not UTF-8",
    ),
    401: refused(
      access === "public"
        ? "The bearer token sent is unknown or revoked"
        : "Not logged in, or the token is unknown or revoked",
    ),
    ...(forbidden.length > 0 ? { 403: refused(`Refused: ${forbidden.join("; or ")}`) } : {}),
    ...(hasBody
      ? {
        413: refused("The request body is larger than the gateway accepts"),
        415: refused("The body is not JSON: send it with Content-Type: application/json"),
      }
      : {}),
  };
}

/**
 * Declares a route with the least access it needs. The access is enforced by
 * middleware before validation and recorded in the OpenAPI document as
 * `x-halo-access`, so a test can walk every route and check it. The
 * refusals its declaration implies are added (see {@linkcode declaredRefusals});
 * the route declares the others it can give (404, 409, 429 …) with {@linkcode refused}.
 */
export function route<R extends RouteConfig>(
  access: Access,
  config: R,
  options: AccessOptions = {},
) {
  const body = config.request?.body;
  const responses = { ...declaredRefusals(access, config), ...config.responses };
  const tooMany = responses[429];
  if (tooMany && !("$ref" in tooMany)) {
    responses[429] = { ...tooMany, headers: { ...RETRY_AFTER_HEADER, ...tooMany.headers } };
  }
  return createRoute({
    ...config,
    // Without `required`, zod-openapi skips body validation when Content-Type is wrong.
    ...(body ? { request: { ...config.request, body: { ...body, required: true } } } : {}),
    middleware: requireAccess(access, options),
    security: access === "public" ? [] : [{ bearer: [] }, { session: [] }],
    "x-halo-access": access,
    responses,
  }) as R & { middleware: ReturnType<typeof requireAccess> };
}

/** JSON body helper for route configs. */
export function jsonBody<T>(schema: T, description = "") {
  return { content: { "application/json": { schema } }, description, required: true as const };
}

/** JSON response helper for route configs. */
export function jsonResponse<T>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}
