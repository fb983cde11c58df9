import {
  ConflictError,
  CredentialError,
  DomainError,
  PermissionError,
  ValidationError,
} from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import type { ErrorBody } from "../../lib/schemas/common.ts";

type Detail = NonNullable<ErrorBody["error"]["details"]>[number];

/** At most this many problems are listed, so a hostile body cannot inflate the answer. */
export const MAX_ERROR_DETAILS = 50;

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

/** The status, body and extra headers of an error's JSON answer. */
export interface ErrorAnswer {
  status: ApiError["status"] | 500;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** The status each kind of domain error is answered with. */
const DOMAIN_STATUS: [new (message: string) => DomainError, ApiError["status"]][] = [
  [ValidationError, 400],
  [CredentialError, 401],
  [PermissionError, 403],
  [ConflictError, 409],
];

/** The API's form of a domain error: its kind's status, its code, message and first fields. */
function fromDomain(error: DomainError): ApiError | null {
  const status = DOMAIN_STATUS.find(([kind]) => error instanceof kind)?.[1];
  if (status === undefined) return null;
  const details = error.details?.slice(0, MAX_ERROR_DETAILS);
  return new ApiError(status, error.code, error.message, details, { cause: error });
}

/**
 * How the API answers `error`: an {@linkcode ApiError} as it says, a
 * {@linkcode DomainError} with its kind's status; anything else is logged with
 * the request it failed and answered with a bare 500, the details staying in
 * the log. The app's error handler and the telemetry fast path both answer
 * through it, so their answers cannot drift apart.
 */
export function errorAnswer(
  error: unknown,
  log: Logger,
  request: { method: string; path: string },
): ErrorAnswer {
  if (error instanceof DomainError) error = fromDomain(error) ?? error;
  if (error instanceof ApiError) {
    return { status: error.status, body: error.toBody(), headers: error.headers };
  }
  log.error("request failed", {
    ...request,
    error: error instanceof Error
      ? { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
      : String(error),
  });
  return {
    status: 500,
    body: { error: { code: "internal", message: "Internal error; see the gateway log" } },
    headers: {},
  };
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const unauthorized = (message = "Log in or send an API token (Authorization: Bearer …)") =>
  new ApiError(401, "unauthorized", message);
export const badRequest = (message: string, details?: Detail[]) =>
  new ApiError(400, "bad_request", message, details);
