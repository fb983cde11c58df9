import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv, GatewayDeps, Principal } from "../api/context.ts";
import { unauthorized } from "../api/errors.ts";
import { AgentTokenStore } from "../store/agent_tokens.ts";
import { ApiTokenStore } from "../store/api_tokens.ts";
import { SessionStore } from "../store/sessions.ts";
import { UserStore } from "../store/users.ts";
import { AgentTokenCache } from "./agent_token_cache.ts";
import { hashSecret } from "./secret_token.ts";
import { prepared } from "../../lib/db/database.ts";

export const SESSION_COOKIE = "halo_session";
export const SESSION_TTL_MS = 12 * 3600_000;

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/**
 * Resolves the caller from a bearer token (API or agent) or the session
 * cookie. A bearer token that is unknown or revoked is a 401 at once rather
 * than silently anonymous, so a script learns its token is bad.
 * `X-Forwarded-Proto`/`-For` are honoured only from loopback (nginx on the device).
 */
export function authenticate(deps: GatewayDeps): MiddlewareHandler<AppEnv> {
  const sessions = new SessionStore(deps.db);
  const users = new UserStore(deps.db);
  const apiTokens = new ApiTokenStore(deps.db);
  const agentTokens = AgentTokenCache.of(deps.db);

  return async function authenticate(c, next) {
    const remote = c.env?.remoteAddr?.hostname;
    const proxied = isLoopback(remote);
    const forwardedFor = proxied
      ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim()
      : undefined;
    c.set("clientIp", forwardedFor || remote || null);
    c.set(
      "secure",
      new URL(c.req.url).protocol === "https:" ||
        (proxied && c.req.header("x-forwarded-proto") === "https"),
    );

    let principal: Principal = { kind: "anonymous" };
    const auth = c.req.header("authorization");
    if (auth !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!match) throw unauthorized("Authorization header must be 'Bearer <token>'");
      const secret = match[1]!;
      if (secret.startsWith("halo_agent_")) {
        const nodeId = agentTokens.authenticate(secret);
        if (!nodeId) throw unauthorized("Agent token is unknown or revoked: re-enroll the node");
        principal = { kind: "agent", nodeId };
      } else {
        const token = apiTokens.authenticate(hashSecret(secret), deps.clock.now());
        if (!token) throw unauthorized("API token is unknown or revoked");
        principal = { kind: "token", role: token.role, token };
      }
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) {
        const hash = hashSecret(cookie);
        const userId = sessions.touch(hash, deps.clock.now(), SESSION_TTL_MS);
        const user = userId === null ? null : users.byId(userId);
        if (user) principal = { kind: "user", role: user.role, user, sessionHash: hash };
      }
    }
    c.set("principal", principal);
    await next();
  };
}

/**
 * Whether a principal resolved earlier is still allowed in: its session is
 * live, its API token not revoked. Long-lived responses (the event stream)
 * check this as they go, so revoking a token or deleting a user ends them.
 */
export function stillAuthenticated(deps: GatewayDeps, principal: Principal): boolean {
  switch (principal.kind) {
    case "user":
      return prepared(
        deps.db,
        "SELECT 1 FROM sessions WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
      ).get(principal.sessionHash, principal.user.id, deps.clock.now()) !== undefined;
    case "token":
      return prepared(deps.db, "SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL")
        .get(principal.token.id) !== undefined;
    case "agent":
      return new AgentTokenStore(deps.db).isLive(principal.nodeId);
    default:
      return true;
  }
}
