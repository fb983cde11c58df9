import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../../lib/testing/assert.ts";
import { migrate, readMigrations } from "../../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../../store/migrations.ts";
import { type NodeSelector, selectNodes } from "./node_selector.ts";

/**
 * A network: the gateway, three live nodes on two meshes and a
 * decommissioned one that matches every selector but must never be chosen.
 */
async function networkDb(): Promise<DatabaseSync> {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  db.exec(`
    INSERT INTO meshes (id, ssid, channel, psk, created_at, updated_at)
      VALUES (1, 'halo-north', 1, 'x', 0, 0), (2, 'halo-south', 6, 'x', 0, 0);
    INSERT INTO nodes (id, name, role, status, mesh_id, enrolled_at, updated_at, decommissioned_at) VALUES
      ('n-000000000000', 'gateway', 'gateway', 'online', 1, 0, 0, NULL),
      ('n-00000000000a', 'pump-a', 'node', 'online', 1, 0, 0, NULL),
      ('n-00000000000b', 'pump-b', 'node', 'offline', 2, 0, 0, NULL),
      ('n-00000000000c', 'weather', 'node', 'online', 2, 0, 0, NULL),
      ('n-00000000000d', 'pump-old', 'node', 'decommissioned', 1, 0, 0, 1);
    INSERT INTO node_tags (node_id, tag) VALUES
      ('n-00000000000a', 'pumps'), ('n-00000000000b', 'pumps'), ('n-00000000000d', 'pumps');
    INSERT INTO neurons (id, created_at) VALUES ('n01', 0);
    INSERT INTO neuron_placements (neuron_id, component, node_id) VALUES
      ('n01', 'sensor', 'n-00000000000a'), ('n01', 'sensor', 'n-00000000000c'),
      ('n01', 'sensor', 'n-00000000000d'), ('n01', 'thought', 'n-000000000000');
  `);
  return db;
}

Deno.test("selectNodes()", async (t) => {
  const db = await networkDb();
  const names = (selector: NodeSelector, context: Record<string, unknown> = {}) =>
    selectNodes(db, selector, { context }).map((n) => n.name);

  await t.step("all: every live node, offline ones included, by name", () => {
    assertEquals(names({ kind: "all" }), ["gateway", "pump-a", "pump-b", "weather"]);
  });

  await t.step("tag, mesh and role", () => {
    assertEquals(names({ kind: "tag", tag: "pumps" }), ["pump-a", "pump-b"]);
    assertEquals(names({ kind: "mesh", mesh: "halo-south" }), ["pump-b", "weather"]);
    assertEquals(names({ kind: "role", role: "gateway" }), ["gateway"]);
    assertEquals(names({ kind: "role", role: "node" }), ["pump-a", "pump-b", "weather"]);
    assertEquals(names({ kind: "tag", tag: "nothing" }), []);
  });

  await t.step("neuron_component: the nodes a component is placed on", () => {
    assertEquals(names({ kind: "neuron_component", component: "brain-sensor-n01" }), [
      "pump-a",
      "weather",
    ]);
    assertEquals(names({ kind: "neuron_component", component: "brain-send-n01" }), []);
  });

  await t.step(
    "event_nodes: the event's node, and the nodes behind it when it went offline",
    () => {
      assertEquals(names({ kind: "event_nodes" }, { node_id: "n-00000000000b" }), ["pump-b"]);
      assertEquals(names({ kind: "event_nodes" }, {}), []);
      assertEquals(names({ kind: "event_nodes" }, { node_id: "n-00000000000d" }), []);
      const select = (event: string) =>
        selectNodes(db, { kind: "event_nodes" }, {
          context: { node_id: "n-00000000000a", event },
          nodesBehind: () => ["n-00000000000c", "n-00000000000d", "n-00000000000a"],
        });
      assertEquals(select("offline"), [
        { id: "n-00000000000a", name: "pump-a" },
        { id: "n-00000000000c", name: "weather" },
      ]);
      assertEquals(select("rebooted"), [{ id: "n-00000000000a", name: "pump-a" }]);
    },
  );
  db.close();
});
