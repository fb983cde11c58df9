import type { Context } from "hono";
import type { AppEnv } from "../api/context.ts";
import { csrfTokenFor } from "../api/csrf.ts";
import type { PortalSession } from "../../ui/lib/session.ts";

/** The signed-in person looking at the portal, or null (API tokens don't browse the portal). */
export function sessionOf(c: Context<AppEnv>): PortalSession | null {
  const p = c.get("principal");
  if (p.kind !== "user") return null;
  return {
    username: p.user.username,
    role: p.role,
    csrfToken: csrfTokenFor(p.sessionHash),
    mustChangePassword: p.user.must_change_password,
  };
}

/**
 * Longest `next` kept, so the answer's headers fit a reverse proxy's 4 KiB
 * header buffer (nginx's default); a longer one sends the user home instead.
 */
const MAX_NEXT_LENGTH = 2048;

/**
 * Controls (C0, DEL, C1), any whitespace and backslashes: browsers drop or
 * rewrite them while resolving a Location (`/\t/evil` becomes `//evil`), and
 * a newline cannot go in a header at all.
 */
// deno-lint-ignore no-control-regex -- finding control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\s\\]/;

/**
 * Where to go after logging in: `next` if it is a path on this gateway, else
 * `/`. It is parsed with the URL parser against `origin` (the request's own)
 * and the answer is the parsed path, query and fragment serialized again, so
 * it is always a same-origin path that can go in a Location header.
 *
 * @example
 * safeNext("/nodes?sort=name", "http://gw.local"); // "/nodes?sort=name"
 * safeNext("/\t/evil.example", "http://gw.local"); // "/"
 */
export function safeNext(next: string | null | undefined, origin: string): string {
  if (typeof next !== "string" || next.length > MAX_NEXT_LENGTH) return "/";
  if (!next.startsWith("/") || next.startsWith("//") || UNSAFE_CHARS.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  const path = url.pathname + url.search + url.hash;
  // Dot segments can turn `/.//evil` into `//evil`, which a browser reads as another host.
  if (path.startsWith("//") || path.length > MAX_NEXT_LENGTH) return "/";
  return path;
}

/** The request's own origin (scheme, host and port), which redirects must stay on. */
export function originOf(c: Context<AppEnv>): string {
  return new URL(c.req.url).origin;
}

/**
 * Answers 303 See Other to `target` when it is a path on this gateway, else
 * to `/`: the one way the portal redirects to anything derived from a request.
 */
export function redirectWithin(c: Context<AppEnv>, target: string): Response {
  return c.redirect(safeNext(target, originOf(c)), 303);
}

/** Answers 303 See Other to the login page, which sends the user on to `next` (made safe) after it. */
export function redirectToLogin(c: Context<AppEnv>, next: string): Response {
  return c.redirect(`/login?next=${encodeURIComponent(safeNext(next, originOf(c)))}`, 303);
}
