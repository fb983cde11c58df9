import { idParamsSchema, nodeIdParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  createdJoinTokenSchema,
  createJoinTokenSchema,
  createReplacementTokenSchema,
  enrollRequestSchema,
  enrollResponseSchema,
  joinTokenListSchema,
} from "../../lib/schemas/enrollment.ts";
import { generateSecret, hashSecret, secretPrefix } from "../auth/secret_token.ts";
import { enroll } from "../nodes/enroll.ts";
import { JoinTokenStore } from "../store/join_tokens.ts";
import { NodeStore } from "../store/nodes.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** Join tokens and replacement tokens (admin), and node enrollment (with one of them). */
export function enrollmentApi(deps: GatewayDeps) {
  const joinTokens = new JoinTokenStore(deps.db);
  const nodes = new NodeStore(deps.db);
  const app = apiApp();

  app.openapi(
    route("admin", {
      method: "get",
      path: "/enrollment/tokens",
      tags: ["enrollment"],
      summary: "List join tokens",
      responses: {
        200: jsonResponse(joinTokenListSchema, "Join tokens"),
      },
    }),
    (c) => c.json({ tokens: joinTokens.list() }, 200),
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/enrollment/tokens",
      tags: ["enrollment"],
      summary: "Create a join token for a batch of nodes; the secret is in this response only",
      request: { body: jsonBody(createJoinTokenSchema) },
      responses: { 201: jsonResponse(createdJoinTokenSchema, "Created") },
    }),
    (c) => {
      const body = c.req.valid("json");
      const secret = generateSecret("join");
      const hash = hashSecret(secret);
      const actor = actorOf(c);
      const now = deps.clock.now();
      const token = deps.events.atomically(() => {
        const token = joinTokens.create({
          name: body.name,
          hash,
          prefix: secretPrefix(secret),
          createdBy: actor.name,
          expiresAt: now + body.expires_in_s * 1000,
          maxUses: body.max_uses,
        }, now);
        deps.audit.record(actor, "join_token.create", `join_token:${token.id}`, {
          name: token.name,
          max_uses: token.max_uses,
          expires_at: token.expires_at,
        });
        return token;
      });
      return c.json({ ...token, token: secret }, 201);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/enrollment/tokens/{id}",
      tags: ["enrollment"],
      summary: "Revoke a join token",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Revoked"),
        404: refused("No such live token"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        if (!joinTokens.revoke(id, deps.clock.now())) throw notFound(`Live join token ${id}`);
        deps.audit.record(actorOf(c), "join_token.revoke", `join_token:${id}`);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/nodes/{id}/replacement-token",
      tags: ["enrollment"],
      summary: "Create a replacement token for this node; the secret is in this response only",
      description:
        "A join token that re-enrolls this one node once, on a re-flashed board (which lost its " +
        "agent token) or on new hardware (another serial: the node takes the new hardware " +
        "identity). Enrolling with it revokes the node's agent token. Creating one revokes the " +
        "node's earlier unused replacement tokens.",
      request: {
        params: nodeIdParamsSchema,
        body: jsonBody(createReplacementTokenSchema),
      },
      responses: {
        201: jsonResponse(createdJoinTokenSchema, "Created"),
        404: refused("No such node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const secret = generateSecret("join");
      const actor = actorOf(c);
      const now = deps.clock.now();
      const token = deps.events.atomically(() => {
        const node = nodes.row(id);
        if (!node) throw notFound(`Node ${id}`);
        joinTokens.revokeReplacements(node.id, now);
        const token = joinTokens.create({
          name: `replace ${node.name}`,
          hash: hashSecret(secret),
          prefix: secretPrefix(secret),
          createdBy: actor.name,
          expiresAt: now + body.expires_in_s * 1000,
          maxUses: 1,
          replacesNode: node.id,
        }, now);
        deps.audit.record(actor, "join_token.create", `join_token:${token.id}`, {
          name: token.name,
          max_uses: token.max_uses,
          expires_at: token.expires_at,
          replaces_node: node.id,
        });
        return token;
      });
      return c.json({ ...token, token: secret }, 201);
    },
  );

  app.openapi(
    route("public", {
      method: "post",
      path: "/enroll",
      tags: ["enrollment"],
      summary: "Enroll a device with a join token; returns its node id and agent token",
      description:
        "The same hardware (board serial, else machine-id) always maps to the same node; " +
        "re-enrolling revokes its previous agent token. A node that is enrolled (not " +
        "decommissioned) is re-enrolled only with its current agent token (`agent_token`) or " +
        "with a replacement token for it as `join_token`; otherwise the answer is 409 " +
        "`node_already_enrolled`, the attempt is recorded (an `enroll_refused` event, an audit " +
        "entry) and the join token is not used up.",
      request: { body: jsonBody(enrollRequestSchema) },
      responses: {
        200: jsonResponse(enrollResponseSchema, "Enrolled"),
        401: refused("The join token is unknown, revoked, expired or used up"),
        409: refused(
          "`node_already_enrolled`: the hardware is an enrolled node (ask an admin for a " +
            "replacement token on its page); or `conflict`: another gateway exists",
        ),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const result = enroll(
        { db: deps.db, events: deps.events, audit: deps.audit, now: () => deps.clock.now() },
        body,
        c.get("clientIp"),
      );
      return c.json({
        node_id: result.node.id,
        name: result.node.name,
        role: result.node.role,
        agent_token: result.agentToken,
        reenrolled: result.reenrolled,
        gateway_time_ms: deps.clock.now(),
        report_interval_s: deps.settings.get().report_interval_s,
      }, 200);
    },
  );

  return app;
}
