import { streamSSE } from "hono/streaming";
import {
  COMMAND_EVENT,
  commandAckSchema,
  commandIdParamsSchema,
  commandStreamSchema,
  listCommandsQuerySchema,
} from "../../lib/schemas/commands.ts";
import { nodeIdParamsSchema } from "../../lib/schemas/common.ts";
import type { GatewayDeps } from "../deps.ts";
import { actorOf, roleOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import { stillAuthenticated } from "./authenticate.ts";
import type { Principal } from "./context.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

const KEEPALIVE_MS = 15_000;
/** How often an open stream re-checks that the node's agent token is still valid. */
const RECHECK_MS = 5_000;
const DEFAULT_LIST_LIMIT = 50;

/** The command channel: operators issue and read commands; agents stream and answer them. */
export function commandsApi(deps: GatewayDeps) {
  const app = apiApp();
  const commands = deps.commands;
  const { schemas } = commands;

  app.openapi(
    route("operator", {
      method: "post",
      path: "/nodes/{id}/commands",
      tags: ["commands"],
      summary: "Send a node a command",
      description: "A command for a node whose agent holds no command stream open is stored as " +
        "`refused` at once, unless its type is desired state: that waits queued and is delivered " +
        "when the node connects. Each type needs its role (camera_snapshot: operator). Poll " +
        "`GET /v1/commands/{id}` for its state and result.",
      request: { params: nodeIdParamsSchema, body: jsonBody(schemas.issue) },
      responses: {
        201: jsonResponse(schemas.record, "The command, queued or refused"),
        404: refused("Unknown or decommissioned node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const command = commands.issue(id, c.req.valid("json"), {
        actor: actorOf(c),
        role: roleOf(c.get("principal"))!, // an operator route lets only people and tokens in
      });
      if (!command) throw notFound(`Live node ${id}`);
      return c.json(command, 201);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/nodes/{id}/commands",
      tags: ["commands"],
      summary: "A node's commands, newest first",
      request: { params: nodeIdParamsSchema, query: listCommandsQuerySchema },
      responses: {
        200: jsonResponse(schemas.list, "Commands"),
        404: refused("Unknown node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const list = commands.list(id, c.req.valid("query").limit ?? DEFAULT_LIST_LIMIT);
      if (!list) throw notFound(`Node ${id}`);
      return c.json({ commands: list }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/commands/{id}",
      tags: ["commands"],
      summary: "A command's state and result",
      request: { params: commandIdParamsSchema },
      responses: {
        200: jsonResponse(schemas.record, "The command"),
        404: refused("Unknown command"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const command = commands.get(id);
      if (!command) throw notFound(`Command ${id}`);
      return c.json(command, 200);
    },
  );

  app.openapi(
    route("operator", {
      method: "get",
      path: "/commands/{id}/image",
      tags: ["commands"],
      summary: "A snapshot's JPEG: held until fetched once (or 5 minutes) unless stored",
      request: { params: commandIdParamsSchema },
      responses: {
        200: {
          description: "The image",
          content: { "image/jpeg": { schema: { type: "string", format: "binary" } } },
        },
        404: refused(
          "Unknown command, or its image is gone: fetched already or held past its time " +
            "(ask with store: true to keep it)",
        ),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const image = commands.get(id) ? commands.takeImage(id) : null;
      if (!image) throw notFound(`Image of command ${id}`);
      return c.body(image.data as Uint8Array<ArrayBuffer>, 200, {
        "content-type": image.contentType,
        "content-disposition": `inline; filename="${id}.jpg"`,
        "cache-control": "no-store",
      });
    },
  );

  registerAgentRoutes(app, deps);
  return app;
}

/** The agent's side: its one stream of commands, and its answers. */
function registerAgentRoutes(app: ReturnType<typeof apiApp>, deps: GatewayDeps) {
  const commands = deps.commands;

  app.openapi(
    route("agent", {
      method: "get",
      path: "/agent/commands/stream",
      tags: ["commands"],
      summary: "The agent's command stream (Server-Sent Events)",
      description: `Each \`event: ${COMMAND_EVENT}\` message's data is \`{gateway_time_ms, ` +
        "command}`. On connecting, every command still open for the node is sent, sent ones " +
        "again: the agent runs each at most once. A node holds one stream; opening another " +
        "ends the older.",
      responses: {
        200: {
          description: "text/event-stream of commands",
          content: { "text/event-stream": { schema: commandStreamSchema } },
        },
      },
    }),
    (c) => {
      const principal = c.get("principal");
      const nodeId = agentNode(c);
      let checkedAt = deps.clock.now();
      const allowed = () => {
        if (deps.clock.now() - checkedAt < RECHECK_MS) return true;
        checkedAt = deps.clock.now();
        return stillAuthenticated(deps, principal);
      };
      return streamSSE(c, async (stream) => {
        const queue: string[] = [];
        let wake: (() => void) | null = null;
        // One stream per node, so nodes bound their number: a newer one (the agent
        // reconnecting before this one's end was noticed) ends this one at once.
        const detach = commands.connect(nodeId, {
          deliver(id) {
            queue.push(id);
            wake?.();
          },
          replaced: () => stream.abort(),
        });
        const stop = () => wake?.();
        deps.shutdown.addEventListener("abort", stop);
        stream.onAbort(() => {
          detach();
          stop();
        });
        try {
          await stream.write(`retry: 3000\n\n`);
          while (!stream.aborted && !deps.shutdown.aborted) {
            if (!allowed()) break;
            const id = queue.shift();
            if (id !== undefined) {
              const delivery = commands.delivery(id);
              if (!delivery) continue;
              await stream.writeSSE({ event: COMMAND_EVENT, id, data: JSON.stringify(delivery) });
              commands.sent(id);
              continue;
            }
            let timer: ReturnType<typeof setTimeout> | undefined;
            const woke = await new Promise<boolean>((resolve) => {
              wake = () => resolve(true);
              timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            });
            clearTimeout(timer);
            wake = null;
            if (!woke && !stream.aborted) await stream.write(": keepalive\n\n");
          }
        } finally {
          detach();
          deps.shutdown.removeEventListener("abort", stop);
        }
      });
    },
  );

  app.openapi(
    route("agent", {
      method: "post",
      path: "/agent/commands/{id}/started",
      tags: ["commands"],
      summary: "The agent starts a command (its own node's only)",
      description: "Answered 409 when the command expired or was superseded: do not run it.",
      request: { params: commandIdParamsSchema },
      responses: {
        200: jsonResponse(commandAckSchema, "Running"),
        404: refused("This node has no such command"),
        409: refused("The command already finished, expired or was superseded: do not run it"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const ack = commands.started(agentNode(c), id);
      if (!ack) throw notFound(`Command ${id} of this node`);
      return c.json(ack, 200);
    },
  );

  app.openapi(
    route("agent", {
      method: "post",
      path: "/agent/commands/{id}/result",
      tags: ["commands"],
      summary: "The agent's result of a command, posted once (its own node's only)",
      description: "Posting the same result again is answered as the first time; another is 409.",
      request: { params: commandIdParamsSchema, body: jsonBody(commands.schemas.resultBody) },
      responses: {
        200: jsonResponse(commandAckSchema, "Recorded"),
        404: refused("This node has no such command"),
        409: refused(
          "The command already has another result, expired or was superseded, or is of " +
            "another type than the result",
        ),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const ack = commands.finish(agentNode(c), id, c.req.valid("json"));
      if (!ack) throw notFound(`Command ${id} of this node`);
      return c.json(ack, 200);
    },
  );
}

/** The node of the agent calling; the route's access lets no one else this far. */
function agentNode(c: { get(key: "principal"): Principal }): string {
  const principal = c.get("principal");
  return principal.kind === "agent" ? principal.nodeId : "";
}
