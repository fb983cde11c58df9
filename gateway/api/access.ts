import type { Context, MiddlewareHandler } from "hono";
import type { UserRole } from "../../lib/schemas/common.ts";
import type { Actor } from "../store/audit.ts";
import type { AppEnv, Principal } from "./context.ts";
import { ApiError, forbidden, unauthorized } from "./errors.ts";

/** The least a caller must be to use a route. */
export type Access = "public" | "agent" | UserRole;

const RANK: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** Whether `principal` may use a route that needs `access`. */
export function allows(principal: Principal, access: Access): boolean {
  if (access === "public") return true;
  if (access === "agent") return principal.kind === "agent";
  if (principal.kind !== "user" && principal.kind !== "token") return false;
  return RANK[principal.role] >= RANK[access];
}

/** Options for {@linkcode requireAccess}. */
export interface AccessOptions {
  /** Open to a user who has yet to change a one-time password. @default false */
  beforePasswordChange?: boolean;
}

/**
 * Middleware refusing callers below `access`: 401 if anonymous, 403 otherwise.
 *
 * A user whose password an admin set (the initial admin, a new user, a reset)
 * gets 403 `password_change_required` on every route for people until they
 * change it, except the few marked `beforePasswordChange`; otherwise whoever
 * read the one-time password could keep using it. API tokens are credentials
 * of their own, not tied to any user's password: such a user cannot create
 * one, and tokens made earlier keep working until an admin revokes them.
 */
export function requireAccess(
  access: Access,
  options: AccessOptions = {},
): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    const principal = c.get("principal");
    if (
      principal.kind === "user" && principal.user.must_change_password &&
      access !== "public" && access !== "agent" && !options.beforePasswordChange
    ) {
      throw new ApiError(
        403,
        "password_change_required",
        "Change your one-time password first: POST /v1/auth/password with current_password " +
          "and new_password (in the portal: Your account). Until then you may only do that, " +
          "read GET /v1/auth/me and log out.",
      );
    }
    if (!allows(principal, access)) {
      if (principal.kind === "anonymous") throw unauthorized();
      throw forbidden(
        access === "agent"
          ? "Only a node's agent token may use this route"
          : `This needs the ${access} role`,
      );
    }
    await next();
  };
}

/** The role of a person or token, or null for agents and anonymous callers. */
export function roleOf(principal: Principal): UserRole | null {
  return principal.kind === "user" || principal.kind === "token" ? principal.role : null;
}

/** The caller as the audit log names it. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  const ip = c.get("clientIp");
  switch (p.kind) {
    case "user":
      return { kind: "user", name: p.user.username, ip };
    case "token":
      return { kind: "token", name: `token:${p.token.name}`, ip };
    case "agent":
      return { kind: "agent", name: `agent:${p.nodeId}`, ip };
    default:
      return { kind: "anonymous", name: "anonymous", ip };
  }
}

/** Refuses an agent acting for a node other than its own. */
export function assertOwnNode(c: Context<AppEnv>, nodeId: string): void {
  const p = c.get("principal");
  if (p.kind !== "agent" || p.nodeId !== nodeId) {
    throw forbidden(`This agent token belongs to another node, not ${nodeId}`);
  }
}
