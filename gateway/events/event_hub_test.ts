import { DatabaseSync } from "node:sqlite";
import type { HaloEvent } from "../../lib/schemas/events.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { assertEquals, assertThrows } from "../../lib/testing/assert.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { EventHub } from "./event_hub.ts";

async function openHub(): Promise<{ db: DatabaseSync; hub: EventHub; heard: string[] }> {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const hub = new EventHub(db, () => Date.UTC(2026, 0, 1));
  const heard: string[] = [];
  hub.subscribe((e: HaloEvent) => heard.push(`${e.type}:${e.message}`));
  return { db, hub, heard };
}

const stored = (hub: EventHub) => hub.query({}).map((e) => e.message).reverse();

Deno.test("EventHub.atomically()", async (t) => {
  await t.step("publishes the events it recorded only after they are committed", async () => {
    const { db, hub, heard } = await openHub();
    const during: string[][] = [];
    hub.atomically(() => {
      hub.record("test", null, "one");
      hub.record("test", null, "two");
      during.push([...heard]);
    });
    assertEquals(during, [[]]);
    assertEquals(heard, ["test:one", "test:two"]);
    assertEquals(stored(hub), ["one", "two"]);
    db.close();
  });

  await t.step("drops them with the rollback when its body throws", async () => {
    const { db, hub, heard } = await openHub();
    assertThrows(
      () =>
        hub.atomically(() => {
          hub.record("test", null, "lost");
          throw new RangeError("refused");
        }),
      RangeError,
      "refused",
    );
    assertEquals(heard, []);
    assertEquals(stored(hub), []);
    hub.atomically(() => hub.record("test", null, "next"));
    assertEquals(heard, ["test:next"], "a rolled-back event is not published later either");
    db.close();
  });

  await t.step("nested inside another, publishes at the outer commit", async () => {
    const { db, hub, heard } = await openHub();
    hub.atomically(() => {
      hub.atomically(() => hub.record("test", null, "inner"));
      assertEquals(heard, []);
      hub.record("test", null, "outer");
    });
    assertEquals(heard, ["test:inner", "test:outer"]);
    db.close();
  });

  await t.step("an event recorded outside a transaction is published at once", async () => {
    const { db, hub, heard } = await openHub();
    hub.record("test", null, "now");
    assertEquals(heard, ["test:now"]);
    db.close();
  });
});
