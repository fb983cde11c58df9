/**
 * `gateway-api restore FILE`: puts a backup's database and secret files in
 * place of the current ones, with the gateway stopped. Everything is
 * decrypted, checked and written to a staging directory first; only then
 * are files renamed into place, and what they replace is moved aside.
 */
import { DatabaseSync } from "node:sqlite";
import type { BackupManifest } from "../../lib/schemas/backup.ts";
import { INITIAL_ADMIN_FILE } from "../bootstrap/initial_admin.ts";
import { openDatabase } from "../../lib/db/database.ts";
import { denoFileSystem } from "../../lib/fs.ts";
import {
  migrate,
  MigrationError,
  type MigrationFile,
  readMigrations,
} from "../../lib/db/migrate.ts";
import { MIGRATIONS_DIR } from "../store/migrations.ts";
import { decryptWithPassphrase } from "./age.ts";
import { DATABASE_PATH } from "./archive.ts";
import { BackupError } from "./errors.ts";
import { SECRET_FILES, type SecretFile } from "./secret_files.ts";
import { stageArchive, type StagedArchive } from "./stage.ts";

/** Options for {@linkcode restoreBackup}. */
export interface RestoreOptions {
  /** The encrypted archive (`halo-backup-….tar.age`). */
  file: string;
  /** `$HALO_VAR` to restore into. */
  varDir: string;
  passphrase: string;
  /** @default Date.now */
  now?: () => number;
  /** @default the migrations bundled with this gateway */
  migrations?: MigrationFile[];
  /** @default SECRET_FILES */
  secretFiles?: readonly SecretFile[];
}

/** One file put in place. */
export interface RestoredFile {
  path: string;
  name: string;
  mode: number;
  owner: string;
  size: number;
}

/** What a restore did. */
export interface RestoreReport {
  manifest: BackupManifest;
  restored: RestoredFile[];
  /** Migrations applied to bring an older backup's database up to this gateway's schema. */
  migrated: string[];
  /** Where the files it replaced were moved; null when it replaced none. */
  replacedDir: string | null;
}

const DATABASE: Omit<SecretFile, "path"> = {
  name: "database",
  mode: 0o600,
  dirMode: 0o750,
  owner: "gateway-api's user",
};

/**
 * Restores the backup in `options.file` into `options.varDir`.
 *
 * @throws {BackupError} when the gateway still runs, the passphrase is
 *   wrong, or the archive is damaged, truncated or from a newer gateway;
 *   nothing in `varDir` is changed then.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const now = options.now ?? Date.now;
  const migrations = options.migrations ?? await readMigrations(MIGRATIONS_DIR);
  const registry = options.secretFiles ?? SECRET_FILES;
  const { varDir } = options;
  await Deno.mkdir(varDir, { recursive: true, mode: 0o750 });
  assertDatabaseFree(`${varDir}/${DATABASE_PATH}`);
  const archive = await openArchive(options.file, varDir);
  const staging = await Deno.makeTempDir({ dir: varDir, prefix: ".restore-" });
  try {
    const plain = await decryptWithPassphrase(archive.readable, options.passphrase);
    const staged = await stageArchive(plain, staging, {
      paths: new Set([DATABASE_PATH, ...registry.map((s) => s.path)]),
      migrations: new Set(migrations.map((m) => m.name)),
    });
    const migrated = await prepareDatabase(staged.files.get(DATABASE_PATH)!, migrations, now);
    const specs = staged.manifest.files.map((f) => ({
      ...(f.path === DATABASE_PATH ? DATABASE : registry.find((s) => s.path === f.path)!),
      path: f.path,
      size: f.size,
    }));
    const replacedDir = await install(staged, specs, varDir, now());
    return { manifest: staged.manifest, restored: specs, migrated, replacedDir };
  } finally {
    try {
      archive.close();
    } catch {
      // Reading it to the end closed it.
    }
    await Deno.remove(staging, { recursive: true });
  }
}

/** Opens the archive, pointing a plain database from before encrypted backups to its way back. */
async function openArchive(path: string, varDir: string): Promise<Deno.FsFile> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new BackupError(`Cannot read the backup ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const head = new Uint8Array(16);
  const read = await file.read(head);
  if (read === 16 && new TextDecoder().decode(head) === "SQLite format 3\0") {
    file.close();
    throw new BackupError(
      `${path} is a plain database, a backup from before backups were encrypted: with the gateway stopped, put it in place yourself (install -m 0600 ${path} ${varDir}/${DATABASE_PATH}, after removing ${DATABASE_PATH}-wal and ${DATABASE_PATH}-shm there)`,
    );
  }
  await file.seek(0, Deno.SeekMode.Start);
  return file;
}

/**
 * Refuses while another process has the database open. Every SQLite
 * connection in WAL mode holds a shared lock on the file for as long as it
 * is open, so an exclusive lock is only granted when no gateway runs.
 */
function assertDatabaseFree(path: string): void {
  try {
    Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
  } catch (error) {
    // A damaged database, which is a reason to restore, is no reason to refuse.
    if (/locked|busy/i.test((error as Error).message)) {
      throw new BackupError(
        `${path} is in use by a running gateway: stop it first (sudo systemctl stop gateway-api), then restore; nothing was changed`,
        { cause: error },
      );
    }
  } finally {
    db.close();
  }
}

/**
 * Checks the staged database and brings an older backup's schema up to
 * date, so a database this gateway cannot run is refused before installing.
 */
async function prepareDatabase(
  path: string,
  migrations: MigrationFile[],
  now: () => number,
): Promise<string[]> {
  let db: DatabaseSync | undefined;
  try {
    db = openDatabase(path);
    const check = db.prepare("PRAGMA quick_check").all() as { quick_check: string }[];
    if (check[0]?.quick_check !== "ok") {
      throw new BackupError(
        `The backup's database fails SQLite's check: ${check.map((r) => r.quick_check).join("; ")}`,
      );
    }
    return await migrate(db, migrations, { now, program: "gateway-api" });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const why = error instanceof MigrationError ? "" : "is not a usable SQLite database: ";
    throw new BackupError(`The backup's database ${why}${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    db?.close();
  }
}

