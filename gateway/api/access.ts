import type { Context, MiddlewareHandler } from "hono";
import type { UserRole } from "../../lib/schemas/common.ts";
import type { Actor } from "../store/audit.ts";
import type { AppEnv, Principal } from "./context.ts";
import { forbidden, unauthorized } from "./errors.ts";

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

/** Middleware refusing callers below `access`: 401 if anonymous, 403 otherwise. */
export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    const principal = c.get("principal");
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
