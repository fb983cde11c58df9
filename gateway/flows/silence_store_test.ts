import { openDatabase } from "../../lib/db/database.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { SilenceStore } from "./silence_store.ts";

const MINUTE = 60_000;

Deno.test("SilenceStore", async (t) => {
  const db = openDatabase(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  db.exec(`INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at)
           VALUES ('n-1', 'leaf', 'node', 'online', 0, 0)`);
  db.exec("INSERT INTO node_tags (node_id, tag) VALUES ('n-1', 'lab')");
  const silences = new SilenceStore(db);
  const by = { reason: "maintenance", createdBy: "ops" };

  await t.step("a silence reads back as created", () => {
    const id = silences.create({ target: "flow", value: "7", ...by }, 0, 10 * MINUTE);
    assertEquals({ ...silences.get(id) }, {
      id,
      target: "flow",
      value: "7",
      reason: "maintenance",
      created_by: "ops",
      created_at: 0,
      ends_at: 10 * MINUTE,
    });
    assertEquals(silences.get(id + 1), null);
  });

  await t.step("covers its flow, its node, or a node with its tag, until it ends", () => {
    silences.create({ target: "tag", value: "lab", ...by }, 0, 20 * MINUTE);
    assert(silences.covers(MINUTE, 7, null), "the flow");
    assert(silences.covers(15 * MINUTE, 1, "n-1"), "the tag's node");
    assert(!silences.covers(15 * MINUTE, 7, null), "the flow's silence ended");
    assert(!silences.covers(MINUTE, 1, "n-2"), "another node, another flow");
    assert(!silences.covers(20 * MINUTE, 1, "n-1"), "the tag's silence ended");
  });

  await t.step("ending one works once, while it is active", () => {
    const id = silences.create({ target: "node", value: "n-1", ...by }, 0, 30 * MINUTE);
    assert(silences.end(id, 5 * MINUTE));
    assert(!silences.end(id, 6 * MINUTE));
    assertEquals(silences.get(id)!.ends_at, 5 * MINUTE);
    assertEquals(silences.endingAfter(5 * MINUTE).map((s) => s.target), ["flow", "tag"]);
    assertEquals(silences.endingAfter(10 * MINUTE).map((s) => s.target), ["tag"]);
  });
  db.close();
});
