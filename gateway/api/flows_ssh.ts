import { okSchema } from "../../lib/schemas/common.ts";
import {
  sshPublicKeySchema,
  sshTargetInputSchema,
  sshTargetListSchema,
  sshTargetParamsSchema,
  sshTargetSchema,
} from "../../lib/schemas/flows_ssh.ts";
import { SshTargetStore } from "../flows/ssh_targets.ts";
import { NodeStore } from "../store/nodes.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/**
 * The SSH side of Flows commands: the HALO-managed public key to install on
 * nodes, and per node the pinned host keys (and address overrides) that
 * commands check with `StrictHostKeyChecking=yes`. Admins write; viewers read,
 * as public keys are no secret.
 */
export function flowsSshApi(deps: GatewayDeps) {
  const app = apiApp();
  const targets = new SshTargetStore(deps.db);
  const nodes = new NodeStore(deps.db);

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/ssh/public-key",
      tags: ["flows"],
      summary: "The gateway's SSH public key, to authorize on nodes for command actions",
      description: "The key pair is created on first use under $HALO_VAR/ssh.",
      responses: {
        200: jsonResponse(sshPublicKeySchema, "The key"),
      },
    }),
    async (c) => {
      const public_key = await deps.sshIdentity.publicKey();
      const { user } = await deps.sshIdentity.ensure();
      return c.json({ public_key, user }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/ssh/targets",
      tags: ["flows"],
      summary: "Nodes with pinned SSH host keys or address overrides",
      responses: {
        200: jsonResponse(sshTargetListSchema, "Targets"),
      },
    }),
    (c) => c.json({ targets: targets.list() }, 200),
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/flows/ssh/targets/{node_id}",
      tags: ["flows"],
      summary: "A node's pinned SSH host keys and address override",
      request: { params: sshTargetParamsSchema },
      responses: {
        200: jsonResponse(sshTargetSchema, "The target"),
        404: refused("No target for this node"),
      },
    }),
    (c) => {
      const { node_id } = c.req.valid("param");
      const target = targets.get(node_id);
      if (!target) throw notFound(`SSH target for node ${node_id}`);
      return c.json(target, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "put",
      path: "/flows/ssh/targets/{node_id}",
      tags: ["flows"],
      summary: "Pin a node's SSH host keys (and where to reach it); commands refuse any other key",
      request: { params: sshTargetParamsSchema, body: jsonBody(sshTargetInputSchema) },
      responses: {
        200: jsonResponse(sshTargetSchema, "Saved"),
        404: refused("Unknown node"),
      },
    }),
    (c) => {
      const { node_id } = c.req.valid("param");
      const input = c.req.valid("json");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        if (!nodes.isEnrolled(node_id)) throw notFound(`Node ${node_id}`);
        targets.put(node_id, input, actor.name, deps.clock.now());
        deps.audit.record(actor, "flow_ssh_target.update", node_id, {
          host_keys: input.host_keys,
          host: input.host ?? null,
          port: input.port,
          user: input.user ?? null,
        });
      });
      return c.json(targets.get(node_id)!, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/flows/ssh/targets/{node_id}",
      tags: ["flows"],
      summary: "Forget a node's pinned host keys; commands to it fail until new ones are pinned",
      request: { params: sshTargetParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("No target for this node"),
      },
    }),
    (c) => {
      const { node_id } = c.req.valid("param");
      const actor = actorOf(c);
      deps.events.atomically(() => {
        if (!targets.delete(node_id)) throw notFound(`SSH target for node ${node_id}`);
        deps.audit.record(actor, "flow_ssh_target.delete", node_id);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
