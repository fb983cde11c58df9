import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { migrate, MigrationError, readMigrations } from "./migrate.ts";

const files = [
  { name: "0001_init.sql", sql: "CREATE TABLE a (x INTEGER);" },
  { name: "0002_more.sql", sql: "CREATE TABLE b (y INTEGER);" },
];

Deno.test("migrate()", async (t) => {
  await t.step("applies pending files in order and records name and checksum", async () => {
    const db = new DatabaseSync(":memory:");
    assertEquals(await migrate(db, files.slice(0, 1)), ["0001_init.sql"]);
    assertEquals(await migrate(db, files), ["0002_more.sql"]);
    assertEquals(await migrate(db, files), []);
    const rows = db.prepare(
      "SELECT name, length(checksum) AS len FROM schema_migrations ORDER BY name",
    )
      .all().map((r) => ({ ...r }));
    assertEquals(rows, [{ name: "0001_init.sql", len: 64 }, { name: "0002_more.sql", len: 64 }]);
  });

  await t.step("refuses to start when an applied file was changed", async () => {
    const db = new DatabaseSync(":memory:");
    await migrate(db, files);
    const changed = [{ ...files[0]!, sql: "CREATE TABLE a (x TEXT);" }, files[1]!];
    await assertRejects(
      () => migrate(db, changed),
      MigrationError,
      "0001_init.sql was changed after it was applied",
    );
  });

  await t.step("refuses a database newer than the binary", async () => {
    const db = new DatabaseSync(":memory:");
    await migrate(db, files);
    await assertRejects(
      () => migrate(db, files.slice(0, 1)),
      MigrationError,
      "newer than this binary",
    );
  });

  await t.step("names the program to run in its refusal", async () => {
    const db = new DatabaseSync(":memory:");
    await migrate(db, files);
    await assertRejects(
      () => migrate(db, files.slice(0, 1), { program: "halo-agent" }),
      MigrationError,
      "which this halo-agent does not know: the database is newer than this binary; " +
        "run the newer halo-agent or restore a matching backup",
    );
  });

  await t.step("records when each file was applied", async () => {
    const db = new DatabaseSync(":memory:");
    await migrate(db, files, { now: () => 1_700_000_000_000 });
    assertEquals(
      db.prepare("SELECT DISTINCT applied_at FROM schema_migrations").all().map((r) =>
        r.applied_at
      ),
      [1_700_000_000_000],
    );
  });

  await t.step("rolls back a failing migration completely", async () => {
    const db = new DatabaseSync(":memory:");
    const bad = [{ name: "0001_bad.sql", sql: "CREATE TABLE ok (x); CREATE TABLE broken (;" }];
    await assertRejects(() => migrate(db, bad), MigrationError, "Migration 0001_bad.sql failed");
    assertEquals(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").get(), undefined);
    assertEquals(db.prepare("SELECT count(*) AS n FROM schema_migrations").get()!.n, 0);
  });

  await t.step("keeps the files applied before one that fails", async () => {
    const db = new DatabaseSync(":memory:");
    const bad = [files[0]!, { name: "0002_bad.sql", sql: "CREATE TABLE broken (;" }];
    await assertRejects(() => migrate(db, bad), MigrationError, "Migration 0002_bad.sql failed");
    assertEquals(
      db.prepare("SELECT name FROM schema_migrations").all().map((r) => r.name),
      ["0001_init.sql"],
    );
  });

  await t.step("refuses to run inside an open transaction", async () => {
    const db = new DatabaseSync(":memory:");
    db.exec("BEGIN");
    await assertRejects(() => migrate(db, files), Error, "within a transaction");
    db.exec("ROLLBACK");
  });
});

Deno.test("readMigrations() rejects misnamed files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/init.sql`, "SELECT 1;");
    await assertRejects(
      () => readMigrations(dir),
      MigrationError,
      'Migration file "init.sql" is misnamed',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
