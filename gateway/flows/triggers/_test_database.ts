/**
 * A real gateway database in a temporary directory for the trigger tests,
 * with a few flows to hang trigger state on, and a way to "restart": close
 * the file and open it again, as a gateway restart does.
 */
import type { DatabaseSync } from "node:sqlite";
import { createLogger } from "../../../lib/log.ts";
import { openGatewayDatabase } from "../../start.ts";
import { prepared } from "../../../lib/db/database.ts";

/** The test database; dispose it with `await using`. */
export interface TestDatabase extends AsyncDisposable {
  db: DatabaseSync;
  /** Closes the database and opens the same file again; `db` is the new handle. */
  restart(): Promise<DatabaseSync>;
  /** Rows of `flow_trigger_state`, state parsed, ordered by flow, step and key. */
  stateRows(): { flow_id: number; step_id: string; key: string; state: Record<string, unknown> }[];
  /** Rows written, updated or deleted through the current handle so far. */
  changes(): number;
}

/** Opens a fresh gateway database holding flows with ids 1 to `flows`. */
export async function openTestDatabase(flows = 3): Promise<TestDatabase> {
  const dir = await Deno.makeTempDir({ prefix: "halo-triggers-" });
  const log = createLogger({ component: "test", write: () => {} });
  const open = async () => (await openGatewayDatabase(dir, log)).db;
  const handle = { db: await open() };
  const insert = prepared(
    handle.db,
    `INSERT INTO flows (id, name, created_at, created_by, updated_at, updated_by)
     VALUES (?, ?, 0, 'test', 0, 'test')`,
  );
  for (let id = 1; id <= flows; id++) insert.run(id, `flow ${id}`);
  return {
    get db() {
      return handle.db;
    },
    async restart() {
      handle.db.close();
      handle.db = await open();
      return handle.db;
    },
    stateRows() {
      return (prepared(
        handle.db,
        "SELECT flow_id, step_id, key, state FROM flow_trigger_state ORDER BY flow_id, step_id, key",
      ).all() as { flow_id: number; step_id: string; key: string; state: string }[])
        .map((r) => ({ ...r, state: JSON.parse(r.state) }));
    },
    changes() {
      return Number(
        (prepared(handle.db, "SELECT total_changes() AS n").get() as { n: number | bigint }).n,
      );
    },
    async [Symbol.asyncDispose]() {
      if (handle.db.isOpen) handle.db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
