/** Options for {@linkcode LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Failures allowed per username in the window. @default 5 */
  perUser?: number;
  /** Failures allowed per client address in the window. @default 20 */
  perAddress?: number;
  /** Window length. @default 900000 (15 minutes) */
  windowMs?: number;
  now?: () => number;
}

/**
 * Counts failed logins per username and per client address in a sliding
 * window, so guessing is slow while one mistyped password costs nothing.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #perUser: number;
  readonly #perAddress: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    this.#perUser = options.perUser ?? 5;
    this.#perAddress = options.perAddress ?? 20;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds until another attempt is allowed, or 0 if it is allowed now. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(
      this.#wait(`u:${username}`, this.#perUser),
      this.#wait(`a:${address}`, this.#perAddress),
    );
  }

  recordFailure(username: string, address: string): void {
    const now = this.#now();
    for (const key of [`u:${username}`, `a:${address}`]) {
      const list = this.#recent(key);
      list.push(now);
      this.#failures.set(key, list);
    }
    // Bound memory against floods of distinct usernames.
    if (this.#failures.size > 10_000) this.#prune();
  }

  recordSuccess(username: string): void {
    this.#failures.delete(`u:${username}`);
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
  }

  #wait(key: string, limit: number): number {
    const list = this.#recent(key);
    if (list.length < limit) return 0;
    return list[list.length - limit]! + this.#windowMs - this.#now();
  }

  #prune(): void {
    for (const key of [...this.#failures.keys()]) {
      if (this.#recent(key).length === 0) this.#failures.delete(key);
    }
  }
}
