/**
 * A random password for one-time admin credentials: 20 characters from an
 * unambiguous set. The gateway gives the first admin one; the demo and the
 * system tests replace it with another.
 *
 * @example
 * ```ts
 * const password = generatePassword(); // e.g. "q7XkP2mWzR9cTfH4aNbE"
 * ```
 */
export function generatePassword(length = 20): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const out: string[] = [];
  // Rejection sampling keeps every character equally likely.
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 256 - (256 % alphabet.length) && out.length < length) {
        out.push(alphabet[byte % alphabet.length]!);
      }
    }
  }
  return out.join("");
}
