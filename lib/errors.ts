/**
 * Errors that domain code throws for its caller to see. They know nothing of
 * HTTP: each kind says what went wrong, and an API maps the kind to its answer
 * in one place (the gateway's in `gateway/api/errors.ts`).
 *
 * @example
 * ```ts
 * throw new ConflictError(`Batch ${seq} was stored with another body: use a new batch_seq`);
 * throw new ValidationError("Batch refused, nothing stored", {
 *   details: [{ path: "body.samples.3.ts", message: "more than a day in the future" }],
 * });
 * ```
 */

/** One bad field: its dotted path (`body.samples.3.ts`) and what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Options of every {@linkcode DomainError}. */
export interface DomainErrorOptions extends ErrorOptions {
  /** A stable machine-readable reason, e.g. `node_already_enrolled`. @default the kind's own */
  code?: string;
  /** The fields at fault, when there are any. */
  details?: FieldProblem[];
}

/** What every domain error carries besides its message. */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly details: FieldProblem[] | undefined;

  protected constructor(kindCode: string, message: string, options: DomainErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.code = options.code ?? kindCode;
    this.details = options.details;
  }
}

/** Input that breaks a rule; `details` names each bad field. */
export class ValidationError extends DomainError {
  override name = "ValidationError";
  constructor(message: string, options?: DomainErrorOptions) {
    super("validation_failed", message, options);
  }
}

/** A credential that is unknown, revoked, expired or used up. */
export class CredentialError extends DomainError {
  override name = "CredentialError";
  constructor(message: string, options?: DomainErrorOptions) {
    super("unauthorized", message, options);
  }
}

/** A caller acting on something that is not theirs to act on. */
export class PermissionError extends DomainError {
  override name = "PermissionError";
  constructor(message: string, options?: DomainErrorOptions) {
    super("forbidden", message, options);
  }
}

/** A request that contradicts what is stored: a taken identity, a reused key. */
export class ConflictError extends DomainError {
  override name = "ConflictError";
  constructor(message: string, options?: DomainErrorOptions) {
    super("conflict", message, options);
  }
}