/**
 * Renames the staged files into place with their modes and `varDir`'s
 * owner, secrets first and the database last (a gateway starts from its
 * database, so a restore cut short leaves the old one). What each replaces,
 * with the old database's WAL and a stale `initial-admin`, goes to
 * `varDir/replaced-<time>-…/`.
 */
async function install(
  staged: StagedArchive,
  specs: (SecretFile & { size: number })[],
  varDir: string,
  now: number,
): Promise<string | null> {
  const owner = await Deno.stat(varDir);
  const ordered = [...specs].sort((a, b) =>
    Number(a.path === DATABASE_PATH) - Number(b.path === DATABASE_PATH)
  );
  // Modes and owner first: a refusal here still leaves everything as it was.
  for (const spec of ordered) {
    const file = staged.files.get(spec.path)!;
    await Deno.chmod(file, spec.mode);
    try {
      await Deno.chown(file, owner.uid, owner.gid);
    } catch (error) {
      throw new BackupError(
        `Cannot give the restored ${spec.name} to ${varDir}'s owner (uid ${owner.uid}): run the restore as root or as that user; nothing was changed`,
        { cause: error },
      );
    }
  }
  let replacedDir: string | null = null;
  const moveAside = async (path: string) => {
    if (!await denoFileSystem.exists(`${varDir}/${path}`)) return;
    const stamp = new Date(now).toISOString().replaceAll(":", "").replace(/\.\d+Z$/, "Z");
    replacedDir ??= await Deno.makeTempDir({ dir: varDir, prefix: `replaced-${stamp}-` });
    await Deno.mkdir(dirname(`${replacedDir}/${path}`), { recursive: true });
    await Deno.rename(`${varDir}/${path}`, `${replacedDir}/${path}`);
  };
  const dirs = new Set([varDir]);
  for (const spec of ordered) {
    const target = `${varDir}/${spec.path}`;
    const dir = dirname(target);
    if (dir !== varDir) {
      await Deno.mkdir(dir, { recursive: true, mode: spec.dirMode });
      await Deno.chmod(dir, spec.dirMode);
      dirs.add(dir);
    }
    await moveAside(spec.path);
    if (spec.path === DATABASE_PATH) {
      // A WAL left beside another database would be replayed into it.
      await moveAside(`${DATABASE_PATH}-wal`);
      await Deno.remove(`${target}-shm`).catch(() => {});
      await moveAside(INITIAL_ADMIN_FILE);
    }
    await Deno.rename(staged.files.get(spec.path)!, target);
  }
  for (const dir of dirs) await syncDir(dir);
  return replacedDir;
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/** Makes the renames into `dir` durable. */
async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
