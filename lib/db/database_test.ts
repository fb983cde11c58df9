import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { openDatabase, prepared, STATEMENT_CACHE_SIZE, transaction } from "./database.ts";

Deno.test("prepared() compiles a statement once per connection and SQL text", () => {
  const a = new DatabaseSync(":memory:"), b = new DatabaseSync(":memory:");
  a.exec("CREATE TABLE t (x INTEGER)");
  b.exec("CREATE TABLE t (x INTEGER)");
  const insert = prepared(a, "INSERT INTO t (x) VALUES (?)");
  assert(prepared(a, "INSERT INTO t (x) VALUES (?)") === insert);
  assert(prepared(b, "INSERT INTO t (x) VALUES (?)") !== insert, "each connection has its own");
  for (let x = 1; x <= 3; x++) prepared(a, "INSERT INTO t (x) VALUES (?)").run(x);
  assertEquals({ ...prepared(a, "SELECT sum(x) AS s FROM t").get() }, { s: 6 });
  assertEquals({ ...prepared(b, "SELECT count(*) AS n FROM t").get() }, { n: 0 });
  a.close();
  b.close();
});

Deno.test("prepared() drops the least recently used statement past its size", () => {
  const db = new DatabaseSync(":memory:");
  const sql = (i: number) => `SELECT ${i} AS i`;
  const first = prepared(db, sql(0));
  const second = prepared(db, sql(1));
  for (let i = 2; i < STATEMENT_CACHE_SIZE; i++) prepared(db, sql(i));
  assert(prepared(db, sql(0)) === first, "used again: now the most recent");
  prepared(db, sql(STATEMENT_CACHE_SIZE)); // one too many: drops sql(1), the oldest
  assert(prepared(db, sql(0)) === first);
  const again = prepared(db, sql(1));
  assert(again !== second, "dropped and compiled again");
  assertEquals({ ...again.get() }, { i: 1 });
  db.close();
});

Deno.test("openDatabase()", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("creates a missing file with the mode asked for, WAL and FULL sync on", () => {
      const db = openDatabase(`${dir}/a.db`, { mode: 0o600 });
      assertEquals(Deno.statSync(`${dir}/a.db`).mode! & 0o777, 0o600);
      assertEquals({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
      assertEquals({ ...db.prepare("PRAGMA synchronous").get() }, { synchronous: 2 });
      assertEquals({ ...db.prepare("PRAGMA foreign_keys").get() }, { foreign_keys: 1 });
      assertEquals({ ...db.prepare("PRAGMA busy_timeout").get() }, { timeout: 5000 });
      db.close();
    });

    await t.step("leaves an existing file's mode and content alone", () => {
      const first = openDatabase(`${dir}/b.db`);
      first.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)");
      first.close();
      Deno.chmodSync(`${dir}/b.db`, 0o640);
      const again = openDatabase(`${dir}/b.db`, { mode: 0o600, busyTimeoutMs: 10 });
      assertEquals(Deno.statSync(`${dir}/b.db`).mode! & 0o777, 0o640);
      assertEquals({ ...again.prepare("SELECT x FROM t").get() }, { x: 7 });
      assertEquals({ ...again.prepare("PRAGMA busy_timeout").get() }, { timeout: 10 });
      again.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transaction()", async (t) => {
  const open = () => {
    const db = new DatabaseSync(":memory:");
    db.exec("CREATE TABLE t (x INTEGER)");
    return db;
  };
  const rows = (db: DatabaseSync) => db.prepare("SELECT x FROM t ORDER BY x").all().map((r) => r.x);

  await t.step("commits what fn wrote and returns its result", () => {
    const db = open();
    assertEquals(transaction(db, () => db.prepare("INSERT INTO t VALUES (1)").run().changes), 1);
    assertEquals(rows(db), [1]);
    assert(!db.isTransaction);
  });

  await t.step("rolls back everything fn wrote when it throws, and rethrows", () => {
    const db = open();
    const seen: unknown[] = [];
    assertThrows(
      () =>
        transaction(db, () => {
          db.exec("INSERT INTO t VALUES (1)");
          throw new RangeError("no");
        }, { afterRollback: (error) => seen.push(error), afterCommit: () => seen.push("commit") }),
      RangeError,
      "no",
    );
    assertEquals(rows(db), []);
    assertEquals(seen.length, 1);
    assert(seen[0] instanceof RangeError);
  });

  await t.step("throws what afterRollback throws in place of fn's error", () => {
    const db = open();
    assertThrows(
      () =>
        transaction(db, () => {
          throw new RangeError("inner");
        }, {
          afterRollback: (error) => {
            throw new SyntaxError("outer", { cause: error });
          },
        }),
      SyntaxError,
      "outer",
    );
    assert(!db.isTransaction);
  });

  await t.step("runs afterCommit once the change is committed", () => {
    const db = open();
    const seen: unknown[] = [];
    transaction(db, () => db.exec("INSERT INTO t VALUES (2)"), {
      afterCommit: () => seen.push({ open: db.isTransaction, rows: rows(db) }),
    });
    assertEquals(seen, [{ open: false, rows: [2] }]);
  });

  await t.step("joins an open transaction: the outer rollback undoes it too", () => {
    const db = open();
    const seen: string[] = [];
    db.exec("BEGIN");
    transaction(db, () => db.exec("INSERT INTO t VALUES (3)"), {
      afterCommit: () => seen.push("commit"),
    });
    assert(db.isTransaction, "the inner call did not commit the outer transaction");
    db.exec("ROLLBACK");
    assertEquals(rows(db), []);
    assertEquals(seen, []);
  });

  await t.step("with nested: refuse, fails inside an open transaction and leaves it open", () => {
    const db = open();
    db.exec("BEGIN");
    db.exec("INSERT INTO t VALUES (4)");
    assertThrows(
      () => transaction(db, () => db.exec("INSERT INTO t VALUES (5)"), { nested: "refuse" }),
      Error,
      "cannot start a transaction within a transaction",
    );
    assert(db.isTransaction);
    db.exec("COMMIT");
    assertEquals(rows(db), [4]);
  });
});
