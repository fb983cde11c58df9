import { idParamsSchema, okSchema } from "../../lib/schemas/common.ts";
import {
  createMeshSchema,
  meshListSchema,
  meshSchema,
  updateMeshSchema,
} from "../../lib/schemas/meshes.ts";
import { MeshStore } from "../store/meshes.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "../deps.ts";
import { conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";

/** Meshes: SSID/channel/PSK profiles such as ETHRX0001-8A. */
export function meshesApi(deps: GatewayDeps) {
  const app = apiApp();
  const meshes = new MeshStore(deps.db);

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/meshes",
      tags: ["meshes"],
      summary: "List meshes (PSKs are write-only)",
      responses: { 200: jsonResponse(meshListSchema, "Meshes") },
    }),
    (c) => c.json({ meshes: meshes.list() }, 200),
  );

  app.openapi(
    route("admin", {
      method: "post",
      path: "/meshes",
      tags: ["meshes"],
      summary: "Create a mesh profile",
      request: { body: jsonBody(createMeshSchema) },
      responses: {
        201: jsonResponse(meshSchema, "Created"),
        409: refused("SSID taken"),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const mesh = deps.events.atomically(() => {
        if (meshes.ssidTaken(body.ssid)) throw conflict(`Mesh ${body.ssid} exists`);
        const id = meshes.create(body, deps.clock.now());
        deps.audit.record(actorOf(c), "mesh.create", body.ssid, { channel: body.channel });
        return meshes.get(id)!;
      });
      return c.json(mesh, 201);
    },
  );

  app.openapi(
    route("admin", {
      method: "patch",
      path: "/meshes/{id}",
      tags: ["meshes"],
      summary: "Change a mesh's channel, PSK or description",
      request: { params: idParamsSchema, body: jsonBody(updateMeshSchema) },
      responses: {
        200: jsonResponse(meshSchema, "Updated"),
        404: refused("Unknown mesh"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const mesh = deps.events.atomically(() => {
        const current = meshes.get(id);
        if (!current) throw notFound(`Mesh ${id}`);
        meshes.update(id, body, deps.clock.now());
        deps.audit.record(actorOf(c), "mesh.update", current.ssid, {
          ...(body.channel !== undefined ? { channel: body.channel } : {}),
          ...(body.psk !== undefined ? { psk: "changed" } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        });
        return meshes.get(id)!;
      });
      return c.json(mesh, 200);
    },
  );

  app.openapi(
    route("admin", {
      method: "delete",
      path: "/meshes/{id}",
      tags: ["meshes"],
      summary: "Delete a mesh with no nodes in it",
      request: { params: idParamsSchema },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("Unknown mesh"),
        409: refused("Nodes are still in the mesh"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const current = meshes.get(id);
        if (!current) throw notFound(`Mesh ${id}`);
        if (current.node_count > 0) {
          throw conflict(
            `Mesh ${current.ssid} still has ${current.node_count} node(s): move them first`,
          );
        }
        meshes.delete(id);
        deps.audit.record(actorOf(c), "mesh.delete", current.ssid);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
