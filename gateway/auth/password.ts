import { scrypt, timingSafeEqual } from "node:crypto";

// scrypt cost: N=2^15 takes ~50-100 ms on a Pi 4, slow for guessing, fine for logins.
const N = 32768, R = 8, P = 1, KEYLEN = 32;

function derive(password: string, salt: Uint8Array, n: number, r: number, p: number) {
  return new Promise<Uint8Array>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEYLEN,
      { N: n, r, p, maxmem: 256 * n * r },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    )
  );
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${b64(salt)}$${b64(key)}`;
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = unb64(parts[4]!);
  const expected = unb64(parts[5]!);
  const key = await derive(password, salt, n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, used to spend the same time on unknown usernames. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${b64(new Uint8Array(16))}$${
  b64(new Uint8Array(KEYLEN))
}`;
