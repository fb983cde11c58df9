import { ApiProblem } from "./api.ts";

/** What a refused form submission shows: one message per named field, and a summary. */
export interface FormProblems {
  /** Summary for the top of the form. */
  message: string;
  /** Field name (the last part of the API's `body.<field>` path) → what is wrong. */
  fields: Record<string, string>;
}

/**
 * Turns an API refusal into messages for the fields it names (`body.ttl` →
 * `ttl`). Problems that name no field of the form stay in the summary.
 */
export function formProblems(error: unknown, fieldNames: readonly string[]): FormProblems {
  if (!(error instanceof ApiProblem)) {
    return { message: error instanceof Error ? error.message : String(error), fields: {} };
  }
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const d of error.details) {
    const name = d.path.replace(/^body\.?/, "").split(".")[0] ?? "";
    if (fieldNames.includes(name)) fields[name] ??= d.message;
    else unplaced.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  const placed = Object.keys(fields).length;
  const message = placed && !unplaced.length
    ? `Check the field${placed > 1 ? "s" : ""} marked below.`
    : unplaced.length
    ? unplaced.join("; ")
    : error.message;
  return { message, fields };
}

/** Moves focus to the first field marked invalid in `form`, after the next render. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}
