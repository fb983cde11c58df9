/**
 * How a secret field of a step config looks on the wire when the gateway
 * answers it, and how a client sends it back to keep the stored value. Free
 * of zod, so the portal's islands use the same rules without the schemas.
 */

/** What a secret header value is answered as; sent back, it keeps the stored value. */
export const SECRET_MASK = "";

/** What a secret is replaced with in a trace's text (a receiver's echo, an error message). */
export const SECRET_REDACTED = "[secret]";

const MASK_TAIL = "/…";

/** What {@linkcode maskUrl} answers, as a JSON Schema pattern. */
export const MASKED_URL_PATTERN = "^[a-z][a-z0-9+.-]*://[^/?#]*/…$";

/**
 * A secret URL as it is answered: its scheme and host, the rest elided
 * (`https://hooks.slack.com/…`); sent back unchanged, it keeps the stored URL.
 *
 * @example
 * maskUrl("https://hooks.slack.com/services/T0/B0/XYZ"); // "https://hooks.slack.com/…"
 */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return MASK_TAIL;
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}${MASK_TAIL}`;
}

/** Whether `value` is a masked URL as {@linkcode maskUrl} answers it, rather than a real one. */
export function isMaskedUrl(value: unknown): value is string {
  return typeof value === "string" && value.endsWith(MASK_TAIL) && maskUrl(value) === value;
}
