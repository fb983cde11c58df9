/** Options for {@linkcode LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Attempts on one username from one address in the window. @default 5 */
  perUserAddress?: number;
  /** Attempts from one address, all usernames together, in the window. @default 20 */
  perAddress?: number;
  /** Failures on one username, from anywhere, before further attempts wait. @default 5 */
  perUserFree?: number;
  /** The first wait for a username under attack; each further failure doubles it. @default 1000 */
  backoffBaseMs?: number;
  /** The longest such wait. @default 300000 (5 minutes) */
  backoffMaxMs?: number;
  /** Current-password checks (password changes) per user in the window. @default 5 */
  perPasswordCheck?: number;
  /** How long an attempt counts. @default 900000 (15 minutes) */
  windowMs?: number;
  /** How long a login from an address spares it the username's backoff. @default 30 days */
  trustMs?: number;
  /** Records kept of each kind; the least recently touched go first. @default 10000 */
  maxEntries?: number;
  now?: () => number;
}

/** The limiter's answer to one attempt. */
export type Admission =
  | {
    admitted: true;
    /** The password was right: the attempt stops counting, as does its address's record. */
    succeeded(): void;
  }
  | { admitted: false; retryAfterMs: number };

/**
 * Limits password guessing, at login and when a user confirms their current
 * password to change it.
 *
 * Why this shape:
 * - An attempt is charged when it is admitted, before the slow password check,
 *   so a burst of parallel guesses meets the limit at once; a success releases
 *   only its own charge and its own username-and-address record, so the right
 *   password inside a burst opens nothing for the rest of the burst.
 * - Per username and address (5 in 15 min) and per address (20 in 15 min):
 *   429 until the oldest attempt leaves the window. Only the guesser waits.
 * - Per username across addresses no attempt is refused outright, or anyone
 *   could lock the admin out. Past 5 unreleased attempts each further one
 *   waits 1 s, 2 s, 4 s … up to 5 min, and the wait is a turn kept for the
 *   address that asked: it may try once when its Retry-After has passed. A
 *   distributed attack pays the growing wait for every guess on every
 *   address, yet nobody can take another address's turn, so the real user
 *   waits at most the cap and then gets in. An address that logged in as
 *   that user before skips the wait.
 * - IPv6 addresses count by their /64, which one attacker usually holds whole.
 * - Every map is bounded; under a flood of distinct names or addresses the
 *   records touched least recently are dropped first.
 */
export class LoginLimiter {
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #trustMs: number;
  readonly #perUserFree: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #pairs: AttemptLog;
  readonly #addresses: AttemptLog;
  readonly #passwordChecks: AttemptLog;
  /** Unreleased attempts per username, and when the last one was made. */
  readonly #users: BoundedMap<{ count: number; lastAt: number }>;
  /** Per username and address: when the address's turn comes, under backoff. */
  readonly #turns: BoundedMap<number>;
  /** Per username and address: when the address last logged in as that user. */
  readonly #trusted: BoundedMap<number>;

  constructor(options: LoginLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#trustMs = options.trustMs ?? 30 * 86_400_000;
    this.#perUserFree = options.perUserFree ?? 5;
    this.#backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.#backoffMaxMs = options.backoffMaxMs ?? 5 * 60_000;
    const max = options.maxEntries ?? 10_000;
    this.#pairs = new AttemptLog(options.perUserAddress ?? 5, this.#windowMs, max);
    this.#addresses = new AttemptLog(options.perAddress ?? 20, this.#windowMs, max);
    this.#passwordChecks = new AttemptLog(options.perPasswordCheck ?? 5, this.#windowMs, max);
    this.#users = new BoundedMap(max);
    this.#turns = new BoundedMap(max);
    this.#trusted = new BoundedMap(max);
  }

