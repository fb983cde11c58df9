import {
  apiTokenListSchema,
  createdTokenSchema,
  createTokenSchema,
} from "../../lib/schemas/auth.ts";
import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import { generateSecret, hashSecret, secretPrefix } from "../auth/secret_token.ts";
import { ApiTokenStore } from "../store/api_tokens.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** Bearer API tokens (admin only). */
export function tokensApi(deps: GatewayDeps) {
  const tokens = new ApiTokenStore(deps.db);
  const app = apiApp();

  app.openapi(
    route("admin", {
      method: "get",
      path: "/tokens",
      tags: ["tokens"],
      summary: "List API tokens (never their secrets)",
      responses: { 200: jsonResponse(apiTokenListSchema, "Tokens") },
    }),
    (c) => c.json({ tokens: tokens.list() }, 200),
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/tokens",
      tags: ["tokens"],
      summary: "Create an API token; the secret is in this response only",
      request: { body: jsonBody(createTokenSchema) },
      responses: { 201: jsonResponse(createdTokenSchema, "Created") },
    }),
    (c) => {
      const body = c.req.valid("json");
      const secret = generateSecret("api");
      const hash = hashSecret(secret);
      const actor = actorOf(c);
      const token = deps.events.atomically(() => {
        const token = tokens.create(
          {
            name: body.name,
            role: body.role,
            hash,
            prefix: secretPrefix(secret),
            createdBy: actor.name,
          },
          deps.clock.now(),
        );
        deps.audit.record(actor, "token.create", `token:${token.id}`, {
          name: token.name,
          role: token.role,
        });
        return token;
      });
      return c.json({ ...token, token: secret }, 201);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/tokens/{id}",
      tags: ["tokens"],
      summary: "Revoke an API token",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Revoked"),
        404: refused("No such live token"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        if (!tokens.revoke(id, deps.clock.now())) throw notFound(`Live API token ${id}`);
        deps.audit.record(actorOf(c), "token.revoke", `token:${id}`);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
