import { DatabaseSync } from "node:sqlite";

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a writer waits for a lock before failing. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens the gateway's SQLite database with the settings HALO relies on:
 * WAL (readers never block the writer), foreign keys, a busy timeout, and
 * `synchronous=FULL` so a committed change survives power loss.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

/**
 * Runs `fn` in a write transaction (`BEGIN IMMEDIATE`), committing on return
 * and rolling back on throw, so a failed request leaves nothing half-written.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
