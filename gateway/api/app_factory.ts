import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "./context.ts";
import { ApiError, MAX_ERROR_DETAILS } from "./errors.ts";

/**
 * A Hono app whose validation failures become the API's error shape, listing
 * every bad field with its path (`body.hostname`, `query.limit`, `path.id`).
 */
export function apiApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: throwValidationError });
}

/** The validation result zod-openapi hands to hooks. */
export type ValidationResult =
  | { success: true }
  | { success: false; target: string; error: { issues: z.core.$ZodIssue[] } };

/** Turns a failed validation into the API's 400 answer listing each bad field. */
export function throwValidationError(result: ValidationResult): void {
  if (result.success) return;
  const where = result.target === "json"
    ? "body"
    : result.target === "param"
    ? "path"
    : result.target;
  const issues = result.error.issues;
  const details = issues.slice(0, MAX_ERROR_DETAILS).map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.code === "unrecognized_keys"
      ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.slice(0, 10).join(", ")}${
        issue.keys.length > 10 ? ` and ${issue.keys.length - 10} more` : ""
      }`
      : issue.message,
  }));
  const more = issues.length > details.length
    ? ` (and ${issues.length - details.length} more problems)`
    : "";
  throw new ApiError(
    400,
    "validation_failed",
    `Invalid request ${where}: ${
      details.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join("; ")
    }${details.length > 5 ? "; …" : ""}${more}`,
    details,
  );
}
