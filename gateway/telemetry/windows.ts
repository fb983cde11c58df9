import { HOUR_MS } from "./rollup.ts";

/** Raw chunks and 1-minute rollups are stored per series per window of this length. */
export const WINDOW_MS = 600_000;

/** Start of the window holding `ts`. */
export const windowOf = (ts: number) => Math.floor(ts / WINDOW_MS) * WINDOW_MS;

/** Start of the hour holding `ts`. */
export const hourOf = (ts: number) => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Window starts from the one holding `from` to the one holding `to`. */
export function windowsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let w = windowOf(from); w <= to; w += WINDOW_MS) out.push(w);
  return out;
}
