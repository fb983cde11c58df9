/** Epoch milliseconds to the API's RFC 3339 form. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Like {@linkcode iso} for nullable columns. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(ms);
}
