import { DatabaseSync, type StatementSync } from "node:sqlite";

/** Options for {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a writer waits for a lock before failing. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * Creates a missing file with this mode before SQLite opens it: SQLite
   * gives the -wal and -shm files the database file's mode, so secrets in
   * the database stay as private as this. @default SQLite's (0644 less umask)
   */
  mode?: number;
}

/**
 * Opens a HALO SQLite database with the settings HALO relies on: WAL
 * (readers never block the writer), foreign keys, a busy timeout, and
 * `synchronous=FULL` so a committed change survives power loss.
 *
 * @example
 * ```ts
 * const db = openDatabase(`${varDir}/halo.db`, { mode: 0o600 });
 * ```
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  if (options.mode !== undefined && path !== ":memory:") createPrivately(path, options.mode);
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

function createPrivately(path: string, mode: number): void {
  try {
    Deno.writeFileSync(path, new Uint8Array(), { createNew: true, mode });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}

/** Options for {@linkcode transaction}. */
export interface TransactionOptions {
  /**
   * Inside an open transaction, `"join"` runs `fn` as part of it (the outer
   * commit or rollback decides); `"refuse"` fails as SQLite does, for a
   * caller whose commit must be its own (it reports durability after it).
   * @default "join"
   */
  nested?: "join" | "refuse";
  /** Runs after this call's own commit, never after joining; what it throws is not rolled back. */
  afterCommit?: () => void;
  /** Runs after this call's own rollback with what `fn` threw; it may throw another error instead. */
  afterRollback?: (error: unknown) => void;
}

/**
 * Runs `fn` in a write transaction (`BEGIN IMMEDIATE`), committing on return
 * and rolling back on throw, so a failed request leaves nothing half-written.
 *
 * @example
 * ```ts
 * const id = transaction(db, () => new FlowStore(db).save(def, "admin", Date.now()));
 * ```
 */
export function transaction<T>(
  db: DatabaseSync,
  fn: () => T,
  options: TransactionOptions = {},
): T {
  if (db.isTransaction && options.nested !== "refuse") return fn();
  db.exec("BEGIN IMMEDIATE");
  let result: T;
  try {
    result = fn();
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    options.afterRollback?.(error);
    throw error;
  }
  options.afterCommit?.();
  return result;
}

/** Statements kept per connection: the gateway uses about 200 SQL texts, a few built from names. */
export const STATEMENT_CACHE_SIZE = 256;
const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/**
 * The connection's prepared statement for `sql`, compiled once and reused
 * (the least recently used is dropped past {@linkcode STATEMENT_CACHE_SIZE}).
 * node:sqlite frees a statement only when V8 collects its small wrapper, and
 * V8 does not count the ~4 KB of C heap behind it: a statement prepared per
 * call (19 for each node's status report, 20 reports a second at 200 nodes)
 * piled up megabytes between collections. Compiling one also takes ~5 µs;
 * running a prepared one, 0.3 µs.
 */
export function prepared(db: DatabaseSync, sql: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) statements.set(db, cache = new Map());
  let statement = cache.get(sql);
  if (statement) {
    // Map order is insertion order: moving it to the end keeps the oldest first.
    cache.delete(sql);
  } else {
    statement = db.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(sql, statement);
  return statement;
}
