import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * A Hono app whose validation failures become the API's error shape, listing
 * every bad field with its path (`body.hostname`, `query.limit`, `path.id`).
 */
export function apiApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const where = result.target === "json"
        ? "body"
        : result.target === "param"
        ? "path"
        : result.target;
      const details = result.error.issues.map((issue) => ({
        path: [where, ...issue.path.map(String)].join("."),
        message: issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
          : issue.message,
      }));
      throw new ApiError(
        400,
        "validation_failed",
        `Invalid request ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
        details,
      );
    },
  });
}
