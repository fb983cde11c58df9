import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertStrictEquals } from "../../lib/testing/assert.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { SeriesRegistry } from "./series_registry.ts";

async function database() {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  for (const id of ["n-1", "n-2"]) {
    db.prepare(
      `INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at)
       VALUES (?, ?, 'node', 'online', 0, 0)`,
    ).run(id, id);
  }
  return db;
}

Deno.test("SeriesRegistry finds series by node, metric and labels", async (t) => {
  const db = await database();
  const registry = new SeriesRegistry(db);
  const temp = registry.resolve("n-1", "soc.temp", "{}", "°C");
  const core0 = registry.resolve("n-1", "cpu.core.usage", '{"core":"0"}', "%");
  const core1 = registry.resolve("n-1", "cpu.core.usage", '{"core":"1"}', "%");
  const other = registry.resolve("n-2", "cpu.core.usage", '{"core":"0"}', "%");

  await t.step("one series of a metric, and several", () => {
    assertStrictEquals(registry.find("n-1", "soc.temp", "{}"), temp);
    assertEquals(registry.find("n-1", "soc.temp", '{"x":"1"}'), undefined);
    assertStrictEquals(registry.find("n-1", "cpu.core.usage", '{"core":"0"}'), core0);
    assertStrictEquals(registry.find("n-1", "cpu.core.usage", '{"core":"1"}'), core1);
    assertStrictEquals(registry.resolve("n-1", "cpu.core.usage", '{"core":"1"}', "%"), core1);
    assertEquals(registry.ofNode("n-1").map((s) => s.id).sort(), [temp.id, core0.id, core1.id]);
  });
  await t.step("series share equal labels", () => {
    assertStrictEquals(other.labels, core0.labels);
    assertEquals(core0.labels, { core: "0" });
  });
  await t.step("discarded series are forgotten, the others stay", () => {
    registry.discard([core1, temp]);
    assertEquals(registry.find("n-1", "cpu.core.usage", '{"core":"1"}'), undefined);
    assertEquals(registry.find("n-1", "soc.temp", "{}"), undefined);
    assertStrictEquals(registry.find("n-1", "cpu.core.usage", '{"core":"0"}'), core0);
    assertEquals(registry.ofNode("n-1"), [core0]);
  });
  await t.step("saved series come back after a restart", () => {
    db.exec("BEGIN");
    registry.saveNew(0);
    db.exec("COMMIT");
    const reopened = new SeriesRegistry(db);
    assertEquals(reopened.find("n-1", "cpu.core.usage", '{"core":"0"}')?.id, core0.id);
    assertEquals(reopened.find("n-2", "cpu.core.usage", '{"core":"0"}')?.id, other.id);
    assertEquals(reopened.all().length, 2);
  });
});
