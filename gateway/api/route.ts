import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { errorBodySchema } from "../../lib/schemas/common.ts";
import { type Access, type AccessOptions, requireAccess } from "./access.ts";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: errorBodySchema } },
});

const STANDARD_ERRORS = {
  400: errorResponse("Invalid request: `details` lists each bad field"),
  401: errorResponse("Not logged in, or the token is unknown or revoked"),
  403: errorResponse(
    "The caller's role is not enough, or (code password_change_required) the caller must " +
      "change a one-time password first",
  ),
};

/**
 * Declares a route with the least access it needs. The access is enforced by
 * middleware before validation and recorded in the OpenAPI document as
 * `x-halo-access`, so a test can walk every route and check it.
 */
export function route<R extends RouteConfig>(
  access: Access,
  config: R,
  options: AccessOptions = {},
) {
  const body = config.request?.body;
  return createRoute({
    ...config,
    // Without `required`, zod-openapi skips body validation when Content-Type is wrong.
    ...(body ? { request: { ...config.request, body: { ...body, required: true } } } : {}),
    middleware: requireAccess(access, options),
    security: access === "public" ? [] : [{ bearer: [] }, { session: [] }],
    "x-halo-access": access,
    responses: { ...STANDARD_ERRORS, ...config.responses },
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
