import { deleteCookie, setCookie } from "hono/cookie";
import {
  changePasswordSchema,
  loginRequestSchema,
  loginResponseSchema,
  principalSchema,
} from "../../lib/schemas/auth.ts";
import { okSchema } from "../../lib/schemas/common.ts";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../auth/password.ts";
import { generateSecret, hashSecret } from "../auth/secret_token.ts";
import { SESSION_COOKIE, SESSION_TTL_MS } from "./authenticate.ts";
import { csrfTokenFor } from "./csrf.ts";
import { SessionStore } from "../store/sessions.ts";
import { publicUser, UserStore } from "../store/users.ts";
import { iso } from "../store/time.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { ApiError, badRequest } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** A refusal to check another password yet; Retry-After says when, in whole seconds. */
function tooManyAttempts(waitMs: number, what: string): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(429, "too_many_attempts", `${what}: try again in ${seconds} s`, undefined, {
    headers: { "Retry-After": String(seconds) },
  });
}

/** Login, logout, the current caller and password change. */
export function authApi(deps: GatewayDeps) {
  const users = new UserStore(deps.db);
  const sessions = new SessionStore(deps.db);
  const app = apiApp();

  app.openapi(
    route("public", {
      method: "post",
      path: "/auth/login",
      tags: ["auth"],
      summary: "Log in; sets the session cookie",
      request: { body: jsonBody(loginRequestSchema) },
      responses: {
        200: jsonResponse(loginResponseSchema, "Logged in"),
        401: refused("Wrong username or password"),
        429: refused(
          "Too many attempts on this username or from this address; see Retry-After",
        ),
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const ip = c.get("clientIp") ?? "unknown";
      // Charged before the slow check, so parallel guesses meet the limit too.
      const attempt = deps.loginLimiter.admitLogin(username, ip);
      if (!attempt.admitted) throw tooManyAttempts(attempt.retryAfterMs, "Too many login attempts");
      const user = users.byUsername(username);
      // Spend the same time on unknown users so response time does not reveal usernames.
      const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH) && !!user;
      if (!ok || !user) {
        deps.audit.record({ kind: "anonymous", name: username, ip }, "login.failed", null);
        throw new ApiError(401, "invalid_credentials", "Wrong username or password");
      }
      attempt.succeeded();
      const secret = generateSecret("session");
      const now = deps.clock.now();
      const hash = hashSecret(secret);
      const expires = deps.events.atomically(() => {
        sessions.deleteExpired(now);
        const expires = sessions.create(hash, user.id, now, SESSION_TTL_MS);
        users.recordLogin(user.id, now);
        deps.audit.record({ kind: "user", name: user.username, ip }, "login", null);
        return expires;
      });
      setCookie(c, SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: "Strict",
        secure: c.get("secure"),
        path: "/",
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      return c.json({
        user: publicUser(users.byId(user.id)!),
        expires_at: iso(expires),
        csrf_token: csrfTokenFor(hash),
      }, 200);
    },
  );

  app.openapi(
    route("public", {
      method: "post",
      path: "/auth/logout",
      tags: ["auth"],
      summary: "End the current session",
      responses: { 200: jsonResponse(okSchema, "Logged out") },
    }),
    (c) => {
      const p = c.get("principal");
      if (p.kind === "user") {
        sessions.delete(p.sessionHash);
        deps.audit.record(actorOf(c), "logout", null);
      }
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/auth/me",
      tags: ["auth"],
      summary: "Who the caller is",
      responses: { 200: jsonResponse(principalSchema, "The caller") },
    }, { beforePasswordChange: true }),
    (c) => {
      const p = c.get("principal");
      if (p.kind === "user") {
        return c.json({
          kind: "user" as const,
          name: p.user.username,
          role: p.role,
          user: publicUser(p.user),
          csrf_token: csrfTokenFor(p.sessionHash),
        }, 200);
      }
      if (p.kind === "token") {
        return c.json({ kind: "token" as const, name: p.token.name, role: p.role }, 200);
      }
      throw badRequest("Not a user or API token");
    },
  );

  app.openapi(
    route("viewer", {
      method: "post",
      path: "/auth/password",
      tags: ["auth"],
      summary: "Change your own password (ends your other sessions)",
      request: { body: jsonBody(changePasswordSchema) },
      responses: {
        200: jsonResponse(okSchema, "Changed"),
        429: refused("Too many wrong current passwords; see Retry-After"),
      },
    }, { beforePasswordChange: true }),
    async (c) => {
      const p = c.get("principal");
      if (p.kind !== "user") throw badRequest("API tokens have no password; log in as a user");
      const body = c.req.valid("json");
      // Whoever holds the session must not guess the password faster than at login.
      const check = deps.loginLimiter.admitPasswordCheck(p.user.id);
      if (!check.admitted) throw tooManyAttempts(check.retryAfterMs, "Too many password checks");
      if (!await verifyPassword(body.current_password, p.user.password_hash)) {
        throw new ApiError(400, "validation_failed", "Current password is wrong", [
          { path: "body.current_password", message: "does not match" },
        ]);
      }
      check.succeeded();
      if (body.new_password === body.current_password) {
        throw new ApiError(
          400,
          "validation_failed",
          "New password must differ from the current one",
          [
            { path: "body.new_password", message: "same as the current password" },
          ],
        );
      }
      const hash = await hashPassword(body.new_password);
      deps.events.atomically(() => {
        users.setPassword(p.user.id, hash, false, deps.clock.now());
        sessions.deleteForUser(p.user.id, p.sessionHash);
        deps.audit.record(actorOf(c), "user.password_change", p.user.username);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
