import { nodeIdParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  createNeuronSchema,
  neuronDetailSchema,
  neuronIdParamsSchema,
  neuronListSchema,
  neuronSchema,
  nodeNeuronComponentListSchema,
  parseComponentName,
  placementParamsSchema,
  placementSchema,
} from "../../lib/schemas/neurons.ts";
import { NeuronStore } from "../store/neurons.ts";
import { NodeStore } from "../store/nodes.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** The brain/neuron model: neurons, their four components, and the devices hosting them. */
export function neuronsApi(deps: GatewayDeps) {
  const app = apiApp();
  const neurons = new NeuronStore(deps.db);
  const nodes = new NodeStore(deps.db);

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/neurons",
      tags: ["neurons"],
      summary: "List neurons with their components and the devices hosting each",
      responses: { 200: jsonResponse(neuronListSchema, "Neurons") },
    }),
    (c) => c.json({ neurons: neurons.list() }, 200),
  );

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/neurons/{id}",
      tags: ["neurons"],
      summary: "A neuron: which devices host it",
      request: { params: neuronIdParamsSchema },
      responses: {
        200: jsonResponse(neuronDetailSchema, "The neuron"),
        404: refused("Unknown"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const neuron = neurons.get(id);
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
        if (neurons.exists(body.id)) throw conflict(`Neuron ${body.id} exists`);
        neurons.create(body.id, body.description, deps.clock.now());
        deps.audit.record(actorOf(c), "neuron.create", body.id);
        return neurons.get(body.id)!;
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
      request: { params: neuronIdParamsSchema },
      responses: { 200: jsonResponse(okSchema, "Deleted"), 404: refused("Unknown") },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        if (!neurons.delete(id)) throw notFound(`Neuron ${id}`);
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
        if (!neurons.exists(parsed.neuron)) {
          throw notFound(`Neuron ${parsed.neuron} (create it with POST /v1/neurons)`);
        }
        if (!nodes.isEnrolled(body.node_id)) throw notFound(`Node ${body.node_id}`);
        neurons.place(parsed.neuron, parsed.component, body.node_id);
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
      request: { params: placementParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Removed"),
        404: refused("Not placed there"),
      },
    }),
    (c) => {
      const { component, node_id } = c.req.valid("param");
      const parsed = parseComponentName(component)!;
      deps.events.atomically(() => {
        if (!neurons.unplace(parsed.neuron, parsed.component, node_id)) {
          throw notFound(`${component} on ${node_id}`);
        }
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
      request: { params: nodeIdParamsSchema },
      responses: {
        200: jsonResponse(
          nodeNeuronComponentListSchema,
          "Components",
        ),
        404: refused("Unknown node"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      if (!nodes.exists(id)) throw notFound(`Node ${id}`);
      return c.json({ components: neurons.onNode(id) }, 200);
    },
  );

  return app;
}
