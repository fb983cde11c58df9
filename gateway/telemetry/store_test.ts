import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../lib/testing/assert.ts";
import { FakeClock } from "../../lib/testing/fake_clock.ts";
import { createLogger } from "../../lib/log.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { EventHub } from "../events/event_hub.ts";
import { SettingsStore } from "../store/settings.ts";
import { TelemetryStore } from "./store.ts";

Deno.test("TelemetryStore.compact() ends with a heap-reducing collection, an early one with none", async () => {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const clock = new FakeClock();
  const collections: ({ reduce?: boolean } | undefined)[] = [];
  const store = new TelemetryStore({
    db,
    clock,
    log: createLogger({ component: "test", write: () => {} }),
    settings: new SettingsStore(db),
    events: new EventHub(db, () => clock.now()),
    dataDir: "/nonexistent",
    diskSpace: () => Promise.resolve({ free: 50e9, total: 100e9 }),
    collectGarbage: (options) => collections.push(options),
  });
  await store.compact();
  assertEquals(collections, [{ reduce: true }]);
  collections.length = 0;
  await store.compact({ early: true });
  assertEquals(collections, []);
  db.close();
});
