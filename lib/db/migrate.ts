import type { DatabaseSync } from "node:sqlite";
import { prepared, transaction } from "./database.ts";

/** A migration file as the runner sees it. */
export interface MigrationFile {
  name: string;
  sql: string;
}

/** Applying migrations is refused; the message says why and what to do. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

/** Reads `NNNN_name.sql` files from `dir`, sorted by name. */
export async function readMigrations(dir: URL | string): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  const base = typeof dir === "string" ? dir.replace(/\/?$/, "/") : dir.href.replace(/\/?$/, "/");
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    if (!NAME.test(entry.name)) {
      throw new MigrationError(
        `Migration file "${entry.name}" is misnamed: use NNNN_description.sql, e.g. 0002_telemetry.sql`,
      );
    }
    const path = typeof dir === "string" ? base + entry.name : new URL(entry.name, base);
    files.push({ name: entry.name, sql: await Deno.readTextFile(path) });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

async function checksum(sql: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sql));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A migration recorded as applied: its file name and when, in ms since the epoch. */
export interface AppliedMigration {
  name: string;
  appliedAt: number;
}

/** The migrations applied to `db`, by name; throws when the database cannot be read. */
export function appliedMigrations(db: DatabaseSync): AppliedMigration[] {
  return (prepared(db, "SELECT name, applied_at FROM schema_migrations ORDER BY name").all() as {
    name: string;
    applied_at: number;
  }[]).map((r) => ({ name: r.name, appliedAt: r.applied_at }));
}

/** Options for {@linkcode migrate}. */
export interface MigrateOptions {
  /** When a migration is applied. @default Date.now */
  now?: () => number;
  /** The program the operator runs, named in errors (e.g. `gateway-api`). @default "program" */
  program?: string;
}

/**
 * Applies pending migrations in order, each in its own transaction, recording
 * name and checksum in `schema_migrations`. Each database reads its files
 * from its own folder with {@linkcode readMigrations}.
 *
 * @returns the names applied now.
 * @throws {MigrationError} if an applied file changed or disappeared.
 * @example
 * ```ts
 * await migrate(db, await readMigrations(new URL("../migrations/", import.meta.url)));
 * ```
 */
export async function migrate(
  db: DatabaseSync,
  files: MigrationFile[],
  options: MigrateOptions = {},
): Promise<string[]> {
  const { now = Date.now, program = "program" } = options;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name       TEXT PRIMARY KEY,
    checksum   TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const applied = new Map(
    (prepared(db, "SELECT name, checksum FROM schema_migrations").all() as {
      name: string;
      checksum: string;
    }[]).map((r) => [r.name, r.checksum]),
  );
  const sums = new Map<string, string>();
  for (const file of files) sums.set(file.name, await checksum(file.sql));

  for (const [name, sum] of applied) {
    const current = sums.get(name);
    if (current === undefined) {
      throw new MigrationError(
        `Database has migration ${name} applied, which this ${program} does not know: ` +
          `the database is newer than this binary; run the newer ${program} or restore a matching backup`,
      );
    }
    if (current !== sum) {
      throw new MigrationError(
        `Migration ${name} was changed after it was applied (checksum ${sum.slice(0, 12)} in the ` +
          `database, ${current.slice(0, 12)} in the file): restore the original file and put ` +
          `schema changes in a new numbered migration`,
      );
    }
  }

  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.name)) continue;
    // Each migration commits on its own: one that fails leaves the ones before it applied.
    transaction(db, () => {
      db.exec(file.sql);
      prepared(db, "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (?, ?, ?)")
        .run(file.name, sums.get(file.name)!, now());
    }, {
      nested: "refuse",
      afterRollback: (error) => {
        throw new MigrationError(`Migration ${file.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      },
    });
    done.push(file.name);
  }
  return done;
}
