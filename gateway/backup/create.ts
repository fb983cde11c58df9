import { backup, type DatabaseSync } from "node:sqlite";
import {
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  backupManifestSchema,
} from "../../lib/schemas/backup.ts";
import { prepared } from "../../lib/db/database.ts";
import { type EncryptOptions, encryptWithPassphrase, type SizedStream } from "./age.ts";
import {
  DATABASE_PATH,
  entryName,
  MANIFEST_ENTRY,
  packArchive,
  type PackedFile,
} from "./archive.ts";
import { SECRET_FILES, type SecretFile } from "./secret_files.ts";

/** What a backup is taken from. */
export interface BackupSource {
  db: DatabaseSync;
  /** `$HALO_VAR`, where the secret files are. */
  varDir: string;
  /** For the snapshot while it is streamed; on the database's file system. */
  tmpDir: string;
  now: number;
  gateway: { version: string; commit: string | null };
  /** @default SECRET_FILES */
  secretFiles?: readonly SecretFile[];
}

/** An encrypted backup being made. */
export interface Backup {
  /** The age file; read it once. */
  stream: ReadableStream<Uint8Array>;
  /** Its exact length in bytes. */
  size: number;
  manifest: BackupManifest;
}

/**
 * Takes a consistent snapshot of the database and reads the secret files,
 * then streams them as a tar archive encrypted with `passphrase`. Memory
 * stays bounded however big the database: the snapshot is a temporary file
 * (its name removed at once) read as the archive is sent.
 */
export async function createBackup(
  source: BackupSource,
  passphrase: string,
  options: EncryptOptions = {},
): Promise<Backup> {
  const snapshot = await snapshotDatabase(source.db, source.tmpDir);
  let tar: SizedStream | undefined;
  try {
    const secrets = await readSecretFiles(source.varDir, source.secretFiles ?? SECRET_FILES);
    const files: PackedFile[] = [
      { name: entryName(DATABASE_PATH), mode: 0o600, size: snapshot.size, body: snapshot.stream },
      ...secrets.map((s) => ({
        name: entryName(s.path),
        mode: s.mode,
        size: s.bytes.length,
        body: s.bytes,
      })),
    ];
    const manifest = backupManifestSchema.parse({
      format: "halo-backup",
      version: BACKUP_FORMAT_VERSION,
      created_at: new Date(source.now).toISOString(),
      gateway: source.gateway,
      migrations: (prepared(source.db, "SELECT name FROM schema_migrations ORDER BY name")
        .all() as { name: string }[]).map((m) => m.name),
      files: [
        { path: DATABASE_PATH, size: snapshot.size, mode: "0600" },
        ...secrets.map((s) => ({ path: s.path, size: s.bytes.length, mode: octal(s.mode) })),
      ],
    });
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
    tar = packArchive(
      [
        { name: MANIFEST_ENTRY, mode: 0o644, size: manifestBytes.length, body: manifestBytes },
        ...files,
      ],
      new Date(source.now),
    );
    const encrypted = await encryptWithPassphrase(tar, passphrase, options);
    return { ...encrypted, manifest };
  } catch (error) {
    // Closes the snapshot, directly or through the archive that reads it.
    await (tar ?? snapshot).stream.cancel(error);
    throw error;
  }
}

/**
 * SQLite's online backup into `tmpDir`: a consistent copy while writes go on.
 * (VACUUM INTO would need ATTACH, which node:sqlite refuses under the
 * gateway's permissions.) The open handle keeps the data readable; the name
 * goes at once so nothing is left behind.
 */
async function snapshotDatabase(db: DatabaseSync, tmpDir: string): Promise<SizedStream> {
  await Deno.mkdir(tmpDir, { recursive: true });
  const path = `${tmpDir}/backup-${crypto.randomUUID()}.db`;
  try {
    await backup(db, path);
    const file = await Deno.open(path, { read: true });
    return { stream: file.readable, size: (await file.stat()).size };
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/** The registered secret files that exist, read whole (they are keys, a few hundred bytes). */
async function readSecretFiles(
  varDir: string,
  registry: readonly SecretFile[],
): Promise<(SecretFile & { bytes: Uint8Array })[]> {
  const found = [];
  for (const secret of registry) {
    try {
      found.push({ ...secret, bytes: await Deno.readFile(`${varDir}/${secret.path}`) });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw new Error(`Cannot read ${secret.name} ${varDir}/${secret.path} for the backup`, {
        cause: error,
      });
    }
  }
  return found;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
