import type { Context } from "hono";
import type { AppEnv } from "../api/context.ts";
import { csrfTokenFor } from "../auth/csrf.ts";
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

/** Where to go after logging in: a local path only, never another site. */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
