import { DatabaseSync } from "node:sqlite";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";
import { assertEquals } from "../../lib/testing/assert.ts";
import { MIGRATIONS_DIR } from "./migrations.ts";

Deno.test("the shipped migrations apply to an empty database with foreign keys on", async () => {
  const db = new DatabaseSync(":memory:", { enableForeignKeyConstraints: true });
  const shipped = await readMigrations(MIGRATIONS_DIR);
  assertEquals(shipped[0]!.name, "0001_init.sql");
  await migrate(db, shipped);
  assertEquals(db.prepare("PRAGMA foreign_key_check").all(), []);
  db.close();
});

Deno.test("a database an earlier gateway migrated still opens: no shipped file changed", async () => {
  // The checksums existing databases hold in schema_migrations; a file that no longer
  // matches makes the gateway refuse to start.
  const recorded = {
    "0001_init.sql": "3516ad6fdc8dc2263c698d0476af1a0e111fd111ee44cab934668515aaf53e02",
    "0002_telemetry.sql": "aa90aed6b4a35afc9dd888af9a4560f63019d9be9c2211872cf6a3a431403930",
    "0003_flows.sql": "a8897202acc7a7dcca6b3af251cd5551d07611c40a69d4aac06e13c7d2bce181",
    "0004_flows_root_cause_ssh.sql":
      "15268640c640700a9aaf8ddff760e32f2ffaa12ba18b5a77a9d24cfb062d46b5",
    "0005_replacement_tokens.sql":
      "80b0f40744d1e742b1a5bb2f3145e53c5e485451ad541430a542764d275e3ec3",
    "0006_metric_catalogue.sql": "55ef8f8e8c2892150a5175a1d326937307471371013394a1945279c1cbcc6dce",
    "0007_commands.sql": "2d7a3ebe0ed323cb8793e2a56aa4790182d8295c61507af5228e4e5b20406a8d",
  };
  const db = new DatabaseSync(":memory:");
  await migrate(db, await readMigrations(MIGRATIONS_DIR));
  const stored = Object.fromEntries(
    db.prepare("SELECT name, checksum FROM schema_migrations").all().map((
      r,
    ) => [r.name, r.checksum]),
  );
  for (const [name, checksum] of Object.entries(recorded)) {
    assertEquals(stored[name], checksum, name);
  }
  db.close();
});
