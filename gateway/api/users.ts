import {
  createUserSchema,
  updateUserSchema,
  userListSchema,
  userSchema,
} from "../../lib/schemas/auth.ts";
import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import { hashPassword } from "../auth/password.ts";
import { SessionStore } from "../store/sessions.ts";
import { publicUser, UserStore } from "../store/users.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** User administration (admin only). */
export function usersApi(deps: GatewayDeps) {
  const users = new UserStore(deps.db);
  const sessions = new SessionStore(deps.db);
  const app = apiApp();

  app.openapi(
    route("admin", {
      method: "get",
      path: "/users",
      tags: ["users"],
      summary: "List users",
      responses: { 200: jsonResponse(userListSchema, "Users") },
    }),
    (c) => c.json({ users: users.list().map(publicUser) }, 200),
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/users",
      tags: ["users"],
      summary: "Create a user; they are asked to change the password at first login",
      request: { body: jsonBody(createUserSchema) },
      responses: { 201: jsonResponse(userSchema, "Created"), 409: refused("Username taken") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const hash = await hashPassword(body.password);
      const user = deps.events.atomically(() => {
        if (users.byUsername(body.username)) {
          throw conflict(`Username "${body.username}" is taken`);
        }
        const user = users.create(
          { username: body.username, role: body.role, passwordHash: hash, mustChange: true },
          deps.clock.now(),
        );
        deps.audit.record(actorOf(c), "user.create", user.username, { role: user.role });
        return user;
      });
      return c.json(publicUser(user), 201);
    },
  );

  app.openapi(
    route("admin", {
      method: "patch",
      path: "/users/{id}",
      tags: ["users"],
      summary: "Change a user's role or reset their password",
      request: { params: idParamsSchema, body: jsonBody(updateUserSchema) },
      responses: {
        200: jsonResponse(userSchema, "Updated"),
        404: refused("No such user"),
        409: refused("The last admin cannot lose the admin role"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const hash = body.password === undefined ? null : await hashPassword(body.password);
      const updated = deps.events.atomically(() => {
        const user = users.byId(id);
        if (!user) throw notFound(`User ${id}`);
        const now = deps.clock.now();
        if (body.role !== undefined && body.role !== user.role) {
          if (user.role === "admin" && users.countAdmins() === 1) {
            throw conflict(`${user.username} is the last admin: make another admin first`);
          }
          users.setRole(id, body.role, now);
          deps.audit.record(actorOf(c), "user.role_change", user.username, {
            from: user.role,
            to: body.role,
          });
        }
        if (hash !== null) {
          users.setPassword(id, hash, true, now);
          sessions.deleteForUser(id);
          deps.audit.record(actorOf(c), "user.password_reset", user.username);
        }
        return users.byId(id)!;
      });
      return c.json(publicUser(updated), 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/users/{id}",
      tags: ["users"],
      summary: "Delete a user and end their sessions",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("No such user"),
        409: refused("The last admin cannot be deleted"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const user = users.byId(id);
        if (!user) throw notFound(`User ${id}`);
        if (user.role === "admin" && users.countAdmins() === 1) {
          throw conflict(`${user.username} is the last admin and cannot be deleted`);
        }
        users.delete(id);
        deps.audit.record(actorOf(c), "user.delete", user.username);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
