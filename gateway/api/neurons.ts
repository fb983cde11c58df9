import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { nodeIdSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  componentName,
  componentNameSchema,
  createNeuronSchema,
  NEURON_COMPONENTS,
  neuronIdSchema,
  neuronSchema,
  nodeNeuronComponentSchema,
  parseComponentName,
  placementSchema,
} from "../../lib/schemas/neurons.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "./context.ts";
import { conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";
import { prepared } from "../../lib/db/database.ts";

type Neuron = z.infer<typeof neuronSchema>;
const deviceSchema = z.object({ id: z.string(), name: z.string() });
const neuronDetailSchema = neuronSchema.extend({
  devices: z.array(deviceSchema).describe("Every device hosting any of the neuron's components"),
});

function readNeurons(db: DatabaseSync, id?: string): Neuron[] {
  const neurons = prepared(
    db,
    `SELECT id, description FROM neurons ${id === undefined ? "" : "WHERE id = ?"} ORDER BY id`,
  ).all(...(id === undefined ? [] : [id])) as { id: string; description: string }[];
  const placements = prepared(
    db,
    `SELECT p.component, n.id, n.name FROM neuron_placements p JOIN nodes n ON n.id = p.node_id
     WHERE p.neuron_id = ? AND n.decommissioned_at IS NULL ORDER BY n.name`,
  );
  return neurons.map((neuron) => {
    const rows = placements.all(neuron.id) as { component: string; id: string; name: string }[];
    return {
      id: neuron.id,
      description: neuron.description,
      components: NEURON_COMPONENTS.map((component) => ({
        name: componentName(component, neuron.id),
        component,
        nodes: rows.filter((r) => r.component === component).map((r) => ({
          id: r.id,
          name: r.name,
        })),
      })),
    };
  });
}

/** The brain/neuron model: neurons, their four components, and the devices hosting them. */
export function neuronsApi(deps: GatewayDeps) {
  const app = apiApp();

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/neurons",
      tags: ["neurons"],
      summary: "List neurons with their components and the devices hosting each",
      responses: { 200: jsonResponse(z.object({ neurons: z.array(neuronSchema) }), "Neurons") },
    }),
    (c) => c.json({ neurons: readNeurons(deps.db) }, 200),
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/neurons/{id}",
      tags: ["neurons"],
      summary: "A neuron: which devices host it",
      request: { params: z.object({ id: neuronIdSchema }) },
      responses: {
        200: jsonResponse(neuronDetailSchema, "The neuron"),
        404: refused("Unknown"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const [neuron] = readNeurons(deps.db, id);
      if (!neuron) throw notFound(`Neuron ${id}`);
      const devices = new Map<string, { id: string; name: string }>();
      for (const comp of neuron.components) for (const n of comp.nodes) devices.set(n.id, n);
      return c.json({ ...neuron, devices: [...devices.values()] }, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/neurons",
      tags: ["neurons"],
      summary: "Create a neuron (its four components exist with it)",
      request: { body: jsonBody(createNeuronSchema) },
      responses: {
        201: jsonResponse(neuronSchema, "Created"),
        409: refused("Exists"),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const neuron = deps.events.atomically(() => {
        if (prepared(deps.db, "SELECT 1 FROM neurons WHERE id = ?").get(body.id)) {
          throw conflict(`Neuron ${body.id} exists`);
        }
        prepared(deps.db, "INSERT INTO neurons (id, description, created_at) VALUES (?, ?, ?)").run(
          body.id,
          body.description,
          deps.clock.now(),
        );
        deps.audit.record(actorOf(c), "neuron.create", body.id);
        return readNeurons(deps.db, body.id)[0]!;
      });
      return c.json(neuron, 201);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/neurons/{id}",
      tags: ["neurons"],
      summary: "Delete a neuron and its placements",
      request: { params: z.object({ id: neuronIdSchema }) },
      responses: { 200: jsonResponse(okSchema, "Deleted"), 404: refused("Unknown") },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        if (prepared(deps.db, "DELETE FROM neurons WHERE id = ?").run(id).changes === 0) {
          throw notFound(`Neuron ${id}`);
        }
        deps.audit.record(actorOf(c), "neuron.delete", id);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/neurons/placements",
      tags: ["neurons"],
      summary: "Run a neuron component (brain-<component>-<neuron>) on a device",
      request: { body: jsonBody(placementSchema) },
      responses: {
        200: jsonResponse(okSchema, "Placed"),
        404: refused("Unknown neuron or node"),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const parsed = parseComponentName(body.component)!;
      deps.events.atomically(() => {
        if (!prepared(deps.db, "SELECT 1 FROM neurons WHERE id = ?").get(parsed.neuron)) {
          throw notFound(`Neuron ${parsed.neuron} (create it with POST /v1/neurons)`);
        }
        if (
          !prepared(deps.db, "SELECT 1 FROM nodes WHERE id = ? AND decommissioned_at IS NULL").get(
            body.node_id,
          )
        ) {
          throw notFound(`Node ${body.node_id}`);
        }
        prepared(
          deps.db,
          "INSERT OR IGNORE INTO neuron_placements (neuron_id, component, node_id) VALUES (?, ?, ?)",
        ).run(parsed.neuron, parsed.component, body.node_id);
        deps.audit.record(actorOf(c), "neuron.place", body.component, { node_id: body.node_id });
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/neurons/placements/{component}/{node_id}",
      tags: ["neurons"],
      summary: "Stop running a neuron component on a device",
      request: { params: z.object({ component: componentNameSchema, node_id: nodeIdSchema }) },
      responses: {
        200: jsonResponse(okSchema, "Removed"),
        404: refused("Not placed there"),
      },
    }),
    (c) => {
      const { component, node_id } = c.req.valid("param");
      const parsed = parseComponentName(component)!;
      deps.events.atomically(() => {
        const removed = prepared(
          deps.db,
          "DELETE FROM neuron_placements WHERE neuron_id = ? AND component = ? AND node_id = ?",
        ).run(parsed.neuron, parsed.component, node_id).changes;
        if (removed === 0) throw notFound(`${component} on ${node_id}`);
        deps.audit.record(actorOf(c), "neuron.unplace", component, { node_id });
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/nodes/{id}/neurons",
      tags: ["neurons"],
      summary: "Which neuron components run on this device",
      request: { params: z.object({ id: nodeIdSchema }) },
      responses: {
        200: jsonResponse(
          z.object({ components: z.array(nodeNeuronComponentSchema) }),
          "Components",
        ),
        404: refused("Unknown node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      if (!prepared(deps.db, "SELECT 1 FROM nodes WHERE id = ?").get(id)) {
        throw notFound(`Node ${id}`);
      }
      const rows = prepared(
        deps.db,
        "SELECT neuron_id, component FROM neuron_placements WHERE node_id = ? ORDER BY neuron_id, component",
      ).all(id) as { neuron_id: string; component: typeof NEURON_COMPONENTS[number] }[];
      return c.json({
        components: rows.map((r) => ({
          name: componentName(r.component, r.neuron_id),
          neuron: r.neuron_id,
          component: r.component,
        })),
      }, 200);
    },
  );

  return app;
}
