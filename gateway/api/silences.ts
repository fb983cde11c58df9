import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  createSilenceSchema,
  silenceListSchema,
  silenceSchema,
} from "../../lib/schemas/silences.ts";
import { type SilenceRow, SilenceStore } from "../flows/silence_store.ts";
import { iso } from "../store/time.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** Silences (maintenance windows): alerts are marked silenced and webhooks held back. */
export function silencesApi(deps: GatewayDeps) {
  const app = apiApp();
  const silences = new SilenceStore(deps.db);
  const view = (r: SilenceRow) => ({
    ...r,
    created_at: iso(r.created_at),
    ends_at: iso(r.ends_at),
    active: r.ends_at > deps.clock.now(),
  });

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/silences",
      tags: ["alerts"],
      summary: "Silences active now or ended within the last week",
      responses: { 200: jsonResponse(silenceListSchema, "Silences") },
    }),
    (c) => {
      const weekAgo = deps.clock.now() - 7 * 86_400_000;
      return c.json({ silences: silences.endingAfter(weekAgo).map(view) }, 200);
    },
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
        const id = silences.create(
          { target: body.target, value: body.value, reason: body.reason, createdBy: actor.name },
          now,
          now + body.duration_s * 1000,
        );
        deps.audit.record(actor, "silence.create", `${body.target}:${body.value}`, {
          duration_s: body.duration_s,
          reason: body.reason,
        });
        return id;
      });
      return c.json(view(silences.get(id)!), 201);
    },
  );

  app.openapi(
    route("operator", {
      method: "delete",
      path: "/silences/{id}",
      tags: ["alerts"],
      summary: "End a silence now",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Ended"),
        404: refused("Unknown silence"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        if (!silences.end(id, deps.clock.now())) throw notFound(`Active silence ${id}`);
        deps.audit.record(actorOf(c), "silence.end", `silence:${id}`);
      });
      return c.json({ ok: true as const }, 200);
    },
  );
  return app;
}