  /** Admits and charges a login attempt, or says how long to wait. */
  admitLogin(username: string, clientAddress: string): Admission {
    const now = this.#now();
    const address = addressKey(clientAddress);
    const pair = `${username}\n${address}`;
    const limited = Math.max(this.#pairs.wait(pair, now), this.#addresses.wait(address, now));
    if (limited > 0) return { admitted: false, retryAfterMs: limited };
    const backoff = this.#backoff(username, pair, now);
    if (backoff > 0) return { admitted: false, retryAfterMs: backoff };

    this.#pairs.charge(pair, now);
    this.#addresses.charge(address, now);
    const user = this.#userRecord(username, now);
    this.#users.set(username, { count: user.count + 1, lastAt: now });
    return {
      admitted: true,
      succeeded: () => {
        this.#pairs.clear(pair);
        this.#addresses.release(address, now);
        const current = this.#users.get(username);
        if (current) {
          this.#users.set(username, { ...current, count: Math.max(0, current.count - 1) });
        }
        this.#trusted.set(pair, this.#now());
      },
    };
  }

  /** Admits and charges a check of user `userId`'s current password, or says how long to wait. */
  admitPasswordCheck(userId: number): Admission {
    const now = this.#now();
    const key = String(userId);
    const wait = this.#passwordChecks.wait(key, now);
    if (wait > 0) return { admitted: false, retryAfterMs: wait };
    this.#passwordChecks.charge(key, now);
    return { admitted: true, succeeded: () => this.#passwordChecks.clear(key) };
  }

  /** How long `pair`'s address waits for its turn at `username`; 0 when it may try now. */
  #backoff(username: string, pair: string, now: number): number {
    const excess = this.#userRecord(username, now).count - this.#perUserFree;
    const trustedAt = this.#trusted.get(pair);
    if (excess < 0 || (trustedAt !== undefined && now - trustedAt < this.#trustMs)) return 0;
    const turn = this.#turns.get(pair);
    // A turn not taken within the window lapses, so an old one cannot be saved up.
    if (turn === undefined || now - turn > this.#windowMs) {
      const delay = Math.min(this.#backoffBaseMs * 2 ** Math.min(excess, 30), this.#backoffMaxMs);
      this.#turns.set(pair, now + delay);
      return delay;
    }
    if (now < turn) return turn - now;
    this.#turns.delete(pair);
    return 0;
  }

  #userRecord(username: string, now: number): { count: number; lastAt: number } {
    const record = this.#users.get(username);
    return record && now - record.lastAt <= this.#windowMs ? record : { count: 0, lastAt: now };
  }
}

/** Attempt times per key within a window, refusing the key once it holds `limit` of them. */
class AttemptLog {
  readonly #times: BoundedMap<number[]>;

  constructor(readonly limit: number, readonly windowMs: number, maxEntries: number) {
    this.#times = new BoundedMap(maxEntries);
  }

  /** Milliseconds until `key` may try again; 0 if it may now. */
  wait(key: string, now: number): number {
    const times = this.#recent(key, now);
    if (times.length < this.limit) return 0;
    return times[times.length - this.limit]! + this.windowMs - now;
  }

  charge(key: string, now: number): void {
    this.#times.set(key, [...this.#recent(key, now), now]);
  }

  /** Takes back one attempt made at `at`. */
  release(key: string, at: number): void {
    const times = this.#times.get(key);
    const index = times?.indexOf(at) ?? -1;
    if (index >= 0) times!.splice(index, 1);
  }

  clear(key: string): void {
    this.#times.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#times.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}

/** A Map that keeps at most `max` entries, dropping the least recently set. */
class BoundedMap<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}

/**
 * The part of a client address the limits count by: IPv4 as is (also when
 * mapped into IPv6), IPv6 by its /64 prefix.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const [head = "", tail] = address.toLowerCase().split("%")[0]!.split("::");
  const front = head ? head.split(":") : [];
  const back = tail ? tail.split(":") : [];
  const groups = tail === undefined
    ? front
    : [...front, ...Array(Math.max(0, 8 - front.length - back.length)).fill("0"), ...back];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
