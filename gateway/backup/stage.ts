import { createTarDecoder, type ParsedTarEntry } from "modern-tar";
import { z } from "zod";
import {
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  backupManifestSchema,
} from "../../lib/schemas/backup.ts";
import { DATABASE_PATH, entryName, MANIFEST_ENTRY } from "./archive.ts";
import { BackupError } from "./errors.ts";

/** What a restore can install, to check an archive against before anything is written. */
export interface StageRules {
  /** Paths in `$HALO_VAR` this gateway restores: the database and the registered secrets. */
  paths: ReadonlySet<string>;
  /** Migration names this gateway knows. */
  migrations: ReadonlySet<string>;
}

/** An archive unpacked into a staging directory, not installed yet. */
export interface StagedArchive {
  manifest: BackupManifest;
  /** Path in `$HALO_VAR` → the staged copy (written, synced, mode 0600). */
  files: Map<string, string>;
}

const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * Reads the decrypted tar into `dir`: the manifest first, checked against
 * `rules` (a newer format, schema or secret file is refused before any file
 * is written), then each file the manifest lists, in full.
 *
 * @throws {BackupError} when the archive is not one this gateway can restore.
 */
export async function stageArchive(
  plain: ReadableStream<Uint8Array>,
  dir: string,
  rules: StageRules,
): Promise<StagedArchive> {
  let manifest: BackupManifest | null = null;
  const files = new Map<string, string>();
  try {
    for await (const entry of plain.pipeThrough(createTarDecoder({ strict: true }))) {
      if (manifest === null) {
        manifest = await readManifest(entry, rules);
        continue;
      }
      const listed = manifest.files.find((f) => entryName(f.path) === entry.header.name);
      if (!listed || files.has(listed.path)) {
        throw new BackupError(`The archive holds an unexpected entry "${entry.header.name}"`);
      }
      if ((entry.header.type ?? "file") !== "file" || entry.header.size !== listed.size) {
        throw new BackupError(
          `The archive's entry "${entry.header.name}" is not the ${listed.size}-byte file its manifest lists`,
        );
      }
      const staged = `${dir}/${files.size}`;
      await writeSynced(entry.body, staged);
      files.set(listed.path, staged);
    }
  } catch (error) {
    // Decryption's own errors, and the file system's when staging, say what they are already.
    const system = Object.values(Deno.errors).some((type) => error instanceof type);
    if (error instanceof BackupError || system) throw error;
    throw new BackupError(
      `The decrypted backup is not a valid tar archive (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (manifest === null) throw new BackupError("The backup is empty: it has no manifest");
  const missing = manifest.files.filter((f) => !files.has(f.path)).map((f) => f.path);
  if (missing.length > 0) {
    throw new BackupError(`The archive is incomplete: ${missing.join(", ")} missing`);
  }
  return { manifest, files };
}

const formatSchema = z.object({ format: z.literal("halo-backup"), version: z.number().int() });

async function readManifest(entry: ParsedTarEntry, rules: StageRules): Promise<BackupManifest> {
  if (entry.header.name !== MANIFEST_ENTRY || entry.header.size > MAX_MANIFEST_BYTES) {
    await entry.body.cancel();
    throw new BackupError(
      `Not a HALO backup: its first entry is "${entry.header.name}", not ${MANIFEST_ENTRY}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await new Response(entry.body).text());
  } catch (error) {
    throw new BackupError(`Not a HALO backup: ${MANIFEST_ENTRY} is not JSON`, { cause: error });
  }
  const format = formatSchema.safeParse(json);
  if (format.success && format.data.version > BACKUP_FORMAT_VERSION) {
    throw new BackupError(
      `The backup was made by a newer gateway-api (archive format ${format.data.version}; this one reads ${BACKUP_FORMAT_VERSION}): restore it with the gateway-api version that made it, or a newer one`,
    );
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new BackupError(`Not a HALO backup: ${MANIFEST_ENTRY} is not a backup manifest`);
  }
  const manifest = parsed.data;
  checkKnown(manifest, rules);
  return manifest;
}

/** Refuses what only a newer gateway-api could restore, naming its version. */
function checkKnown(manifest: BackupManifest, rules: StageRules): void {
  const newer = (what: string) =>
    new BackupError(
      `The backup's ${what}: it was made by a newer gateway-api (${manifest.gateway.version}, commit ${
        manifest.gateway.commit ?? "unknown"
      }); restore it with that version or a newer one`,
    );
  const migrations = manifest.migrations.filter((m) => !rules.migrations.has(m));
  if (migrations.length > 0) {
    throw newer(
      `database has migrations this gateway-api does not know (${migrations.join(", ")})`,
    );
  }
  const paths = manifest.files.map((f) => f.path);
  const unknown = paths.filter((p) => !rules.paths.has(p));
  if (unknown.length > 0) {
    throw newer(`secret files include ones this gateway-api does not know (${unknown.join(", ")})`);
  }
  if (new Set(paths).size !== paths.length || !paths.includes(DATABASE_PATH)) {
    throw new BackupError(
      `Not a HALO backup: its manifest must list ${DATABASE_PATH} and each file once`,
    );
  }
}

/** Writes `body` to a new file at `path` (0600) and syncs it to disk. */
async function writeSynced(body: ReadableStream<Uint8Array>, path: string): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  // Each write awaited, not piped to `file.writable`: Deno's pipeTo with
  // preventClose resolves before its last writes land, so sync would miss them.
  for await (const chunk of body) {
    for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
  }
  await file.sync();
}
