import type { MiddlewareHandler } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AppEnv } from "./context.ts";
import { forbidden } from "./errors.ts";

/** Header a browser session sends its CSRF token in on every mutating request. */
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The CSRF token of a session: derived from the session's stored hash, so it
 * needs no storage, dies with the session, and a page from another site
 * cannot know it (it can neither read the cookie nor the database).
 */
export function csrfTokenFor(sessionHash: string): string {
  return createHash("sha256").update(`halo-csrf\0${sessionHash}`).digest("base64url");
}

/** Whether `given` is the session's CSRF token (constant time). */
export function csrfTokenMatches(sessionHash: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const want = new TextEncoder().encode(csrfTokenFor(sessionHash));
  const got = new TextEncoder().encode(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * Refuses cross-site and token-less mutating requests made with a session
 * cookie. Bearer tokens are not sent by browsers on their own, so only
 * cookie sessions need the token; any caller whose `Origin` names another
 * site is refused, which also stops login CSRF.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async function csrfProtection(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const origin = c.req.header("origin");
    if (
      origin !== undefined && origin !== "null" &&
      !sameOrigin(origin, c.req.url, c.req.header("host"))
    ) {
      throw forbidden(`Cross-site request from ${origin} refused`);
    }
    const principal = c.get("principal");
    if (principal.kind === "user" && !isPortalForm(c.req.path)) {
      if (!csrfTokenMatches(principal.sessionHash, c.req.header(CSRF_HEADER))) {
        throw forbidden(
          `Missing or wrong ${CSRF_HEADER} header: send the token from GET /v1/auth/me (csrf_token) with every change made with a session cookie`,
        );
      }
    }
    await next();
  };
}

/** Portal form posts carry the token as a `_csrf` field, which their handlers check. */
function isPortalForm(path: string): boolean {
  return !path.startsWith("/v1/");
}

function sameOrigin(origin: string, requestUrl: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === (host ?? new URL(requestUrl).host);
  } catch {
    return false;
  }
}
