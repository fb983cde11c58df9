import type { DatabaseSync } from "node:sqlite";
import type { z } from "zod";
import type { createMeshSchema, meshSchema, updateMeshSchema } from "../../lib/schemas/meshes.ts";
import { iso } from "./time.ts";
import { prepared } from "../../lib/db/database.ts";

export type Mesh = z.infer<typeof meshSchema>;

/** Meshes: SSID/channel/PSK profiles; the PSK is written here and never read back. */
export class MeshStore {
  constructor(private readonly db: DatabaseSync) {}

  /** Every mesh, by SSID. */
  list(): Mesh[] {
    return this.#read();
  }

  get(id: number): Mesh | null {
    return this.#read(id)[0] ?? null;
  }

  exists(id: number): boolean {
    return prepared(this.db, "SELECT 1 FROM meshes WHERE id = ?").get(id) !== undefined;
  }

  ssidTaken(ssid: string): boolean {
    return prepared(this.db, "SELECT 1 FROM meshes WHERE ssid = ?").get(ssid) !== undefined;
  }

  /** @returns the new mesh's id. */
  create(mesh: z.infer<typeof createMeshSchema>, now: number): number {
    const { lastInsertRowid } = prepared(
      this.db,
      "INSERT INTO meshes (ssid, channel, psk, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(mesh.ssid, mesh.channel, mesh.psk, mesh.description, now, now);
    return Number(lastInsertRowid);
  }

  /** Changes the fields given; the others keep their values. */
  update(id: number, changes: z.infer<typeof updateMeshSchema>, now: number): void {
    prepared(
      this.db,
      `UPDATE meshes SET channel = coalesce(?, channel), psk = coalesce(?, psk),
         description = coalesce(?, description), updated_at = ? WHERE id = ?`,
    ).run(changes.channel ?? null, changes.psk ?? null, changes.description ?? null, now, id);
  }

  delete(id: number): void {
    prepared(this.db, "DELETE FROM meshes WHERE id = ?").run(id);
  }

  #read(id?: number): Mesh[] {
    const rows = prepared(
      this.db,
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
}
