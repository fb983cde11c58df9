/**
 * Randomness for the simulated network, injected so tests are deterministic:
 * the demo passes `Math.random`, tests a {@linkcode seededRandom}.
 */

/** A source of floats in `[0, 1)`, shaped like `Math.random`. */
export type Random = () => number;

/**
 * A small, fast deterministic generator (mulberry32): the same seed gives the
 * same sequence on every run.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random() === seededRandom(42)(); // true
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float in `[low, high)`. */
export function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

/** A version 4 UUID built from `random`, as the kernel's `boot_id` looks. */
export function randomUuid(random: Random): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
