import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../../lib/testing/assert.ts";
import { prepared, STATEMENT_CACHE_SIZE } from "./database.ts";

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
