import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../../lib/db/database.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { MIGRATIONS_DIR } from "./migrations.ts";
import { MeshStore } from "./meshes.ts";

const T0 = Date.UTC(2026, 0, 1);

async function openStore(): Promise<{ db: DatabaseSync; meshes: MeshStore }> {
  const db = openDatabase(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  return { db, meshes: new MeshStore(db) };
}

function addNode(db: DatabaseSync, id: string, meshId: number, decommissioned = false): void {
  db.prepare(
    `INSERT INTO nodes (id, name, role, status, mesh_id, enrolled_at, decommissioned_at, updated_at)
     VALUES (?, ?, 'node', ?, ?, 0, ?, 0)`,
  ).run(id, id, decommissioned ? "decommissioned" : "online", meshId, decommissioned ? 1 : null);
}

Deno.test("MeshStore", async (t) => {
  const { db, meshes } = await openStore();

  await t.step("a created mesh reads back without its PSK", () => {
    const id = meshes.create(
      { ssid: "B-MESH", channel: 28, psk: "secret-psk", description: "" },
      T0,
    );
    assertEquals(meshes.get(id), {
      id,
      ssid: "B-MESH",
      channel: 28,
      description: "",
      psk_set: true,
      node_count: 0,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    assert(meshes.ssidTaken("B-MESH") && !meshes.ssidTaken("C-MESH"));
    assert(meshes.exists(id) && !meshes.exists(id + 1));
    assertEquals(meshes.get(id + 1), null);
  });

  await t.step("lists by SSID and counts only the nodes still enrolled", () => {
    const a = meshes.create({ ssid: "A-MESH", channel: 1, psk: "secret-psk", description: "" }, T0);
    addNode(db, "n-live", a);
    addNode(db, "n-gone", a, true);
    assertEquals(meshes.list().map((m) => [m.ssid, m.node_count]), [["A-MESH", 1], ["B-MESH", 0]]);
  });

  await t.step("an update changes the fields given and keeps the others", () => {
    const id = meshes.list().find((m) => m.ssid === "B-MESH")!.id;
    meshes.update(id, { description: "lab" }, T0 + 1000);
    const psk = () => db.prepare("SELECT psk FROM meshes WHERE id = ?").get(id)!.psk;
    assertEquals(psk(), "secret-psk");
    meshes.update(id, { channel: 30, psk: "other-psk" }, T0 + 2000);
    const mesh = meshes.get(id)!;
    assertEquals([mesh.channel, mesh.description, mesh.updated_at, psk()], [
      30,
      "lab",
      "2026-01-01T00:00:02.000Z",
      "other-psk",
    ]);
  });

  await t.step("a deleted mesh is gone", () => {
    const id = meshes.list().find((m) => m.ssid === "B-MESH")!.id;
    meshes.delete(id);
    assertEquals(meshes.get(id), null);
    assertEquals(meshes.list().map((m) => m.ssid), ["A-MESH"]);
  });
  db.close();
});
