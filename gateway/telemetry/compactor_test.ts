import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../lib/testing/assert.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { BatchLedger } from "./batch_ledger.ts";
import { ChunkStore } from "./chunk_store.ts";
import { COLLECT_EVERY, compact } from "./compactor.ts";
import { Head } from "./head.ts";
import { SeriesRegistry } from "./series_registry.ts";
import { WINDOW_MS } from "./windows.ts";

Deno.test("compact() collects garbage every COLLECT_EVERY series", async () => {
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  db.exec(
    `INSERT INTO nodes (id, name, role, status, enrolled_at, updated_at)
     VALUES ('n-1', 'n1', 'node', 'online', 0, 0)`,
  );
  const registry = new SeriesRegistry(db);
  const head = new Head();
  const series = 2 * COLLECT_EVERY + 1;
  for (let i = 0; i < series; i++) {
    head.add(registry.resolve("n-1", "m", `{"i":"${i}"}`, null).id, 100 * WINDOW_MS, i);
  }
  db.exec("BEGIN");
  registry.saveNew(0);
  db.exec("COMMIT");
  let collections = 0;
  const result = await compact({
    db,
    head,
    chunks: new ChunkStore(db),
    registry,
    ledger: new BatchLedger(db),
    batches: [],
    collectGarbage: () => collections++,
  }, { storeRaw: true });
  assertEquals(result, { samples: series, windows: series });
  assertEquals(collections, 2);
});
