import { z } from "zod";
import {
  intIdSchema,
  okSchema,
  singleLineText,
  timestampSchema,
} from "../../lib/schemas/common.ts";
import { iso } from "../store/time.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "./context.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";
import { prepared } from "../../lib/db/database.ts";

const silenceSchema = z.object({
  id: z.number().int(),
  target: z.enum(["node", "tag", "flow"]),
  value: z.string(),
  reason: z.string(),
  created_by: z.string(),
  created_at: timestampSchema,
  ends_at: timestampSchema,
  active: z.boolean(),
});

const createSilenceSchema = z.strictObject({
  target: z.enum(["node", "tag", "flow"]),
  value: singleLineText().min(1).max(64).describe("Node id, tag, or flow id"),
  reason: singleLineText().max(200).default(""),
  duration_s: z.number().int().min(60).max(30 * 86_400).describe("How long, from now"),
});

/** Silences (maintenance windows): alerts are marked silenced and webhooks held back. */
export function silencesApi(deps: GatewayDeps) {
  const app = apiApp();
  const read = (id?: number) =>
    (prepared(
      deps.db,
      `SELECT * FROM silences ${
        id === undefined ? "WHERE ends_at > ?" : "WHERE id = ?"
      } ORDER BY ends_at`,
    ).all(id ?? deps.clock.now() - 7 * 86_400_000) as {
      id: number;
      target: "node" | "tag" | "flow";
      value: string;
      reason: string;
      created_by: string;
      created_at: number;
      ends_at: number;
    }[]).map((r) => ({
      ...r,
      created_at: iso(r.created_at),
      ends_at: iso(r.ends_at),
      active: r.ends_at > deps.clock.now(),
    }));

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/silences",
      tags: ["alerts"],
      summary: "Silences active now or ended within the last week",
      responses: { 200: jsonResponse(z.object({ silences: z.array(silenceSchema) }), "Silences") },
    }),
    (c) => c.json({ silences: read() }, 200),
  );

  app.openapi(
    route("operator", {
      method: "post",
      path: "/silences",
      tags: ["alerts"],
      summary: "Silence a node, tag or flow for a while (maintenance window)",
      request: { body: jsonBody(createSilenceSchema) },
      responses: { 201: jsonResponse(silenceSchema, "Created") },
    }),
    (c) => {
      const body = c.req.valid("json");
      const actor = actorOf(c);
      const now = deps.clock.now();
      const id = deps.events.atomically(() => {
        const { lastInsertRowid } = prepared(
          deps.db,
          "INSERT INTO silences (target, value, reason, created_by, created_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
        ).run(body.target, body.value, body.reason, actor.name, now, now + body.duration_s * 1000);
        deps.audit.record(actor, "silence.create", `${body.target}:${body.value}`, {
          duration_s: body.duration_s,
          reason: body.reason,
        });
        return Number(lastInsertRowid);
      });
      return c.json(read(id)[0]!, 201);
    },
  );

  app.openapi(
    route("operator", {
      method: "delete",
      path: "/silences/{id}",
      tags: ["alerts"],
      summary: "End a silence now",
      request: { params: z.object({ id: intIdSchema }) },
      responses: {
        200: jsonResponse(okSchema, "Ended"),
        404: refused("Unknown silence"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const changed =
          prepared(deps.db, "UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?")
            .run(deps.clock.now(), id, deps.clock.now()).changes;
        if (changed === 0) throw notFound(`Active silence ${id}`);
        deps.audit.record(actorOf(c), "silence.end", `silence:${id}`);
      });
      return c.json({ ok: true as const }, 200);
    },
  );
  return app;
}
