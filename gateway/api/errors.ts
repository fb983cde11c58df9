import type { ErrorBody } from "../../lib/schemas/common.ts";

type Detail = NonNullable<ErrorBody["error"]["details"]>[number];

/** An error the API reports to the caller as-is; the one error handler renders it. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: Detail[],
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(message, options);
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

/** The body of a 500 answer: the details go to the log, not to the caller. */
export const INTERNAL_ERROR_BODY = {
  error: { code: "internal", message: "Internal error; see the gateway log" },
} as const;

/** An unexpected error as the log records it. */
export function errorForLog(
  error: unknown,
): { name: string; message: string; stack?: string } | string {
  return error instanceof Error
    ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
    : String(error);
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const unauthorized = (message = "Log in or send an API token (Authorization: Bearer …)") =>
  new ApiError(401, "unauthorized", message);
export const badRequest = (message: string, details?: Detail[]) =>
  new ApiError(400, "bad_request", message, details);
