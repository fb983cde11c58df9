import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../../lib/db/database.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { MIGRATIONS_DIR } from "./migrations.ts";
import { NeuronStore } from "./neurons.ts";
import { NodeStore } from "./nodes.ts";

async function openStores(): Promise<{ db: DatabaseSync; neurons: NeuronStore; nodes: NodeStore }> {
  const db = openDatabase(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  return { db, neurons: new NeuronStore(db), nodes: new NodeStore(db) };
}

function addNode(db: DatabaseSync, id: string, name: string, decommissioned = false): void {
  db.prepare(
    `INSERT INTO nodes (id, name, role, status, enrolled_at, decommissioned_at, updated_at)
     VALUES (?, ?, 'node', ?, 0, ?, 0)`,
  ).run(id, name, decommissioned ? "decommissioned" : "online", decommissioned ? 1 : null);
}

const hosts = (store: NeuronStore, id: string) =>
  store.get(id)!.components.map((c) => [c.name, c.nodes.map((n) => n.name)]);

Deno.test("NeuronStore", async (t) => {
  const { db, neurons } = await openStores();
  addNode(db, "n-1", "leaf");
  addNode(db, "n-2", "gw");
  addNode(db, "n-3", "old", true);

  await t.step("a new neuron has its four components, hosted nowhere yet", () => {
    neurons.create("n01", "kitchen", 0);
    assert(neurons.exists("n01") && !neurons.exists("n02"));
    assertEquals(neurons.get("n01")!.description, "kitchen");
    assertEquals(hosts(neurons, "n01"), [
      ["brain-sensor-n01", []],
      ["brain-thought-n01", []],
      ["brain-memory-n01", []],
      ["brain-send-n01", []],
    ]);
    assertEquals(neurons.get("n02"), null);
  });

  await t.step("placements show on the neuron by device name, decommissioned ones left out", () => {
    neurons.place("n01", "sensor", "n-1");
    neurons.place("n01", "sensor", "n-1"); // placing twice is placing once
    neurons.place("n01", "sensor", "n-2");
    neurons.place("n01", "send", "n-3");
    assertEquals(hosts(neurons, "n01")[0], ["brain-sensor-n01", ["gw", "leaf"]]);
    assertEquals(hosts(neurons, "n01")[3], ["brain-send-n01", []]);
    assertEquals(neurons.onNode("n-1"), [
      { name: "brain-sensor-n01", neuron: "n01", component: "sensor" },
    ]);
  });

  await t.step("a component is unplaced once", () => {
    assert(neurons.unplace("n01", "sensor", "n-1"));
    assert(!neurons.unplace("n01", "sensor", "n-1"));
    assertEquals(neurons.onNode("n-1"), []);
  });

  await t.step("deleting a neuron removes its placements, once", () => {
    neurons.create("n02", "", 0);
    assertEquals(neurons.list().map((n) => n.id), ["n01", "n02"]);
    assert(neurons.delete("n01"));
    assert(!neurons.delete("n01"));
    assertEquals(neurons.onNode("n-2"), []);
    assertEquals(neurons.list().map((n) => n.id), ["n02"]);
  });
  db.close();
});

Deno.test("NodeStore tells enrolled nodes from decommissioned ones, and names both", async () => {
  const { db, nodes } = await openStores();
  addNode(db, "n-1", "leaf");
  addNode(db, "n-3", "old", true);
  assert(nodes.exists("n-1") && nodes.isEnrolled("n-1"));
  assert(nodes.exists("n-3") && !nodes.isEnrolled("n-3"));
  assert(!nodes.exists("n-9") && !nodes.isEnrolled("n-9"));
  assertEquals(nodes.names(), new Map([["n-1", "leaf"], ["n-3", "old"]]));
  db.close();
});
