import { createHash } from "node:crypto";

/** Kinds of bearer secrets, recognisable by prefix in logs and leaked-secret scanners. */
export type SecretKind = "api" | "agent" | "join" | "session";

/** Generates a secret `halo_<kind>_<43 chars of base64url>` (256 bits). */
export function generateSecret(kind: SecretKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const text = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  return `halo_${kind}_${text}`;
}

/**
 * Hashes a secret for storage. Secrets carry 256 random bits, so one SHA-256
 * is enough; a leaked database reveals no usable token. Synchronous (node's
 * native hash), as it runs on every authenticated request.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The first characters shown to recognise a token (`halo_api_Ab3d`). */
export function secretPrefix(secret: string): string {
  // The kind is letters only; the random part may itself contain "_".
  const kind = /^halo_[a-z]+_/.exec(secret)?.[0] ?? "";
  return secret.slice(0, kind.length + 4);
}
