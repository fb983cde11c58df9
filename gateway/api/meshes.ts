import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { intIdSchema, okSchema } from "../../lib/schemas/common.ts";
import { createMeshSchema, meshSchema, updateMeshSchema } from "../../lib/schemas/meshes.ts";
import { iso } from "../store/time.ts";
import { actorOf } from "./access.ts";
import { apiApp } from "./app_factory.ts";
import type { GatewayDeps } from "./context.ts";
import { conflict, notFound } from "./errors.ts";
import { jsonBody, jsonResponse, refused, route } from "./route.ts";
import { prepared } from "../../lib/db/database.ts";

type Mesh = z.infer<typeof meshSchema>;

function readMeshes(db: DatabaseSync, id?: number): Mesh[] {
  const rows = prepared(
    db,
    `SELECT m.id, m.ssid, m.channel, m.description, m.psk != '' AS psk_set, m.created_at, m.updated_at,
       (SELECT count(*) FROM nodes n WHERE n.mesh_id = m.id AND n.decommissioned_at IS NULL) AS node_count
     FROM meshes m ${id === undefined ? "" : "WHERE m.id = ?"} ORDER BY m.ssid`,
  ).all(...(id === undefined ? [] : [id])) as {
    id: number;
    ssid: string;
    channel: number;
    description: string;
    psk_set: number;
    created_at: number;
    updated_at: number;
    node_count: number;
  }[];
  // The PSK column is never selected: it is write-only over the API.
  return rows.map((r) => ({
    id: r.id,
    ssid: r.ssid,
    channel: r.channel,
    description: r.description,
    psk_set: r.psk_set === 1,
    node_count: r.node_count,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  }));
}

/** Meshes: SSID/channel/PSK profiles such as ETHRX0001-8A. */
export function meshesApi(deps: GatewayDeps) {
  const app = apiApp();
  const idParams = z.object({ id: intIdSchema });

  app.openapi(
    route("viewer", {
      method: "get",
      path: "/meshes",
      tags: ["meshes"],
      summary: "List meshes (PSKs are write-only)",
      responses: { 200: jsonResponse(z.object({ meshes: z.array(meshSchema) }), "Meshes") },
    }),
    (c) => c.json({ meshes: readMeshes(deps.db) }, 200),
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
        if (prepared(deps.db, "SELECT 1 FROM meshes WHERE ssid = ?").get(body.ssid)) {
          throw conflict(`Mesh ${body.ssid} exists`);
        }
        const now = deps.clock.now();
        const { lastInsertRowid } = prepared(
          deps.db,
          "INSERT INTO meshes (ssid, channel, psk, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        ).run(body.ssid, body.channel, body.psk, body.description, now, now);
        deps.audit.record(actorOf(c), "mesh.create", body.ssid, { channel: body.channel });
        return readMeshes(deps.db, Number(lastInsertRowid))[0]!;
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
      request: { params: idParams, body: jsonBody(updateMeshSchema) },
      responses: {
        200: jsonResponse(meshSchema, "Updated"),
        404: refused("Unknown mesh"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const mesh = deps.events.atomically(() => {
        const [current] = readMeshes(deps.db, id);
        if (!current) throw notFound(`Mesh ${id}`);
        prepared(
          deps.db,
          `UPDATE meshes SET channel = coalesce(?, channel), psk = coalesce(?, psk),
             description = coalesce(?, description), updated_at = ? WHERE id = ?`,
        ).run(
          body.channel ?? null,
          body.psk ?? null,
          body.description ?? null,
          deps.clock.now(),
          id,
        );
        deps.audit.record(actorOf(c), "mesh.update", current.ssid, {
          ...(body.channel !== undefined ? { channel: body.channel } : {}),
          ...(body.psk !== undefined ? { psk: "changed" } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        });
        return readMeshes(deps.db, id)[0]!;
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
      request: { params: idParams },
      responses: {
        200: jsonResponse(okSchema, "Deleted"),
        404: refused("Unknown mesh"),
        409: refused("Nodes are still in the mesh"),
      },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      deps.events.atomically(() => {
        const [current] = readMeshes(deps.db, id);
        if (!current) throw notFound(`Mesh ${id}`);
        if (current.node_count > 0) {
          throw conflict(
            `Mesh ${current.ssid} still has ${current.node_count} node(s): move them first`,
          );
        }
        prepared(deps.db, "DELETE FROM meshes WHERE id = ?").run(id);
        deps.audit.record(actorOf(c), "mesh.delete", current.ssid);
      });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
